/**
 * The mcp topic judged by behaviour: the checker acts as agent-1 (wrapped secret_id, AppRole login, dynamic
 * credentials), tries what agent-1 may and may not do against Vault and MariaDB, then revokes the lease and
 * looks for the user in mysql.user, and for its own request in the audit log.
 */
import mysql from 'mysql2/promise';
import type { Checker, LabContext } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { vaultLine } from './common.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { VaultApiError, type VaultClient } from '../src/vault/client.ts';
import { AgentSession, MCP_META, type QueryResult } from '../src/mcp/session.ts';
import { registerSecret } from '../src/engine/redact.ts';
import type { MariadbAdmin } from '../src/services/mariadb/account.ts';

export type Access = 'ok' | 'denied' | 'absent' | 'error';

export interface RoleState {
  tokenTtl: number | undefined;
  tokenMaxTtl: number | undefined;
  policies: string[];
  /** 0 = a secret_id never expires / may log in without limit. */
  secretIdTtl: number | undefined;
  secretIdNumUses: number | undefined;
}

export interface State {
  vaultReady: boolean;
  roles: Record<string, RoleState | undefined>;
  login: { ok: boolean; error?: string; tokenTtl?: number; tokenPolicies?: string[] };
  access: { ownKv: Access; ownCreds: Access; otherKv: Access; otherCreds: Access } | undefined;
  creds: { ok: boolean; error?: string; username?: string; leaseTtl?: number };
  db: { selectDb1: QueryResult; selectDb2: QueryResult; insertDb1: QueryResult } | undefined;
  revoke: { userBefore: boolean; userAfter: boolean; byAgent: 'ok' | 'denied' | 'error'; sessionAfter: 'open' | 'closed' | 'not-tested'; error?: string } | undefined;
  /** agent-2 logged in on its own: can it reach agent-1's paths? */
  access2: { otherKv: Access; otherCreds: Access } | undefined;
  /** What each agent's MCP server did, read from the audit log and MariaDB. */
  mcp: Record<string, McpUse>;
  audit: { devices: { path: string; type: string; file?: string }[]; recorded: boolean; error?: string };
}

export interface McpUse {
  /** database/creds responses to a token minted for `lab mcp serve --agent <agent>` */
  issued: number;
  /** of those leases, how many the server revoked itself (sys/leases/revoke/… with its own token) */
  revoked: number;
  /** revoked usernames that are still in mysql.user */
  stillThere: number;
}

const AGENT = 'agent-1';
/** The limits the approle step sets; a secret_id only bootstraps a login, so one use within minutes is enough. */
export const SECRET_ID_LIMITS = 'secret_id_num_uses=1 secret_id_ttl=10m';
/** Both limits set: a bounded number of logins and a bounded life (at most an hour). */
export const secretIdLimited = (r: { secretIdTtl: number | undefined; secretIdNumUses: number | undefined }): boolean =>
  (r.secretIdNumUses ?? 0) > 0 && (r.secretIdTtl ?? 0) > 0 && (r.secretIdTtl ?? 0) <= 3600;
const OTHER = 'agent-2';

