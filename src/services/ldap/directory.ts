import crypto from 'node:crypto';
/** The lab's directory as every platform seeds it: suffix, DNs, users and their groups, the 0600 password files. */
export const LDAP = {
  suffix: 'dc=example,dc=com',
  bindDn: 'cn=admin,dc=example,dc=com',
  userDn: 'ou=users,dc=example,dc=com',
  groupDn: 'ou=groups,dc=example,dc=com',
  groupFilter: '(&(objectClass=groupOfNames)(member={{.UserDN}}))',
  users: { alice: 'developers', bob: 'admins' } as Record<string, string>,
  /** Secret files, relative to the lab folder. No trailing newline: `ldapsearch -y` and `vault write k=@file` read them whole. */
  files: { bind: 'ldap/bind.password', alice: 'ldap/alice.password', bob: 'ldap/bob.password' } as Record<string, string>,
  proc: 'slapd',
};

export const userDnOf = (uid: string): string => `uid=${uid},${LDAP.userDn}`;

/** RFC 2307 {SSHA}: slapd verifies it; the clear password never enters slapd.conf or the seed. */
export function ssha(password: string): string {
  const salt = crypto.randomBytes(8);
  const digest = crypto.createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

const FULL_NAMES: Record<string, [string, string]> = { alice: ['Alice Kim', 'Kim'], bob: ['Bob Lee', 'Lee'] };

/**
 * The directory's entries, the same on every platform: the suffix entry (left out where the image makes it itself),
 * the two organisational units, each user (password as a salted hash) and each group with its members.
 */
export function seedLdif(passwords: Record<string, string>, o: { suffixEntry?: boolean } = {}): string {
  const blocks: string[] = [
    ...(o.suffixEntry === false ? [] : [`dn: ${LDAP.suffix}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`]),
    `dn: ${LDAP.userDn}\nobjectClass: organizationalUnit\nou: users`,
    `dn: ${LDAP.groupDn}\nobjectClass: organizationalUnit\nou: groups`,
  ];
  for (const uid of Object.keys(LDAP.users)) {
    // cn differs from uid on purpose: with userattr left at its default (cn), 'alice' must not be found.
    const [cn, sn] = FULL_NAMES[uid] ?? [uid, uid];
    blocks.push(`dn: ${userDnOf(uid)}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${cn}\nsn: ${sn}\nmail: ${uid}@example.com\nuserPassword: ${ssha(passwords[uid]!)}`);
  }
  for (const g of [...new Set(Object.values(LDAP.users))]) {
    const members = Object.entries(LDAP.users).filter(([, gg]) => gg === g).map(([uid]) => `member: ${userDnOf(uid)}`);
    blocks.push(`dn: cn=${g},${LDAP.groupDn}\nobjectClass: groupOfNames\ncn: ${g}\n${members.join('\n')}`);
  }
  return blocks.join('\n\n') + '\n';
}
