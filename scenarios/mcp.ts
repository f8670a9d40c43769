import type { Cmd, Guard, LabContext, TopicDef } from '../src/engine/types.ts';
import { samePolicy } from '../src/vault/policy.ts';
import { msg } from '../src/engine/i18n.ts';
import { VaultApiError } from '../src/vault/client.ts';
import { KEYS_FILE, health, initCmd, mountType, unsealCmds, unsealKeyVars, waitUntil } from './common.ts';

export const AGENTS = ['agent-1', 'agent-2'] as const;
export type Agent = (typeof AGENTS)[number];
export const DB_GRANTS: Record<Agent, { db: string; privileges: string }> = {
  'agent-1': { db: 'db1', privileges: 'SELECT' },
  'agent-2': { db: 'db2', privileges: 'SELECT, INSERT' },
};
export const AUDIT_FILE = '$LAB_DIR/audit.log';

export const policyHcl = (agent: Agent): string => `path "secret/data/agents/${agent}/*" {
  capabilities = ["read"]
}
path "database/creds/${agent}-role" {
  capabilities = ["read"]
}
path "sys/leases/revoke/database/creds/${agent}-role/*" {
  capabilities = ["update"]
}
`;

export const creationStatements = (agent: Agent): string => {
  const g = DB_GRANTS[agent];
  return `CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT ${g.privileges} ON ${g.db}.* TO '{{name}}'@'%';`;
};

/** DROP USER alone leaves open sessions running (seen on MariaDB 10.11); KILL CONNECTION USER ends them first. */
export const REVOCATION_STATEMENTS = "KILL CONNECTION USER '{{name}}'; DROP USER '{{name}}'@'%';";

/** Guards (lab side only): `enable` on what is already there is an error, so a rerun skips that one line. */
const authEnabled = (mount: string): Guard => async (ctx) => Boolean((await (await ctx.activeVault())?.client.auths())?.[`${mount}/`]);
const secretsEnabled = (mount: string): Guard => async (ctx) => (await mountType(ctx, mount)) !== undefined;
const fileAuditOn: Guard = async (ctx) => Object.values((await (await ctx.activeVault())?.client.audits()) ?? {}).some((d) => d.type === 'file');

const approleEnableCmd: Cmd = { kind: 'vault', args: ['auth', 'enable', 'approle'], unless: authEnabled('approle') };
const databaseEnableCmd: Cmd = { kind: 'vault', args: ['secrets', 'enable', 'database'], unless: secretsEnabled('database') };

const roleCmd = (agent: Agent): Cmd => ({
  kind: 'vault',
  args: ['write', `auth/approle/role/${agent}`, `token_policies=${agent}-policy`, 'token_ttl=10m', 'token_max_ttl=1h', 'secret_id_num_uses=1', 'secret_id_ttl=10m'],
  note: msg(
    'secret_id는 로그인 한 번에만 쓰고(secret_id_num_uses=1) 10분 안에 써야 합니다(secret_id_ttl=10m). 기본값 0은 무제한·무기한입니다.',
    'A secret_id logs in once (secret_id_num_uses=1) within 10 minutes (secret_id_ttl=10m). The default 0 means unlimited and never expiring.',
  ),
});
const policyCmd = (agent: Agent): Cmd => ({ kind: 'vault', args: ['policy', 'write', `${agent}-policy`, '-'], stdin: policyHcl(agent) });
const dbRoleCmd = (agent: Agent): Cmd => ({
  kind: 'vault',
  args: ['write', `database/roles/${agent}-role`, 'db_name=mysql', `creation_statements=${creationStatements(agent)}`, `revocation_statements=${REVOCATION_STATEMENTS}`, 'default_ttl=10m', 'max_ttl=1h'],
});

const dbConfigCmds: Cmd[] = [
  {
    kind: 'vault',
    note: msg('비밀번호는 @파일로 넘겨 명령줄(ps)에 드러나지 않게 합니다 (랩이 만든 0600 파일).', "The password goes in as @file so it never shows on a command line (a 0600 file the lab made)."),
    args: [
      'write',
      'database/config/mysql',
      'plugin_name=mysql-database-plugin',
      'connection_url={{username}}:{{password}}@tcp(127.0.0.1:$MARIADB_PORT)/',
      'allowed_roles=agent-1-role,agent-2-role',
      'username=vaultadmin',
      'password=@$LAB_DIR/mariadb-admin.password',
    ],
  },
];

