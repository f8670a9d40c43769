import { renderOn } from '../helpers.ts';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checks, type State } from '../../checkers/ldap.ts';
import { judgeAll } from '../../src/engine/runner.ts';
import { LDAP, renderSlapdConf, seedLdif, ssha } from '../../src/services/ldap/local.ts';
import { POLICIES } from '../../scenarios/ldap.ts';
import { topic } from '../../scenarios/ldap.ts';
import { renderLocal } from '../../src/platforms/local/local.ts';
import { nonEmpty } from '../non-empty.ts';

const render = await renderOn('local', 'ldap');
const URL_ = 'ldap://127.0.0.1:20050';

/** The solved state as the gatherer reports it on a correct lab. */
function solved(): State {
  return {
    vaultReady: true,
    directory: { up: true, groups: { developers: ['uid=alice,ou=users,dc=example,dc=com'], admins: ['uid=bob,ou=users,dc=example,dc=com'] } },
    ldapUrl: URL_,
    mount: 'ldap',
    config: { url: URL_, userdn: LDAP.userDn, groupdn: LDAP.groupDn, binddn: LDAP.bindDn, userattr: 'uid', groupattr: 'cn', groupfilter: LDAP.groupFilter },
    policies: { ...POLICIES },
    groups: { developers: ['dev-policy'], admins: ['admin-policy'] },
    users: { alice: ['alice-specific-policy'] },
    logins: {
      alice: { ok: true, policies: ['alice-specific-policy', 'default', 'dev-policy'] },
      bob: { ok: true, policies: ['admin-policy', 'default'] },
      wrong: { ok: false, policies: [], error: 'ldap operation failed: failed to bind as user' },
      empty: { ok: false, policies: [], error: 'password cannot be of zero length' },
    },
    accessor: 'auth_ldap_1234',
    locked: [],
    adminPath: { alice: 403, bob: 200 },
  };
}

const failed = (s: State) => judgeAll(checks, s, 'en', render).filter((r) => !r.ok);
const failedIds = (s: State) => failed(s).map((r) => r.id);

describe('ldap judges', () => {
  it('pass on the solved state', () => {
    expect(failedIds(solved())).toEqual([]);
  });

  it('no auth method at auth/ldap/: one cause in full, every other failure folded under it', () => {
    const s = solved();
    s.mount = undefined;
    s.config = undefined;
    s.logins.alice = { ok: false, policies: [], error: 'no handler for route' };
    s.logins.bob = { ok: false, policies: [], error: 'no handler for route' };
    s.adminPath = { alice: undefined, bob: undefined };
    const f = failed(s);
    expect(f.length).toBeGreaterThan(5);
    expect(f.filter((r) => !r.after).map((r) => r.id)).toEqual(['ldap-enabled']);
  });

  it('messages name items as the screen shows them, never check ids', () => {
    const s = solved();
    s.config!.userattr = 'cn';
    s.logins.alice = { ok: false, policies: [], error: 'user not found' };
    for (const r of nonEmpty(failed(s))) expect(`${r.why} ${r.fix}`).not.toMatch(/config-|login-alice|login-bob/);
  });

  it('every check has a hint and a distinct id', () => {
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    for (const c of nonEmpty(checks)) expect(c.hint?.en, c.id).toBeTruthy();
  });

  it('deleting the developers mapping fails exactly group-developers, naming the fix command', () => {
    const s = solved();
    delete s.groups.developers;
    s.logins.alice.policies = ['alice-specific-policy', 'default'];
    const f = failed(s);
    expect(f.map((r) => r.id)).toEqual(['group-developers']);
    expect(f[0]!.fix).toContain('vault write auth/ldap/groups/developers policies=dev-policy');
  });

  it('a mapping that exists but does not reach the token (group search empty) is caught', () => {
    const s = solved();
    s.config!.groupfilter = '(&(objectClass=posixGroup)(memberUid={{.Username}}))';
    s.logins.alice.policies = ['alice-specific-policy', 'default'];
    s.logins.bob.policies = ['default'];
    expect(failedIds(s)).toEqual(['config-groupfilter', 'group-developers', 'group-admins']);
  });

  it("the note's config (no groupfilter: OpenBao's default filter) passes config-groupfilter", () => {
    const s = solved();
    s.config!.groupfilter = '(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))';
    expect(failedIds(s)).toEqual([]);
  });

  it.each([
    ['(memberUid={{.Username}})'],
    ['(uniqueMember={{.UserDN}})'],
    ['(&(objectClass=groupOfUniqueNames)(member={{.UserDN}}))'],
    ['(&(objectClass=posixGroup)(member={{.UserDN}}))'],
    [''],
  ])('a group filter that cannot find groupOfNames by member (%s) fails config-groupfilter', (f) => {
    const s = solved();
    s.config!.groupfilter = f;
    const r = failed(s).find((x) => x.id === 'config-groupfilter');
    expect(r?.fixCommands).toEqual([`vault write auth/ldap/config 'groupfilter=${LDAP.groupFilter}'`]);
  });

  it.each([
    ['userattr', 'cn', 'config-userattr', 'vault write auth/ldap/config userattr=uid'],
    ['userdn', 'ou=people,dc=example,dc=com', 'config-userdn', `userdn=${LDAP.userDn}`],
    ['groupdn', 'dc=example,dc=com', 'config-groupdn', `groupdn=${LDAP.groupDn}`],
    ['groupattr', 'ou', 'config-groupattr', 'groupattr=cn'],
    ['url', 'ldap://127.0.0.1:1', 'config-url', 'url="$LDAP_URL"'],
    ['binddn', 'cn=nobody,dc=example,dc=com', 'config-bind', 'bindpass=@'],
  ])('config %s=%s fails %s with its command', (key, value, id, fix) => {
    const s = solved();
    s.config![key] = value;
    const r = failed(s).find((x) => x.id === id);
    expect(r?.fix).toContain(fix);
  });

  it('a wrong bindpass (all user-side fields right, alice refused at bind) fails config-bind', () => {
    const s = solved();
    const err = { ok: false, policies: [], error: 'ldap operation failed: failed to bind as user' };
    s.logins = { alice: err, bob: err, wrong: s.logins.wrong, empty: s.logins.empty };
    s.adminPath = { alice: undefined, bob: undefined };
    const ids = failedIds(s);
    expect(ids).toContain('config-bind');
    expect(ids).toContain('login-alice');
    // The same error with a wrong userattr is the userattr's fault, not the bind's.
    s.config!.userattr = 'cn';
    expect(failedIds(s)).not.toContain('config-bind');
  });

  it('a locked-out user gets the unlock command', () => {
    const s = solved();
    s.logins.alice = { ok: false, policies: [], error: 'permission denied' };
    s.locked = ['alice'];
    const r = failed(s).find((x) => x.id === 'login-alice');
    expect(r?.fix).toContain('vault write -f sys/locked-users/auth_ldap_1234/unlock/alice');
  });

  it('alice reaching the admin path, or a wrong/empty password accepted, fail', () => {
    const a = solved();
    a.adminPath.alice = 200;
    expect(failedIds(a)).toEqual(['alice-denied-admin']);
    const w = solved();
    w.logins.wrong = { ok: true, policies: ['default'] };
    expect(failedIds(w)).toEqual(['wrong-password']);
    const e = solved();
    e.logins.empty = { ok: true, policies: ['default'] };
    expect(failedIds(e)).toEqual(['wrong-password']);
  });

  it('identical or missing policies fail the policies check', () => {
    const s = solved();
    s.policies['alice-specific-policy'] = s.policies['dev-policy'];
    expect(failedIds(s)).toEqual(['policies']);
    const m = solved();
    m.policies['admin-policy'] = undefined;
    expect(failed(m).find((r) => r.id === 'policies')?.fix).toContain('vault policy write admin-policy');
  });

  it('a directory without alice in developers fails directory', () => {
    const s = solved();
    s.directory.groups.developers = [];
    expect(failedIds(s)).toEqual(['directory']);
  });

  it('Vault not ready fails every Vault check, not the directory', () => {
    const s = solved();
    s.vaultReady = false;
    expect(failedIds(s)).toEqual(checks.map((c) => c.id).filter((id) => id !== 'directory'));
  });
});

