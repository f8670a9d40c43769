/**
 * A private MariaDB for the mcp topic: its own datadir and socket in the lab folder, loopback only,
 * no system service and no my.cnf (--no-defaults), so a learner's own MariaDB is never touched.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { LocalAdapter, LocalHost } from '../types.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { run, shellQuote } from '../../exec.ts';
import { registerSecret } from '../../engine/redact.ts';
import { LabError, Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { which } from '../../vault/binary.ts';
import { MARIADB_ADMIN_USER, MARIADB_FILES, seedSql, type MariadbAdmin } from './account.ts';

export { MARIADB_ADMIN_USER, type MariadbAdmin } from './account.ts';
export const MARIADB_PROC = 'mariadb';
export const MARIADB_ADMIN_SECRET = MARIADB_FILES.admin;
export const MARIADB_ADMIN_PASSWORD_FILE = MARIADB_FILES.password;

export const mariadbDir = (p: LocalHost, ...parts: string[]): string => p.lab.path('mariadb', ...parts);
export const mariadbSocket = (p: LocalHost): string => mariadbDir(p, 'mysqld.sock');
export const mariadbPort = (p: LocalHost): number => p.port('mysql');

/** Root over the private socket: the install made root@localhost with no password for the OS root user. */
export async function rootSql(p: LocalHost, sql: string): Promise<string> {
  const r = await run('mariadb', ['--no-defaults', `--socket=${mariadbSocket(p)}`, '-uroot', '-N', '-B'], { input: sql, timeoutMs: 20_000 });
  return r.stdout;
}

export function readAdmin(p: Pick<LocalHost, 'lab'>): MariadbAdmin | undefined {
  const a = p.lab.secretJson<MariadbAdmin>(MARIADB_ADMIN_SECRET);
  if (a) registerSecret(a.password);
  return a;
}

/** Anonymous accounts would win over '<name>'@'%' from 127.0.0.1: the local install's are dropped first. */
const localSeedSql = (password: string): string => `DELETE FROM mysql.global_priv WHERE User = '';\nFLUSH PRIVILEGES;\n${seedSql(password)}`;

export const mariadbLocal: LocalAdapter = {
  tools: [
    {
      name: 'mariadbd',
      found: () => which('mariadbd') ?? ['/usr/sbin/mariadbd', '/usr/local/sbin/mariadbd'].find((f) => fs.existsSync(f)),
      hint: msg('apt-get install --no-install-recommends mariadb-server (macOS: brew install mariadb)', 'apt-get install --no-install-recommends mariadb-server (macOS: brew install mariadb)'),
    },
  ],
  async up(p: LocalHost, report: Reporter): Promise<void> {
    const data = mariadbDir(p, 'data');
    const port = mariadbPort(p);
    if (!fs.existsSync(mariadbDir(p, 'data', 'mysql'))) {
      fs.mkdirSync(data, { recursive: true, mode: 0o700 });
      report.debug(`mariadb-install-db ${data}`);
      const r = await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { reject: false, timeoutMs: 120_000 });
      if (r.exitCode !== 0) {
        throw new LabError(msg('MariaDB 데이터 폴더를 만들지 못했습니다.', 'could not initialise the MariaDB data folder.'), {
          exitCode: Exit.environment,
          detail: `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-10).join('\n'),
          hint: msg('mariadb-server가 설치되어 있는지 확인하세요: sudo apt-get install -y --no-install-recommends mariadb-server', 'Check mariadb-server is installed: sudo apt-get install -y --no-install-recommends mariadb-server'),
        });
      }
    }
    if (!p.procAlive(MARIADB_PROC)) {
      await p.startProcess(
        MARIADB_PROC,
        'mariadbd',
        [
          '--no-defaults',
          `--datadir=${data}`,
          `--socket=${mariadbSocket(p)}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          // Without it '<name>'@'%' users lose to the anonymous ''@'localhost' account from 127.0.0.1.
          '--skip-name-resolve',
          '--user=root',
          `--pid-file=${mariadbDir(p, 'mariadbd.pid')}`,
          `--log-error=${p.lab.path('logs', 'mariadb-error.log')}`,
        ],
        { ports: [port], what: 'mariadb' },
      );
      await p.waitFor(MARIADB_PROC, 'ready', async () => (await rootSql(p, 'SELECT 1')).trim() === '1', 60_000);
    }
    let admin = readAdmin(p);
    if (!admin) {
      const password = crypto.randomBytes(18).toString('base64url');
      registerSecret(password);
      admin = { username: MARIADB_ADMIN_USER, password, host: '127.0.0.1', port };
      await rootSql(p, localSeedSql(password));
      p.lab.writeSecret(MARIADB_ADMIN_SECRET, JSON.stringify(admin, null, 2) + '\n');
    }
    // The same password as a bare file, so commands pass it as `password=@file` and never on a command line.
    if (p.lab.readSecret(MARIADB_ADMIN_PASSWORD_FILE) !== admin.password) p.lab.writeSecret(MARIADB_ADMIN_PASSWORD_FILE, admin.password);
  },
  env(p: LocalHost): Record<string, string> {
    return { MARIADB_HOST: '127.0.0.1', MARIADB_PORT: String(mariadbPort(p)), MARIADB_SOCKET: mariadbSocket(p), MARIADB_ADMIN_FILE: p.lab.path(MARIADB_ADMIN_SECRET) };
  },
  info(p: LocalHost): Record<string, string> {
    return {
      mariadb: `127.0.0.1:${mariadbPort(p)} (socket ${mariadbSocket(p)})`,
      'mariadb admin (0600)': p.lab.path(MARIADB_ADMIN_SECRET),
      'mariadb as root': `mariadb --no-defaults --socket=${shellQuote(mariadbSocket(p))} -uroot`,
    };
  },
};