/** `lab env` exports VAULT_TOKEN alone (no BAO_TOKEN to outrank it): switching identity is one variable. */
const useToken = (file: string, jq: string, note?: ReturnType<typeof msg>): Cmd[] => [{ kind: 'set', name: 'VAULT_TOKEN', file, jq, ...(note ? { note } : {}) }];

/** One agent's life, as the learner types it: files are 0600 in the lab folder, tokens never echo. */
export const agentCmds: Cmd[] = [
  { kind: 'vault', args: ['read', '-format=json', 'auth/approle/role/agent-1/role-id'], stdout: '$LAB_DIR/agent-1-role-id.json' },
  {
    kind: 'vault',
    args: ['write', '-format=json', '-wrap-ttl=120s', '-f', 'auth/approle/role/agent-1/secret-id'],
    stdout: '$LAB_DIR/agent-1-wrapped.json',
    note: msg('배포 주체: secret_id를 응답 래핑(response wrapping)으로 받습니다 (일회용 래핑 토큰).', 'The deployer: get the secret_id response-wrapped (a single-use wrapping token).'),
  },
  { kind: 'set', name: 'WRAPPING_TOKEN', file: '$LAB_DIR/agent-1-wrapped.json', jq: '.wrap_info.token' },
  { kind: 'vault', args: ['unwrap', '-format=json'], tokenVar: 'WRAPPING_TOKEN', stdout: '$LAB_DIR/agent-1-secret-id.json', keep: true, note: msg('에이전트: 래핑을 한 번만 해제합니다 (인자 없는 unwrap은 VAULT_TOKEN의 래핑을 해제하므로 토큰이 명령줄에 남지 않음).', 'The agent: unwrap it, once (unwrap with no argument unwraps VAULT_TOKEN: the token stays off the command line).') },
  { kind: 'set', name: 'ROLE_ID', file: '$LAB_DIR/agent-1-role-id.json', jq: '.data.role_id' },
  { kind: 'set', name: 'SECRET_ID', file: '$LAB_DIR/agent-1-secret-id.json', jq: '.data.secret_id' },
  { kind: 'vault', args: ['write', '-format=json', 'auth/approle/login', 'role_id=$ROLE_ID', 'secret_id=-'], stdinVar: 'SECRET_ID', stdout: '$LAB_DIR/agent-1-login.json', note: msg('secret_id=-: 값은 stdin으로 (명령줄 인자는 같은 머신의 누구나 ps로 봅니다).', 'secret_id=-: the value goes on stdin (anyone on the machine can read argv with ps).') },
  ...useToken('$LAB_DIR/agent-1-login.json', '.auth.client_token', msg('이제부터 agent-1의 10분짜리 토큰으로 요청합니다.', "From here on, requests use agent-1's 10-minute token.")),
  { kind: 'vault', args: ['token', 'lookup'] },
  { kind: 'vault', args: ['read', '-format=json', 'database/creds/agent-1-role'], stdout: '$LAB_DIR/agent-1-creds.json' },
  { kind: 'set', name: 'DB_USER', file: '$LAB_DIR/agent-1-creds.json', jq: '.data.username' },
  { kind: 'set', name: 'MYSQL_PWD', file: '$LAB_DIR/agent-1-creds.json', jq: '.data.password', export: true, note: msg('mariadb 클라이언트는 MYSQL_PWD에서 비밀번호를 읽습니다 (명령줄에 남지 않음).', 'The mariadb client reads the password from MYSQL_PWD (never on the command line).') },
  { kind: 'exec', file: 'mariadb', args: ['--no-defaults', '-h', '127.0.0.1', '-P', '$MARIADB_PORT', '-u', '$DB_USER', '-e', 'SELECT * FROM db1.customers'] },
  { kind: 'exec', file: 'unset', args: ['MYSQL_PWD'], note: msg('조회가 끝났으니 DB 비밀번호를 셸에서 지웁니다.', 'The query is done: drop the DB password from the shell.') },
  { kind: 'set', name: 'LEASE_ID', file: '$LAB_DIR/agent-1-creds.json', jq: '.lease_id' },
  { kind: 'vault', args: ['lease', 'renew', '$LEASE_ID'], note: msg('갱신은 max_ttl(1h)을 넘지 못합니다.', 'Renewal cannot pass max_ttl (1h).') },
  {
    kind: 'vault',
    args: ['lease', 'revoke', '$LEASE_ID'],
    note: msg('agent-1이 자기 토큰으로 반납합니다 (정책의 sys/leases/revoke/database/creds/agent-1-role/* 덕분). MariaDB 사용자가 바로 사라집니다.', "agent-1 hands it back with its own token (its policy's sys/leases/revoke/database/creds/agent-1-role/*). The MariaDB user disappears at once."),
  },
  ...useToken(KEYS_FILE, '.root_token', msg('관리자 토큰으로 돌아옵니다 (다음 단계는 관리 작업입니다).', 'Back to the admin token (the next step is an admin task).')),
];

