/**
 * The ldap topic's directory: a real OpenLDAP slapd on loopback with a generated config (mdb, its own data
 * folder in the lab), seeded once with alice (developers) and bob (admins). Passwords are random, kept in 0600
 * files under $LAB_DIR/ldap/ and registered for redaction; the config and seed hold only salted hashes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LocalAdapter, LocalHost } from '../types.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { LabError, Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { registerSecret } from '../../engine/redact.ts';
import { run } from '../../exec.ts';
import { which } from '../../vault/binary.ts';
import { LDAP, ssha, seedLdif } from './directory.ts';

export { LDAP, userDnOf, ssha, seedLdif } from './directory.ts';

export function ldapPort(p: LocalHost): number {
  return p.port('ldap');
}
export function ldapUrl(p: LocalHost): string {
  return `ldap://127.0.0.1:${ldapPort(p)}`;
}

/** LAB_SLAPD names a slapd outside the usual places (e.g. Homebrew's libexec). */
export function findSlapd(): string | undefined {
  const own = process.env.LAB_SLAPD;
  if (own) return fs.existsSync(own) ? own : undefined;
  return which('slapd') ?? ['/usr/sbin/slapd', '/usr/local/sbin/slapd', '/usr/local/opt/openldap/libexec/slapd'].find((p) => fs.existsSync(p));
}

/** slapd as `lab doctor` looks for it: on PATH or in an sbin folder. */
function findSlapdTool(): string | undefined {
  return findTool('slapd');
}

function findTool(name: string): string | undefined {
  return which(name) ?? [`/usr/sbin/${name}`, `/usr/local/sbin/${name}`].find((p) => fs.existsSync(p));
}

/** Where the Debian/Ubuntu package keeps schema files and modules; Homebrew keeps both elsewhere. */
function schemaDir(): string {
  return ['/etc/ldap/schema', '/etc/openldap/schema', '/usr/local/etc/openldap/schema', '/opt/homebrew/etc/openldap/schema'].find((d) => fs.existsSync(path.join(d, 'core.schema'))) ?? '/etc/ldap/schema';
}
function moduleDir(): string | undefined {
  return ['/usr/lib/ldap', '/usr/lib64/openldap', '/usr/lib/openldap'].find((d) => fs.existsSync(d));
}

