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