/** The learner's MCP session per agent: its own server (own AppRole), its tools, and the refusal on the other's data. */
const mcpCall = (agent: Agent, calls: string[], mayFail = false): Cmd => ({ kind: 'exec', file: 'npx', args: ['lab', 'mcp', 'call', '--agent', agent, ...calls], ...(mayFail ? { mayFail } : {}) });
export const mcpCmds: Cmd[] = [
  {
    ...mcpCall('agent-1', ['credentials', 'query=SELECT name FROM db1.customers', 'revoke', 'query=SELECT COUNT(*) AS n FROM db1.customers']),
    note: msg(
      'MCP 클라이언트가 agent-1의 서버(npx lab mcp serve --agent agent-1)를 띄우고 도구를 차례로 부릅니다. revoke 뒤의 query는 새 임시 계정으로 실행됩니다.',
      "An MCP client starts agent-1's server (npx lab mcp serve --agent agent-1) and calls its tools in turn. The query after revoke runs on fresh credentials.",
    ),
  },
  { ...mcpCall('agent-1', ['query=SELECT * FROM db2.orders'], true), note: msg('agent-1의 서버로 db2를 읽으면 MariaDB가 거부합니다 (종료 코드 1이 정상).', "Reading db2 through agent-1's server is refused by MariaDB (exit code 1 is the expected result).") },
  mcpCall('agent-2', ['credentials', 'query=INSERT INTO db2.orders (item) VALUES ("mcp")', 'revoke']),
  { ...mcpCall('agent-2', ['query=SELECT * FROM db1.customers'], true), note: msg('agent-2도 agent-1의 데이터에는 닿지 못합니다.', "agent-2 cannot reach agent-1's data either.") },
];

const auditCmds: Cmd[] = [
  { kind: 'vault', args: ['audit', 'enable', 'file', `file_path=${AUDIT_FILE}`], unless: fileAuditOn },
  { kind: 'vault', args: ['audit', 'list', '-detailed'] },
];

async function admin(ctx: LabContext) {
  return (await ctx.activeVault())?.client;
}

async function readOr<T>(ctx: LabContext, path: string): Promise<T | undefined> {
  const c = await admin(ctx);
  if (!c) return undefined;
  try {
    return await c.read<T>(path);
  } catch (e) {
    if (e instanceof VaultApiError && (e.status === 404 || e.status === 400)) return undefined;
    throw e;
  }
}

/** Shamir with one key: the mcp topic is about agents, not unsealing, so the lab does it. */
export async function ensureVaultReady(ctx: LabContext, init: Cmd = initCmd(1, 1)): Promise<void> {
  await waitUntil('vault answers', async () => (await health(ctx)) !== undefined, 30_000);
  if (!(await health(ctx))?.initialized) await ctx.exec(init);
  if ((await health(ctx))?.sealed) for (const c of [...unsealKeyVars(1), ...unsealCmds(1)]) await ctx.exec(c);
  await waitUntil('an active vault', async () => (await ctx.activeVault()) !== undefined, 60_000);
}

async function setupDatabase(ctx: LabContext): Promise<void> {
  await ctx.platform.up(ctx.topic.needs, ctx.report);
  await ensureVaultReady(ctx);
  const c = (await admin(ctx))!;
  if ((await mountType(ctx, 'secret'))?.version !== '2') await c.write('/sys/mounts/secret', { type: 'kv', options: { version: '2' } });
  for (const a of AGENTS) {
    if (!(await c.kvGet('secret', `agents/${a}/config`).catch(() => undefined))) {
      await waitUntil('kv v2 ready', async () => {
        await c.write(`/secret/data/agents/${a}/config`, { data: { model: 'demo', owner: a } });
        return true;
      }, 15_000, 250);
    }
  }
}