export function renderSlapdConf(o: { dir: string; rootPwHash: string; schema: string; modules: string | undefined }): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${q(path.join(o.schema, `${s}.schema`))}`);
  if (o.modules) lines.push(`modulepath ${q(o.modules)}`, 'moduleload back_mdb');
  lines.push(
    `pidfile ${q(path.join(o.dir, 'slapd.pid'))}`,
    `argsfile ${q(path.join(o.dir, 'slapd.args'))}`,
    '',
    'database mdb',
    'maxsize 67108864',
    `suffix ${q(LDAP.suffix)}`,
    `rootdn ${q(LDAP.bindDn)}`,
    `rootpw ${o.rootPwHash}`,
    `directory ${q(path.join(o.dir, 'db'))}`,
    // Anonymous users may only authenticate: Vault must bind as the service account to search.
    'access to attrs=userPassword',
    '  by self write',
    '  by anonymous auth',
    '  by * none',
    'access to *',
    '  by users read',
    '  by * none',
  );
  return lines.join('\n') + '\n';
}

const randomPassword = (): string => crypto.randomBytes(15).toString('base64url');

/** Creates (once) and registers the three passwords. */
export function ensurePasswords(p: LocalHost): Record<string, string> {
  fs.mkdirSync(p.lab.path('ldap'), { recursive: true, mode: 0o700 });
  const out: Record<string, string> = {};
  for (const [who, file] of Object.entries(LDAP.files)) {
    let pw = p.lab.readSecret(file);
    if (!pw) {
      pw = randomPassword();
      p.lab.writeSecret(file, pw);
    }
    registerSecret(pw);
    out[who] = pw;
  }
  return out;
}

function missingSlapd(): LabError {
  return new LabError(msg('OpenLDAP 서버(slapd)를 찾을 수 없습니다.', 'the OpenLDAP server (slapd) was not found.'), {
    exitCode: Exit.environment,
    hint: msg(
      'Debian/Ubuntu: sudo DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils · macOS: brew install openldap · 확인: npx lab doctor ldap',
      'Debian/Ubuntu: sudo DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils · macOS: brew install openldap · then: npx lab doctor ldap',
    ),
  });
}

/** An authenticated search as the bind DN (password from its 0600 file via -y: never on a command line). */
export async function ldapSearch(p: LocalHost, base: string, filter: string, attrs: string[]): Promise<string> {
  const bin = findTool('ldapsearch');
  if (!bin) throw new LabError(msg('ldapsearch가 없습니다.', 'ldapsearch is missing.'), { exitCode: Exit.environment, hint: msg('apt-get install ldap-utils', 'apt-get install ldap-utils') });
  const r = await run(bin, ['-x', '-LLL', '-H', ldapUrl(p), '-D', LDAP.bindDn, '-y', p.lab.path(LDAP.files.bind!), '-b', base, filter, ...attrs], { timeoutMs: 10_000 });
  return r.stdout;
}

export const ldapLocal: LocalAdapter = {
  tools: [
    { name: 'slapd', found: findSlapdTool, hint: msg('apt-get install slapd ldap-utils (macOS: brew install openldap)', 'apt-get install slapd ldap-utils (macOS: brew install openldap)') },
    { name: 'ldapadd', found: () => which('ldapadd'), hint: msg('apt-get install ldap-utils', 'apt-get install ldap-utils') },
  ],
  provides: (p) => ({ ldap: { url: ldapUrl(p), search: (base, filter, attrs) => ldapSearch(p, base, filter, attrs) } }),
  async up(p: LocalHost, report: Reporter): Promise<void> {
    const slapd = findSlapd();
    if (!slapd) throw missingSlapd();
    const passwords = ensurePasswords(p);
    if (p.procAlive(LDAP.proc)) {
      // One told to stop a moment ago still looks alive: it must answer, or it is stopped for good and started again.
      const answers = async () => {
        await ldapSearch(p, LDAP.suffix, '(objectClass=organization)', ['dc']);
        return true;
      };
      if (await p.answersWithin(5000, answers)) {
        report.debug('slapd already running');
        return;
      }
      await p.stopProcess(LDAP.proc);
    }
    const dir = p.lab.path('ldap');
    const conf = path.join(dir, 'slapd.conf');
    fs.mkdirSync(path.join(dir, 'db'), { recursive: true, mode: 0o700 });
    // The config holds the root password's hash only; still owner-only.
    fs.writeFileSync(conf, renderSlapdConf({ dir, rootPwHash: ssha(passwords.bind!), schema: schemaDir(), modules: moduleDir() }), { mode: 0o600 });
    const seeded = fs.existsSync(path.join(dir, 'db', 'data.mdb'));
    if (!seeded) {
      const slapadd = findTool('slapadd');
      if (!slapadd) throw missingSlapd();
      // Seeding offline needs no bind password on any command line; the LDIF holds only salted hashes.
      const ldif = path.join(dir, 'seed.ldif');
      fs.writeFileSync(ldif, seedLdif(passwords), { mode: 0o600 });
      await run(slapadd, ['-f', conf, '-l', ldif]);
    }
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const port = ldapPort(p);
    report.debug(`starting slapd on ${ldapUrl(p)}`);
    await p.startProcess(LDAP.proc, slapd, ['-d', '0', '-h', `${ldapUrl(p)}/`, '-f', conf, ...(asRoot ? ['-u', 'root'] : [])], { ports: [port], what: 'slapd' });
    await p.waitFor(LDAP.proc, 'reachable', async () => {
      await ldapSearch(p, LDAP.suffix, '(objectClass=organization)', ['dc']);
      return true;
    });
  },
  env(p: LocalHost): Record<string, string> {
    return {
      LDAP_URL: ldapUrl(p),
      LDAP_BIND_DN: LDAP.bindDn,
      LDAP_USER_DN: LDAP.userDn,
      LDAP_GROUP_DN: LDAP.groupDn,
    };
  },
  info(p: LocalHost): Record<string, string> {
    return {
      'LDAP URL': ldapUrl(p),
      'LDAP bind DN': LDAP.bindDn,
      'LDAP bind password (0600)': p.lab.path(LDAP.files.bind!),
    };
  },
};