async function access(c: VaultClient, path: string): Promise<Access> {
  try {
    await c.read(path);
    return 'ok';
  } catch (e) {
    if (e instanceof VaultApiError) return e.status === 403 ? 'denied' : e.status === 404 ? 'absent' : 'error';
    throw e;
  }
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function adminDb(ctx: LabContext): Promise<mysql.Connection | undefined> {
  const a = ctx.lab.secretJson<MariadbAdmin>('mariadb-admin.json');
  if (!a) return undefined;
  registerSecret(a.password);
  return mysql.createConnection({ host: a.host, port: a.port, user: a.username, password: a.password, connectTimeout: 5000 }).catch(() => undefined);
}

export async function dbUserExists(conn: mysql.Connection, user: string): Promise<boolean> {
  const [rows] = await conn.query('SELECT COUNT(*) AS n FROM mysql.user WHERE User = ?', [user]);
  return Number((rows as { n: number }[])[0]?.n ?? 0) > 0;
}

/** Occurrences in the audit log, read where the server writes it (a pod's volume on kind). */
async function countIn(ctx: LabContext, file: string | undefined, needle: string): Promise<number> {
  if (!file) return 0;
  return ((await ctx.platform.readServerFile(file)) ?? '').split(needle).length - 1;
}

export async function gather(ctx: LabContext): Promise<State> {
  const s: State = {
    vaultReady: false,
    roles: {},
    login: { ok: false },
    access: undefined,
    creds: { ok: false },
    db: undefined,
    revoke: undefined,
    audit: { devices: [], recorded: false },
    access2: undefined,
    mcp: {},
  };
  const active = await ctx.activeVault();
  if (!active || !ctx.lab.adminToken()) return s;
  const admin = active.client;
  try {
    await admin.read('/auth/token/lookup-self');
    s.vaultReady = true;
  } catch {
    return s;
  }

  for (const a of [AGENT, OTHER]) {
    const r = await admin.read<{ data?: { token_ttl?: number; token_max_ttl?: number; token_policies?: string[]; secret_id_ttl?: number; secret_id_num_uses?: number } }>(`/auth/approle/role/${a}`).catch(() => undefined);
    s.roles[a] = r?.data ? { tokenTtl: r.data.token_ttl, tokenMaxTtl: r.data.token_max_ttl, policies: r.data.token_policies ?? [], secretIdTtl: r.data.secret_id_ttl, secretIdNumUses: r.data.secret_id_num_uses } : undefined;
  }

  try {
    s.audit.devices = Object.entries(await admin.audits()).map(([path, d]) => ({ path, type: d.type, ...(d.options?.file_path ? { file: d.options.file_path } : {}) }));
  } catch (e) {
    s.audit.error = errText(e);
  }
  const auditFiles = s.audit.devices.filter((d) => d.type === 'file' && d.file && d.file !== 'stdout' && d.file !== 'discard').map((d) => d.file!);
  const needle = `"database/creds/${AGENT}-role"`;
  const before = await Promise.all(auditFiles.map((f) => countIn(ctx, f, needle)));

  if (!s.roles[AGENT]) return s;
  // Act as the agent: a wrapped secret_id, exactly as a deployer would hand it over.
  let session: AgentSession | undefined;
  try {
    const roleId = (await admin.read<{ data: { role_id: string } }>(`/auth/approle/role/${AGENT}/role-id`)).data.role_id;
    const wrapped = await admin.request<{ wrap_info?: { token?: string } }>('POST', `/auth/approle/role/${AGENT}/secret-id`, {}, { 'X-Vault-Wrap-TTL': '60s' });
    const wt = wrapped.wrap_info?.token;
    if (!wt) throw new Error('the secret-id response was not wrapped');
    const u = ctx.platform.vaultNodes()[active.node]!;
    const mariadb = ctx.lab.secretJson<MariadbAdmin>('mariadb-admin.json');
    session = new AgentSession({ addr: u.addr, caFile: u.caFile, roleId, wrappingToken: wt, dbRole: `${AGENT}-role`, db: { host: '127.0.0.1', port: mariadb?.port ?? 0 } });
    await session.unwrap();
    await session.login();
    const self = await session.vault.read<{ data?: { ttl?: number; policies?: string[] } }>('/auth/token/lookup-self');
    s.login = { ok: true, ...(self.data?.ttl !== undefined ? { tokenTtl: self.data.ttl } : {}), tokenPolicies: self.data?.policies ?? [] };
  } catch (e) {
    s.login = { ok: false, error: errText(e) };
  }

  if (session && s.login.ok) {
    const v = session.vault;
    s.access = {
      ownKv: await access(v, `/secret/data/agents/${AGENT}/config`),
      otherKv: await access(v, `/secret/data/agents/${OTHER}/config`),
      otherCreds: await access(v, `/database/creds/${OTHER}-role`),
      ownCreds: 'error',
    };
    let conn: mysql.Connection | undefined;
    try {
      const c = await session.fetchCreds();
      s.access.ownCreds = 'ok';
      s.creds = { ok: true, username: c.username, leaseTtl: c.leaseDuration };
      s.db = {
        selectDb1: await session.query('SELECT COUNT(*) AS n FROM db1.customers'),
        selectDb2: await session.query('SELECT COUNT(*) AS n FROM db2.orders'),
        insertDb1: await session.query("INSERT INTO db1.customers VALUES (1000 + FLOOR(RAND() * 100000), 'intruder')"),
      };
      conn = await adminDb(ctx);
      if (conn) {
        const userBefore = await dbUserExists(conn, c.username);
        // An application's session, open before the revoke, with its database selected.
        const open = await mysql.createConnection({ host: '127.0.0.1', port: ctx.lab.secretJson<MariadbAdmin>('mariadb-admin.json')?.port ?? 0, user: c.username, password: c.password, database: 'db1', connectTimeout: 5000 }).catch(() => undefined);
        let byAgent: 'ok' | 'denied' | 'error' = 'ok';
        let error: string | undefined;
        try {
          await v.write(`/sys/leases/revoke/${c.leaseId}`, {});
        } catch (e) {
          byAgent = e instanceof VaultApiError && e.status === 403 ? 'denied' : 'error';
          error = errText(e);
          // Still judge what revocation does to the database: revoke with the admin token.
          await admin.write(`/sys/leases/revoke/${c.leaseId}`, {}).catch((e2: unknown) => (error = errText(e2)));
        }
        let sessionAfter: 'open' | 'closed' | 'not-tested' = 'not-tested';
        if (open) {
          sessionAfter = await open.query('SELECT COUNT(*) FROM customers').then(
            () => 'open' as const,
            () => 'closed' as const,
          );
          open.destroy();
        }
        s.revoke = { userBefore, userAfter: await dbUserExists(conn, c.username), byAgent, sessionAfter, ...(error ? { error } : {}) };
      }
    } catch (e) {
      if (e instanceof VaultApiError && e.status === 403) s.access.ownCreds = 'denied';
      s.creds = { ok: false, error: errText(e) };
    } finally {
      await conn?.end().catch(() => undefined);
    }
  }
  if (session) {
    await session.close().catch(() => undefined);
    // Tidy: destroy the secret_id this check minted.
    if (session.secretIdAccessor) await admin.write(`/auth/approle/role/${AGENT}/secret-id-accessor/destroy`, { secret_id_accessor: session.secretIdAccessor }).catch(() => undefined);
  }
  const after = await Promise.all(auditFiles.map((f) => countIn(ctx, f, needle)));
  s.audit.recorded = after.some((n, i) => n > (before[i] ?? 0));
  s.access2 = await probeOther(ctx, admin, active.node);
  const device = s.audit.devices.find((d) => d.type === 'file' && d.file && auditFiles.includes(d.file));
  if (device) s.mcp = await mcpUse(ctx, admin, device.path, device.file!);
  return s;
}

/** agent-2 logs in with its own AppRole and tries agent-1's paths. */
async function probeOther(ctx: LabContext, admin: VaultClient, node: number): Promise<State['access2']> {
  try {
    const roleId = (await admin.read<{ data: { role_id: string } }>(`/auth/approle/role/${OTHER}/role-id`)).data.role_id;
    const sid = await admin.write<{ data: { secret_id: string; secret_id_accessor: string } }>(`/auth/approle/role/${OTHER}/secret-id`, {});
    registerSecret(sid.data.secret_id);
    const login = await admin.write<{ auth: { client_token: string } }>('/auth/approle/login', { role_id: roleId, secret_id: sid.data.secret_id });
    registerSecret(login.auth.client_token);
    const v = ctx.vault(node, login.auth.client_token);
    const r = { otherKv: await access(v, `/secret/data/agents/${AGENT}/config`), otherCreds: await access(v, `/database/creds/${AGENT}-role`) };
    await v.write('/auth/token/revoke-self', {}).catch(() => undefined);
    await admin.write(`/auth/approle/role/${OTHER}/secret-id-accessor/destroy`, { secret_id_accessor: sid.data.secret_id_accessor }).catch(() => undefined);
    return r;
  } catch {
    return undefined;
  }
}

interface AuditLine {
  type?: string;
  error?: string;
  auth?: { metadata?: Record<string, string> | null };
  request?: { path?: string };
  response?: { secret?: { lease_id?: string }; data?: { username?: string } };
}

export function parseAudit(text: string): AuditLine[] {
  const out: AuditLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as AuditLine);
    } catch {
      // a line being written while we read
    }
  }
  return out;
}