describe('ldap content', () => {
  it('seed: alice in developers, bob in admins, only hashed passwords, cn differs from uid', () => {
    const ldif = seedLdif({ alice: 'pw-alice-123', bob: 'pw-bob-456' });
    expect(ldif).toMatch(/dn: cn=developers,ou=groups,dc=example,dc=com\nobjectClass: groupOfNames\ncn: developers\nmember: uid=alice,ou=users,dc=example,dc=com/);
    expect(ldif).toMatch(/dn: cn=admins,ou=groups,dc=example,dc=com\nobjectClass: groupOfNames\ncn: admins\nmember: uid=bob,ou=users,dc=example,dc=com/);
    expect(ldif).not.toContain('pw-alice-123');
    expect(ldif).not.toMatch(/^cn: alice$/m);
  });

  it('{SSHA} is sha1(password + salt) + salt', () => {
    const h = ssha('s3cret');
    const raw = Buffer.from(h.replace('{SSHA}', ''), 'base64');
    const salt = raw.subarray(20);
    expect(crypto.createHash('sha1').update('s3cret').update(salt).digest().equals(raw.subarray(0, 20))).toBe(true);
  });

  it('slapd.conf: mdb in the lab folder, hashed root password, anonymous may only authenticate', () => {
    const c = renderSlapdConf({ dir: '/lab/ldap', rootPwHash: '{SSHA}abc', schema: '/etc/ldap/schema', modules: '/usr/lib/ldap' });
    expect(c).toContain('database mdb');
    expect(c).toContain('directory "/lab/ldap/db"');
    expect(c).toContain('rootpw {SSHA}abc');
    expect(c).toMatch(/by anonymous auth/);
  });

  it('commands never carry the bind password: bindpass comes from its 0600 file', () => {
    const text = topic.steps.flatMap((s) => s.commands ?? []).map((c) => renderLocal(c, topic.needs.vault, 'ldap')).join('\n');
    expect(text).toContain('bindpass=@"$LAB_DIR/ldap/bind.password"');
    expect(text).toContain('export VAULT_LDAP_PASSWORD=$(cat "$LAB_DIR/ldap/alice.password")');
    expect(text).toContain('vault login -no-store -method=ldap -format=json username=alice');
  });
});

describe('ldap: ldap-enabled looks at the method type, not only the path', () => {
  it('a userpass method mounted at auth/ldap/ is caught', () => {
    const s = solved();
    s.mount = 'userpass';
    const r = failed(s).find((x) => x.id === 'ldap-enabled');
    expect(r?.fix).toContain('vault auth enable ldap');
  });
});