export const topic: TopicDef = {
  id: 'mcp',
  title: msg('MCP 서버와 Vault: 에이전트별 신원과 동적 DB 자격 증명', 'MCP servers and Vault: per-agent identity and dynamic DB credentials'),
  summary: msg(
    'AI 에이전트마다 AppRole 신원과 최소 권한 정책을 주고, MariaDB 자격 증명을 요청마다 10분짜리로 만들어 쓰며, 모든 접근을 감사 로그에 남깁니다.',
    'Give each AI agent its own AppRole identity and least-privilege policy, hand out 10-minute MariaDB credentials per request, and audit every access.',
  ),
  platforms: ['local', 'kind'],
  needs: { vault: { nodes: 1, storage: 'raft', tls: false, apiAudit: true, performanceMultiplier: 1 }, mariadb: true },
  accounts: [{ name: 'MariaDB vaultadmin', secret: 'mariadb-admin.password', note: msg('Vault가 임시 사용자를 만들 때 쓰는 관리 계정', 'The admin account Vault uses to create temporary users') }],
  steps: [
    {
      id: 'database',
      kind: 'setup',
      title: msg('MariaDB(db1, db2)와 Vault 준비', 'Prepare MariaDB (db1, db2) and Vault'),
      task: msg('랩이 MariaDB와 Vault를 띄우고, db1/db2와 Vault 용 관리 계정을 만듭니다.', 'The lab starts MariaDB and Vault and creates db1, db2 and an admin account for Vault.'),
      solve: setupDatabase,
    },
    {
      id: 'approle',
      kind: 'task',
      title: msg('AppRole: agent-1, agent-2 (토큰 10분, 최대 1시간)', 'AppRole: agent-1 and agent-2 (10-minute tokens, 1 hour max)'),
      task: msg(
        'approle 인증을 켜고 agent-1, agent-2 role을 token_ttl=10m, token_max_ttl=1h, 정책 agent-N-policy, secret_id_num_uses=1, secret_id_ttl=10m으로 만드세요.',
        'Enable approle auth and create roles agent-1 and agent-2 with token_ttl=10m, token_max_ttl=1h, policy agent-N-policy, secret_id_num_uses=1 and secret_id_ttl=10m.',
      ),
      hint: msg('에이전트마다 role을 따로 만들어야 누가 무엇을 했는지 구분됩니다.', 'One role per agent, so you can tell who did what.'),
      commands: [approleEnableCmd, roleCmd('agent-1'), roleCmd('agent-2')],
      done: async (ctx) => {
        for (const a of AGENTS) {
          const r = await readOr<{ data?: { token_ttl?: number; token_max_ttl?: number; secret_id_ttl?: number; secret_id_num_uses?: number } }>(ctx, `/auth/approle/role/${a}`);
          if (r?.data?.token_ttl !== 600 || r.data.token_max_ttl !== 3600) return false;
          if (r.data.secret_id_num_uses !== 1 || r.data.secret_id_ttl !== 600) return false;
        }
        return true;
      },
      checks: ['approle-roles'],
    },
    {
      id: 'policies',
      kind: 'task',
      title: msg('최소 권한 정책 agent-1-policy, agent-2-policy', 'Least-privilege policies agent-1-policy and agent-2-policy'),
      task: msg('각 에이전트가 자기 KV 경로(secret/data/agents/agent-N/*)와 자기 DB role의 creds만 읽을 수 있게 정책을 쓰세요.', "Write policies so each agent reads only its own KV path (secret/data/agents/agent-N/*) and its own DB role's creds."),
      hint: msg('database/creds/* 같은 와일드카드는 다른 에이전트의 자격 증명까지 엽니다.', "A wildcard like database/creds/* opens the other agent's credentials too."),
      commands: [policyCmd('agent-1'), policyCmd('agent-2')],
      // Done when both grant exactly what the step writes: a widened path (secret/data/agents/*) is written again.
      // /sys/policy/<name> answers with `rules`; /sys/policies/acl/<name> with `policy`.
      done: async (ctx) => {
        for (const agent of ['agent-1', 'agent-2'] as const) {
          if (!samePolicy((await readOr<{ data?: { policy?: string } }>(ctx, `/sys/policies/acl/${agent}-policy`))?.data?.policy, policyHcl(agent))) return false;
        }
        return true;
      },
      checks: ['least-privilege'],
    },
    {
      id: 'db-engine',
      kind: 'task',
      title: msg('database 엔진과 MariaDB 연결', 'The database engine and its MariaDB connection'),
      task: msg('database 시크릿 엔진을 켜고, mysql-database-plugin으로 MariaDB에 연결하는 database/config/mysql을 만드세요.', 'Enable the database secrets engine and create database/config/mysql with mysql-database-plugin pointing at MariaDB.'),
      hint: msg('allowed_roles에 agent-1-role, agent-2-role을 넣지 않으면 자격 증명 요청이 거부됩니다.', 'Leave agent-1-role and agent-2-role out of allowed_roles and credential requests are refused.'),
      commands: [databaseEnableCmd, ...dbConfigCmds],
      done: async (ctx) => (await readOr<{ data?: { plugin_name?: string } }>(ctx, '/database/config/mysql'))?.data?.plugin_name === 'mysql-database-plugin',
      checks: ['db1-select'],
    },
    {
      id: 'db-roles',
      kind: 'task',
      title: msg('DB role: agent-1-role(db1 읽기), agent-2-role(db2 읽기·쓰기)', 'DB roles: agent-1-role (read db1), agent-2-role (read and write db2)'),
      task: msg("creation_statements에 '{{name}}'과 '{{password}}'를 넣어 두 role을 default_ttl=10m, max_ttl=1h로 만드세요.", "Create both roles with '{{name}}' and '{{password}}' in creation_statements, default_ttl=10m and max_ttl=1h."),
      hint: msg("학습 노트에 인쇄된 CREATE USER ''@'%' IDENTIFIED BY ''는 템플릿이 지워진 것입니다.", "The seed's printed CREATE USER ''@'%' IDENTIFIED BY '' lost its templates."),
      commands: [dbRoleCmd('agent-1'), dbRoleCmd('agent-2')],
      done: async (ctx) => {
        for (const a of AGENTS) {
          const r = await readOr<{ data?: { default_ttl?: number; creation_statements?: string[] } }>(ctx, `/database/roles/${a}-role`);
          if (r?.data?.default_ttl !== 600 || !r.data.creation_statements?.join(' ').includes('{{name}}')) return false;
        }
        return true;
      },
      checks: ['db1-select', 'db2-refused', 'insert-refused', 'lease-ttl', 'revoke-drops-user'],
    },
    {
      id: 'agent',
      kind: 'task',
      title: msg('에이전트처럼: 응답 래핑된 secret_id, 로그인, 동적 자격 증명', 'Act as the agent: wrapped secret_id, login, dynamic credentials'),
      task: msg(
        'secret_id를 응답 래핑으로 받아 래핑을 해제하고, agent-1로 로그인해 database/creds/agent-1-role을 읽은 뒤, 그 계정으로 db1을 조회하고 lease를 갱신·회수하세요.',
        'Get a response-wrapped secret_id and unwrap it, log in as agent-1, read database/creds/agent-1-role, query db1 with it, then renew and revoke the lease.',
      ),
      hint: msg('래핑 토큰은 한 번만 해제됩니다. 이미 사용됐다는 오류는 가로채기 신호입니다.', 'A wrapping token unwraps once; "already used" means someone else got there first.'),
      commands: agentCmds,
      checks: ['agent-login', 'least-privilege', 'db1-select'],
    },
    {
      id: 'audit',
      kind: 'task',
      title: msg('파일 감사 장치', 'A file audit device'),
      task: msg(
        '파일 감사 장치를 켜고 자격 증명 요청이 기록되는지 보세요. local에서는 $LAB_DIR/audit.log, kind에서는 Pod 안의 /vault/audit/audit.log (차트의 감사 볼륨)입니다.',
        'Enable a file audit device and see credential requests land in it: $LAB_DIR/audit.log on local, /vault/audit/audit.log in the pod on kind (the chart\'s audit volume).',
      ),
      hint: msg('OpenBao는 설정에 unsafe_allow_api_audit_creation = true가 있어야 API로 감사 장치를 켤 수 있습니다 (이 랩은 켜 두었습니다).', 'OpenBao enables audit devices through the API only with unsafe_allow_api_audit_creation = true in its config (this lab sets it).'),
      commands: auditCmds,
      checks: ['audit-records'],
    },
    {
      id: 'mcp-server',
      kind: 'task',
      title: msg('MCP 서버를 MCP 클라이언트로 띄우고 도구 부르기 (agent-1, agent-2)', 'Start the MCP server from an MCP client and call its tools (agent-1, agent-2)'),
      task: msg(
        'MCP 클라이언트에서 npx lab mcp serve --agent agent-1을 띄워 credentials, query, revoke 도구를 부르고, agent-2도 자기 서버로 똑같이 하세요.',
        'From an MCP client, start npx lab mcp serve --agent agent-1 and call its credentials, query and revoke tools; do the same for agent-2 with its own server.',
      ),
      hint: msg(
        '점검은 클라이언트의 말이 아니라 감사 로그(mcp_server 메타데이터가 붙은 요청)와 MariaDB(회수된 사용자)를 봅니다. 감사 장치를 먼저 켜세요.',
        "The check reads the audit log (requests carrying the mcp_server metadata) and MariaDB (the revoked user), not the client's word. Enable the audit device first.",
      ),
      commands: mcpCmds,
      checks: ['mcp-server-used'],
    },
  ],
};

export { KEYS_FILE };