/** The MCP servers' own requests, told apart by the secret-id metadata Vault copies onto their tokens. */
export function mcpFromAudit(lines: AuditLine[], agent: string): { leases: Map<string, string>; revoked: Set<string> } {
  const leases = new Map<string, string>();
  const revoked = new Set<string>();
  const prefix = `sys/leases/revoke/database/creds/${agent}-role/`;
  for (const l of lines) {
    if (l.type !== 'response' || l.error || l.auth?.metadata?.[MCP_META] !== agent) continue;
    const p = l.request?.path ?? '';
    if (p === `database/creds/${agent}-role` && l.response?.secret?.lease_id && l.response.data?.username) leases.set(l.response.secret.lease_id, l.response.data.username);
    else if (p.startsWith(prefix)) revoked.add(p.slice('sys/leases/revoke/'.length));
  }
  return { leases, revoked };
}

async function mcpUse(ctx: LabContext, admin: VaultClient, devicePath: string, file: string): Promise<Record<string, McpUse>> {
  const text = await ctx.platform.readServerFile(file);
  if (text === undefined) return {};
  const lines: AuditLine[] = parseAudit(text);
  const conn = await adminDb(ctx);
  const users: string[] = [];
  if (conn) {
    const [rows] = await conn.query("SELECT DISTINCT User AS u FROM mysql.user WHERE User LIKE 'v-%'");
    for (const r of rows as { u: string }[]) users.push(r.u);
    await conn.end().catch(() => undefined);
  }
  // Usernames are HMAC'd in the audit log: hash the live ones with the device's own key to compare.
  const liveHashes = new Set<string>();
  for (const u of users) {
    const h = await admin.write<{ data?: { hash?: string }; hash?: string }>(`/sys/audit-hash/${devicePath.replace(/\/$/, '')}`, { input: u }).catch(() => undefined);
    const hash = h?.data?.hash ?? h?.hash;
    if (hash) liveHashes.add(hash);
  }
  const out: Record<string, McpUse> = {};
  for (const agent of [AGENT, OTHER]) {
    const { leases, revoked } = mcpFromAudit(lines, agent);
    let n = 0;
    let still = 0;
    for (const [lease, userHash] of leases) {
      if (!revoked.has(lease)) continue;
      n++;
      if (liveHashes.has(userHash)) still++;
    }
    out[agent] = { issued: leases.size, revoked: n, stillThere: still };
  }
  return out;
}

/** Refused by a privilege check: the login itself worked (ER_ACCESS_DENIED_ERROR would mean it did not). */
const PRIVILEGE_ERRORS = ['ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR'];
const denied = (q: QueryResult | undefined): boolean => q !== undefined && !q.ok && PRIVILEGE_ERRORS.includes(q.code);
const loginFailed = (s: State): boolean => s.db !== undefined && !s.db.selectDb1.ok && s.db.selectDb1.code === 'ER_ACCESS_DENIED_ERROR';
const cannotLogin = (s: State) =>
  fail(
    msg(`발급된 계정 ${s.creds.username}으로 MariaDB에 로그인할 수 없습니다.`, `the issued account ${s.creds.username} cannot log in to MariaDB.`),
    msg("creation_statements에 '{{name}}'과 '{{password}}'가 있어야 합니다: CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';", "creation_statements need '{{name}}' and '{{password}}': CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';"),
  );
const noCreds = (s: State) =>
  fail(
    msg(`agent-1로 DB 자격 증명을 받지 못했습니다: ${s.creds.error ?? s.login.error ?? '로그인 전 단계가 끝나지 않음'}`, `could not get DB credentials as agent-1: ${s.creds.error ?? s.login.error ?? 'the earlier steps are not done'}`),
    msg('database/config/mysql과 database/roles/agent-1-role을 만드세요 (npx lab hint mcp).', 'Create database/config/mysql and database/roles/agent-1-role (npx lab hint mcp).'),
  );

export const checks: Checker<State>['checks'] = [
  {
    id: 'approle-roles',
    title: msg('AppRole agent-1, agent-2: 토큰 10분, 최대 1시간, 각자의 정책, secret_id 1회·10분', 'AppRole agent-1 and agent-2: 10-minute tokens, 1 hour max, own policy, secret_id one use, 10 minutes'),
    hint: msg(
      '에이전트 둘이 role 하나를 나눠 쓰거나, token_ttl을 기본값(32일)으로 두거나, secret_id를 무제한·무기한(기본값 0)으로 두는 실수.',
      'Two agents sharing one role, token_ttl left at the 32-day default, or secret_ids left unlimited and never expiring (the default 0).',
    ),
    judge: (s) => {
      if (!s.vaultReady) return fail(msg('Vault가 준비되지 않았습니다.', 'Vault is not ready.'), msg("'npx lab start mcp'를 다시 실행하세요.", "Run 'npx lab start mcp' again."));
      for (const a of [AGENT, OTHER]) {
        const r = s.roles[a];
        if (!r) return fail(msg(`auth/approle/role/${a}가 없습니다.`, `auth/approle/role/${a} does not exist.`), undefined, [vaultLine('write', `auth/approle/role/${a}`, `token_policies=${a}-policy`, 'token_ttl=10m', 'token_max_ttl=1h', ...SECRET_ID_LIMITS.split(' '))]);
        if (r.tokenTtl !== 600 || r.tokenMaxTtl !== 3600)
          return fail(msg(`${a}의 token_ttl/token_max_ttl이 ${r.tokenTtl}s/${r.tokenMaxTtl}s입니다 (600/3600이어야 함).`, `${a} has token_ttl/token_max_ttl ${r.tokenTtl}s/${r.tokenMaxTtl}s (want 600/3600).`), undefined, [vaultLine('write', `auth/approle/role/${a}`, 'token_ttl=10m', 'token_max_ttl=1h')]);
        if (r.policies.join(',') !== `${a}-policy`)
          return fail(msg(`${a}의 정책이 [${r.policies.join(', ')}]입니다 (${a}-policy 하나여야 함).`, `${a} carries policies [${r.policies.join(', ')}] (want just ${a}-policy).`), undefined, [vaultLine('write', `auth/approle/role/${a}`, `token_policies=${a}-policy`)]);
        if (!secretIdLimited(r))
          return fail(
            msg(
              `${a}의 secret_id_num_uses=${r.secretIdNumUses ?? '?'}, secret_id_ttl=${r.secretIdTtl ?? '?'}s입니다: 0은 "무제한, 만료 없음"이라 새어 나간 secret_id가 언제까지나 로그인에 쓰입니다.`,
              `${a} has secret_id_num_uses=${r.secretIdNumUses ?? '?'}, secret_id_ttl=${r.secretIdTtl ?? '?'}s: 0 means "unlimited, never expires", so a leaked secret_id logs in forever.`,
            ),
            undefined,
            [vaultLine('write', `auth/approle/role/${a}`, ...SECRET_ID_LIMITS.split(' '))],
          );
      }
      return pass();
    },
  },
  {
    id: 'agent-login',
    title: msg('응답 래핑된 secret_id로 agent-1 로그인, 토큰 10분 이하', 'agent-1 logs in with a wrapped secret_id; token lives 10 minutes at most'),
    hint: msg('secret_id를 래핑 없이 넘기거나, role에 secret_id 제한(CIDR 등)을 잘못 걸어 로그인이 막히는 실수.', 'Handing the secret_id over unwrapped, or a secret_id restriction (CIDR…) that locks the agent out.'),
    judge: (s) => {
      if (!s.login.ok) return fail(msg(`agent-1 로그인 실패: ${s.login.error ?? 'role 없음'}`, `agent-1 login failed: ${s.login.error ?? 'no role'}`), msg('approle 단계를 끝내세요.', 'Finish the approle step.'));
      if (s.login.tokenTtl === undefined || s.login.tokenTtl > 600) return fail(msg(`agent-1 토큰 수명이 ${s.login.tokenTtl}s입니다.`, `agent-1's token lives ${s.login.tokenTtl}s.`), msg('token_ttl=10m으로 두세요.', 'Set token_ttl=10m.'));
      return pass();
    },
  },
  {
    id: 'least-privilege',
    title: msg('agent-1 토큰은 자기 경로만 읽음 (agent-2 경로 거부)', "agent-1's token reads only its own paths (agent-2's are denied)"),
    hint: msg('database/creds/*나 secret/data/agents/* 같은 와일드카드 정책.', 'Wildcard policies such as database/creds/* or secret/data/agents/*.'),
    judge: (s) => {
      if (!s.access) return fail(msg(`agent-1로 로그인하지 못해 권한을 시험할 수 없습니다${s.login.error ? `: ${s.login.error}` : ''}.`, `cannot test permissions without an agent-1 login${s.login.error ? `: ${s.login.error}` : ''}.`), msg('approle과 policies 단계를 끝내세요.', 'Finish the approle and policies steps.'));
      const a = s.access;
      if (a.otherKv !== 'denied') return fail(msg(`agent-1 토큰으로 secret/data/agents/agent-2/config를 읽을 수 있습니다 (${a.otherKv}).`, `agent-1's token can read secret/data/agents/agent-2/config (${a.otherKv}).`), msg('정책 경로를 secret/data/agents/agent-1/*로 좁히세요.', 'Narrow the policy path to secret/data/agents/agent-1/*.'));
      if (a.otherCreds !== 'denied') return fail(msg(`agent-1 토큰으로 database/creds/agent-2-role에 접근됩니다 (${a.otherCreds}).`, `agent-1's token reaches database/creds/agent-2-role (${a.otherCreds}).`), msg('database/creds/* 대신 database/creds/agent-1-role만 허용하세요.', 'Allow database/creds/agent-1-role, not database/creds/*.'));
      if (a.ownKv !== 'ok') return fail(msg(`agent-1이 자기 KV(secret/data/agents/agent-1/config)를 읽지 못합니다 (${a.ownKv}).`, `agent-1 cannot read its own KV secret/data/agents/agent-1/config (${a.ownKv}).`), msg('KV v2 경로에는 data/가 들어갑니다: path "secret/data/agents/agent-1/*".', 'KV v2 paths contain data/: path "secret/data/agents/agent-1/*".'));
      const b = s.access2;
      if (b && b.otherKv !== 'denied') return fail(msg(`agent-2 토큰으로 secret/data/agents/agent-1/config를 읽을 수 있습니다 (${b.otherKv}).`, `agent-2's token can read secret/data/agents/agent-1/config (${b.otherKv}).`), msg('agent-2-policy의 경로를 secret/data/agents/agent-2/*로 좁히세요.', "Narrow agent-2-policy's path to secret/data/agents/agent-2/*."));
      if (b && b.otherCreds !== 'denied') return fail(msg(`agent-2 토큰으로 database/creds/agent-1-role에 접근됩니다 (${b.otherCreds}).`, `agent-2's token reaches database/creds/agent-1-role (${b.otherCreds}).`), msg('agent-2-policy에는 database/creds/agent-2-role만 허용하세요.', 'Allow only database/creds/agent-2-role in agent-2-policy.'));
      if (a.ownCreds === 'denied') return fail(msg('agent-1이 database/creds/agent-1-role을 읽을 권한이 없습니다.', 'agent-1 may not read database/creds/agent-1-role.'), msg('agent-1-policy에 path "database/creds/agent-1-role" { capabilities = ["read"] }를 넣으세요.', 'Add path "database/creds/agent-1-role" { capabilities = ["read"] } to agent-1-policy.'));
      return pass();
    },
  },
  {
    id: 'db1-select',
    title: msg('agent-1의 임시 계정으로 db1 SELECT 성공', "agent-1's temporary account can SELECT in db1"),
    hint: msg("creation_statements에서 '{{name}}', '{{password}}'가 빠진 학습 노트 그대로의 문장.", "The seed's creation statement with '{{name}}' and '{{password}}' missing."),
    judge: (s) => {
      if (!s.creds.ok || !s.db) return noCreds(s);
      if (loginFailed(s)) return cannotLogin(s);
      return s.db.selectDb1.ok ? pass() : fail(msg(`db1 조회가 실패했습니다: ${s.db.selectDb1.message}`, `SELECT on db1 failed: ${s.db.selectDb1.message}`), msg('agent-1-role에 GRANT SELECT ON db1.*를 주세요.', 'Grant SELECT ON db1.* in agent-1-role.'));
    },
  },
  {
    id: 'db2-refused',
    title: msg('agent-1의 계정은 db2에 접근 거부', "agent-1's account is refused on db2"),
    hint: msg('GRANT ... ON *.*처럼 모든 데이터베이스에 권한을 주는 실수.', 'Granting on *.* (every database).'),
    judge: (s) => {
      if (!s.creds.ok || !s.db) return noCreds(s);
      if (loginFailed(s)) return cannotLogin(s);
      return denied(s.db.selectDb2) ? pass() : fail(msg(`agent-1 계정으로 db2를 읽을 수 있습니다${s.db.selectDb2.ok ? '' : ` (${s.db.selectDb2.message})`}.`, `agent-1's account can read db2${s.db.selectDb2.ok ? '' : ` (${s.db.selectDb2.message})`}.`), msg('creation_statements의 GRANT를 db1.*으로 한정하세요.', 'Limit the GRANT in creation_statements to db1.*.'));
    },
  },
  {
    id: 'insert-refused',
    title: msg('agent-1의 계정은 INSERT 거부 (읽기 전용)', "agent-1's account cannot INSERT (read-only)"),
    hint: msg('agent-1-role에 SELECT, INSERT나 ALL을 주는 실수.', 'Giving agent-1-role SELECT, INSERT or ALL.'),
    judge: (s) => {
      if (!s.creds.ok || !s.db) return noCreds(s);
      if (loginFailed(s)) return cannotLogin(s);
      return denied(s.db.insertDb1) ? pass() : fail(msg('agent-1 계정으로 db1에 INSERT가 됩니다.', "agent-1's account can INSERT into db1."), msg('agent-1-role은 GRANT SELECT ON db1.*만 주세요.', 'agent-1-role should only GRANT SELECT ON db1.*.'));
    },
  },
  {
    id: 'lease-ttl',
    title: msg('DB 자격 증명 lease가 10분 이하', 'DB credential lease of 10 minutes or less'),
    hint: msg('default_ttl을 주지 않아 시스템 기본(32일) lease가 붙는 실수.', 'No default_ttl, so the lease gets the 32-day system default.'),
    judge: (s) => {
      if (!s.creds.ok) return noCreds(s);
      const t = s.creds.leaseTtl ?? 0;
      return t > 0 && t <= 600 ? pass() : fail(msg(`lease가 ${t}초입니다 (600초 이하여야 함).`, `the lease lasts ${t}s (want at most 600).`), msg('role의 다른 값은 그대로 둡니다:', "The role's other fields keep their values:"), [vaultLine('write', `database/roles/${AGENT}-role`, 'default_ttl=10m', 'max_ttl=1h')]);
    },
  },
  {
    id: 'revoke-drops-user',
    title: msg('lease를 회수하면 MariaDB 사용자가 사라짐', 'Revoking the lease removes the MariaDB user'),
    hint: msg('revocation_statements를 엉뚱하게 써서 회수해도 계정이 남는 실수.', 'Custom revocation_statements that leave the account behind.'),
    judge: (s) => {
      if (!s.creds.ok) return noCreds(s);
      if (!s.revoke) return fail(msg('MariaDB 관리 계정으로 접속할 수 없어 확인하지 못했습니다.', 'could not connect with the MariaDB admin account to check.'), msg("'npx lab start mcp'로 MariaDB를 다시 띄우세요.", "Restart MariaDB with 'npx lab start mcp'."));
      if (!s.revoke.userBefore) return fail(msg(`발급된 사용자 ${s.creds.username}가 mysql.user에 없습니다.`, `the issued user ${s.creds.username} is not in mysql.user.`), msg('creation_statements가 CREATE USER를 하는지 보세요.', 'Check the creation_statements run CREATE USER.'));
      if (s.revoke.userAfter) return fail(msg(`lease 회수 뒤에도 ${s.creds.username}가 남아 있습니다${s.revoke.error ? ` (${s.revoke.error})` : ''}.`, `${s.creds.username} is still there after revoking the lease${s.revoke.error ? ` (${s.revoke.error})` : ''}.`), msg("revocation_statements를 KILL CONNECTION USER '{{name}}'; DROP USER '{{name}}'@'%'; 로 두세요.", "Make revocation_statements KILL CONNECTION USER '{{name}}'; DROP USER '{{name}}'@'%';."));
      return pass();
    },
  },
  {
    id: 'revoke-own-lease',
    title: msg('agent-1이 자기 토큰으로 자기 lease를 회수', "agent-1 revokes its own lease with its own token"),
    hint: msg('회수를 관리자 토큰으로만 하거나, 정책에 sys/leases/revoke를 통째로 열어 두는 실수.', 'Revoking only with the admin token, or opening all of sys/leases/revoke in the policy.'),
    judge: (s) => {
      if (!s.creds.ok) return noCreds(s);
      if (!s.revoke) return fail(msg('MariaDB 관리 계정으로 접속할 수 없어 확인하지 못했습니다.', 'could not connect with the MariaDB admin account to check.'), msg("'npx lab start mcp'로 MariaDB를 다시 띄우세요.", "Restart MariaDB with 'npx lab start mcp'."));
      if (s.revoke.byAgent === 'ok') return pass();
      return fail(
        msg(`agent-1 토큰으로 자기 lease를 회수하지 못했습니다${s.revoke.error ? ` (${s.revoke.error})` : ''}.`, `agent-1's token could not revoke its own lease${s.revoke.error ? ` (${s.revoke.error})` : ''}.`),
        msg('agent-1-policy에 path "sys/leases/revoke/database/creds/agent-1-role/*" { capabilities = ["update"] }를 넣으세요. 확인:', 'Add path "sys/leases/revoke/database/creds/agent-1-role/*" { capabilities = ["update"] } to agent-1-policy. To check:'),
        [vaultLine('policy', 'read', `${AGENT}-policy`)],
      );
    },
  },
  {
    id: 'revoke-ends-sessions',
    title: msg('회수하면 이미 열린 DB 세션도 끊김', 'Revoking also ends DB sessions that are already open'),
    hint: msg('DROP USER만 하는 기본 회수 문장: 새 로그인은 막히지만 열린 세션은 계속 읽습니다.', 'The default revocation (DROP USER only): new logins fail, open sessions keep reading.'),
    judge: (s) => {
      if (!s.creds.ok) return noCreds(s);
      if (!s.revoke || s.revoke.sessionAfter === 'not-tested') return fail(msg('발급된 계정으로 세션을 열지 못해 확인하지 못했습니다.', 'could not open a session with the issued account to check.'), msg('db1-select 점검부터 통과시키세요.', 'Make db1-select pass first.'));
      if (s.revoke.sessionAfter === 'closed') return pass();
      return fail(
        msg('lease를 회수한 뒤에도 미리 열어 둔 세션이 db1을 계속 읽습니다.', 'a session opened before the revoke keeps reading db1 afterwards.'),
        msg(`revocation_statements에서 사용자를 지우기 전에 세션을 끊으세요: ${"KILL CONNECTION USER '{{name}}'; DROP USER '{{name}}'@'%';"}`, `Make revocation_statements end the sessions before dropping the user: ${"KILL CONNECTION USER '{{name}}'; DROP USER '{{name}}'@'%';"}`),
      );
    },
  },
  {
    id: 'mcp-server-used',
    title: msg('agent-1, agent-2의 MCP 서버가 자격 증명을 받고 스스로 회수함 (감사 로그, MariaDB)', "agent-1's and agent-2's MCP servers got credentials and revoked them themselves (audit log, MariaDB)"),
    hint: msg('MCP 서버를 띄우기만 하고 revoke 도구를 부르지 않거나, 감사 장치를 켜기 전에 부른 경우.', 'Starting the server without calling its revoke tool, or calling it before the audit device was on.'),
    judge: (s) => {
      if (!s.audit.devices.some((d) => d.type === 'file')) return fail(msg('파일 감사 장치가 없어 MCP 서버의 요청을 볼 수 없습니다.', "there is no file audit device, so the MCP servers' requests cannot be seen."), msg('audit 단계를 먼저 끝내세요.', 'Finish the audit step first.'));
      for (const agent of [AGENT, OTHER]) {
        const u = s.mcp[agent];
        if (!u || u.issued === 0)
          return fail(
            msg(`감사 로그에 ${agent}의 MCP 서버가 받은 자격 증명이 없습니다.`, `the audit log shows no credentials issued to ${agent}'s MCP server.`),
            msg(`MCP 클라이언트에서 npx lab mcp serve --agent ${agent}를 띄우고 credentials 도구를 부르세요 (또는 npx lab mcp call --agent ${agent} credentials).`, `Start npx lab mcp serve --agent ${agent} from an MCP client and call its credentials tool (or npx lab mcp call --agent ${agent} credentials).`),
          );
        if (u.revoked === 0) return fail(msg(`${agent}의 MCP 서버가 자기 lease를 회수한 기록이 없습니다.`, `${agent}'s MCP server never revoked its own lease.`), msg('그 서버의 revoke 도구를 부르세요.', "Call that server's revoke tool."));
        if (u.stillThere > 0) return fail(msg(`${agent}의 MCP 서버가 회수한 사용자 ${u.stillThere}개가 아직 mysql.user에 있습니다.`, `${u.stillThere} user(s) revoked by ${agent}'s MCP server are still in mysql.user.`), msg('revocation_statements가 DROP USER를 하는지 보세요.', 'Check the revocation_statements DROP USER.'));
      }
      return pass();
    },
  },
  {
    id: 'audit-records',
    title: msg('감사 로그에 자격 증명 요청이 기록됨', 'The audit log records credential requests'),
    hint: msg('감사 장치를 켜지 않거나 file_path를 stdout/discard로 두는 실수.', 'No audit device, or file_path set to stdout/discard.'),
    judge: (s) => {
      const files = s.audit.devices.filter((d) => d.type === 'file');
      if (!files.length) return fail(msg('파일 감사 장치가 없습니다.', 'there is no file audit device.'), undefined, [vaultLine('audit', 'enable', 'file', 'file_path=$LAB_DIR/audit.log')]);
      if (!s.creds.ok) return noCreds(s);
      return s.audit.recorded ? pass() : fail(msg(`감사 로그(${files.map((f) => f.file).join(', ')})에 database/creds/agent-1-role 요청이 남지 않았습니다.`, `the audit log (${files.map((f) => f.file).join(', ')}) did not record the database/creds/agent-1-role request.`), msg('file_path가 읽을 수 있는 파일인지 확인하세요.', 'Check file_path points at a readable file.'));
    },
  },
];

export const checker = defineChecker<State>({ gather, checks });
