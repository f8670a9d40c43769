import crypto from 'node:crypto';
import type { Cmd, Guard, LabContext, Needs, TopicDef } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { envError } from '../src/engine/errors.ts';
import { poll } from '../src/engine/poll.ts';
import { registerSecret } from '../src/engine/redact.ts';
import { VaultApiError } from '../src/vault/client.ts';
import { KEYS_FILE, health, mountType, waitUntil } from './common.ts';

export { CANARY, SNAPSHOT, AUDIT_FILE, PROM_TOKEN_FILE, ADMIN_POLICY, PROMETHEUS_POLICY } from '../labs/production/data.ts';
import { CANARY, SNAPSHOT, AUDIT_FILE, PROM_TOKEN_FILE, ADMIN_POLICY, PROMETHEUS_POLICY } from '../labs/production/data.ts';
export { generateRootAttempt } from '../src/vault/generate-root.ts';
import { generateRootAttempt } from '../src/vault/generate-root.ts';

/** One Raft node behind TLS that unseals itself through the lab's transit Vault (the platform knows its address). */
export const productionNeeds: Needs = {
  vault: { nodes: 1, storage: 'raft', tls: { minVersion: 'tls12' }, performanceMultiplier: 1, apiAudit: true, telemetry: true, autoUnseal: 'transit' },
  transit: true,
};

const initCmd: Cmd = {
  kind: 'vault',
  args: ['operator', 'init', '-recovery-shares=1', '-recovery-threshold=1', '-format=json'],
  stdout: KEYS_FILE,
  keep: true,
  note: msg('자동 봉인 해제: unseal 키 대신 recovery 키가 나옵니다.', 'Auto-unseal: recovery keys instead of unseal keys.'),
};

/**
 * The active node's client. Setup waits for it (`waitMs`): a node that was active a moment ago may be between answers
 * (real kind, CI: leadership still settling after the transit unseal, or its forward restarting, and the step failed on
 * `undefined`). Guards and checks ask once.
 */
async function activeAdmin(ctx: LabContext, token?: string, waitMs = 0) {
  let a: Awaited<ReturnType<LabContext['activeVault']>>;
  // Each ask has its own request timeouts: never cut short (a single ask, waitMs 0, may take a forward's retry).
  await poll(async () => (a = await ctx.activeVault(token)) !== undefined, { timeoutMs: waitMs, everyMs: 500, probeTimesOut: true });
  if (!a) {
    throw envError(
      msg('active Vault 노드가 없습니다 (sealed 이거나 멈춤).', 'there is no active Vault node (sealed or stopped).'),
      msg("'npx lab run production'이 노드를 다시 띄우고 transit로 봉인을 자동으로 풉니다.", "'npx lab run production' starts the nodes again; they auto-unseal through transit."),
    );
  }
  return a.client;
}

async function setupCluster(ctx: LabContext): Promise<void> {
  await ctx.platform.up(ctx.topic.needs, ctx.report);
  await waitUntil(msg('Vault 응답', 'Vault to answer'), async () => (await health(ctx)) !== undefined, 30_000);
  if (!(await health(ctx))?.initialized) await ctx.exec(initCmd);
  await waitUntil(msg('transit으로 Vault가 스스로 봉인을 풀기', 'Vault to unseal itself through transit'), async () => (await ctx.activeVault()) !== undefined, 60_000);
  // The lab's own admin token, so the root token can be revoked in the last step without locking the lab out.
  if (!ctx.lab.readSecret('admin-token')?.trim()) {
    const root = ctx.lab.clusterKeys()?.root_token;
    if (!root) {
      throw envError(
        msg(`${ctx.lab.path('cluster-keys.json')}에 root 토큰이 없습니다.`, `${ctx.lab.path('cluster-keys.json')} has no root token.`),
        msg("init 출력 전체(-format=json)를 그 파일에 저장하세요. 잃어버렸다면 'npx lab reset production'으로 처음부터 만드세요.", "Save the whole init output (-format=json) in that file; if it is lost, start over with 'npx lab reset production'."),
      );
    }
    const c = await activeAdmin(ctx, root, 30_000);
    await c.write('/sys/policy/lab-admin', { policy: ADMIN_POLICY });
    const t = await c.write<{ auth: { client_token: string } }>('/auth/token/create-orphan', { policies: ['lab-admin'], ttl: '768h', display_name: 'lab-admin' });
    registerSecret(t.auth.client_token);
    ctx.lab.writeSecret('admin-token', `${t.auth.client_token}\n`);
  }
  const c = await activeAdmin(ctx, undefined, 30_000);
  // A lab made before the admin policy was scoped still has path "*": bring it to the scoped one.
  const current = await c.read<{ data?: { policy?: string; rules?: string } }>('/sys/policy/lab-admin').catch(() => undefined);
  if ((current?.data?.policy ?? current?.data?.rules) !== ADMIN_POLICY) await c.write('/sys/policy/lab-admin', { policy: ADMIN_POLICY });
  if ((await mountType(ctx, 'secret'))?.version !== '2') await c.write('/sys/mounts/secret', { type: 'kv', options: { version: '2' } });
  if (!ctx.lab.readSecret('operator.json')) {
    const password = crypto.randomBytes(15).toString('base64url');
    registerSecret(password);
    ctx.lab.writeSecret('operator.json', JSON.stringify({ username: 'operator', password }, null, 2) + '\n');
  }
  const op = ctx.lab.secretJson<{ password: string }>('operator.json');
  if (op && ctx.lab.readSecret('operator.password') !== op.password) ctx.lab.writeSecret('operator.password', op.password);
}

/** Guards (lab side only): a line whose effect is already there is skipped on a rerun (`enable` twice is an error). */
const fileAuditOn: Guard = async (ctx) => (await auditDevices(ctx)).some((d) => d.type === 'file');
const userpassOn: Guard = async (ctx) => Boolean((await (await activeAdmin(ctx)).auths())['userpass/']);
/** The initial root token is revoked already (a rerun): `token revoke -self` with it would be refused. */
const rootRevoked: Guard = async (ctx) => {
  const root = ctx.lab.clusterKeys()?.root_token;
  if (!root) return false;
  return ctx.vault(0, root).read('/auth/token/lookup-self').then(() => false, (e: unknown) => e instanceof VaultApiError && e.status === 403);
};
const noRootAttempt: Guard = async (ctx) => !(await generateRootAttempt(await activeAdmin(ctx))).started;

/** Active and serving: sys/health answers 200 only then (see the lesson's sys/health table); curl -f fails on 429/503. */
const healthProbe: Extract<Cmd, { kind: 'exec' }> = { kind: 'exec', file: 'curl', args: ['-sf', '--cacert', '$VAULT_CACERT', '$VAULT_ADDR/v1/sys/health'] };

const auditCmds: Cmd[] = [
  { kind: 'vault', args: ['audit', 'enable', 'file', `file_path=${AUDIT_FILE}`], unless: fileAuditOn },
  { kind: 'vault', args: ['audit', 'list', '-detailed'] },
];
const snapshotCmds: Cmd[] = [
  { kind: 'vault', args: ['kv', 'put', `secret/${CANARY.path}`, `value=${CANARY.original}`] },
  { kind: 'vault', args: ['operator', 'raft', 'snapshot', 'save', SNAPSHOT] },
  { kind: 'exec', file: 'ls', args: ['-l', SNAPSHOT] },
];
const restoreCmds: Cmd[] = [
  { kind: 'vault', args: ['kv', 'put', `secret/${CANARY.path}`, `value=${CANARY.changed}`], note: msg('스냅샷 뒤의 변경 (사고라고 생각하세요)', 'A change after the snapshot (think of it as the incident)') },
  { kind: 'vault', args: ['operator', 'raft', 'snapshot', 'restore', SNAPSHOT] },
  {
    kind: 'wait',
    probe: healthProbe,
    timeoutSec: 30,
    note: msg('복구하는 동안 노드가 잠시 활성 자리에서 물러납니다: 다시 활성(sys/health 200)이 될 때까지 기다립니다.', 'The restore briefly steps the node down: wait until it is active again (sys/health 200).'),
  },
  { kind: 'vault', args: ['kv', 'get', '-field=value', `secret/${CANARY.path}`] },
];
const restartCmds: Cmd[] = [
  { kind: 'vault', args: ['status'] },
  { kind: 'node', action: 'kill', node: 0 },
  { kind: 'node', action: 'start', node: 0 },
  {
    kind: 'wait',
    probe: healthProbe,
    timeoutSec: 60,
    note: msg('transit에서 root 키를 받아 스스로 봉인을 풀고 활성 노드가 될 때까지 기다립니다 (몇 초).', 'Wait while it fetches its root key from transit, unseals itself and becomes active (seconds).'),
  },
  { kind: 'vault', args: ['status'], note: msg('아무도 키를 넣지 않았는데 Sealed false여야 합니다.', 'Sealed must be false although nobody entered a key.') },
];
const ttlCmds: Cmd[] = [
  { kind: 'vault', args: ['auth', 'enable', 'userpass'], unless: userpassOn },
  { kind: 'vault', args: ['write', 'auth/userpass/users/operator', 'password=@$LAB_DIR/operator.password', 'token_policies=default'] },
  { kind: 'vault', args: ['auth', 'tune', '-default-lease-ttl=1h', '-max-lease-ttl=4h', 'userpass/'] },
  { kind: 'vault', args: ['auth', 'tune', '-default-lease-ttl=1h', '-max-lease-ttl=4h', 'token/'] },
  { kind: 'vault', args: ['write', '-format=json', 'auth/userpass/login/operator', 'password=@$LAB_DIR/operator.password'], stdout: '$LAB_DIR/operator-login.json' },
  { kind: 'exec', file: 'jq', args: ['.auth.lease_duration', '$LAB_DIR/operator-login.json'], note: msg('3600 이하여야 합니다.', 'Must be 3600 or less.') },
];
const metricsCmds: Cmd[] = [
  { kind: 'vault', args: ['policy', 'write', 'prometheus', '-'], stdin: PROMETHEUS_POLICY },
  { kind: 'vault', args: ['token', 'create', '-orphan', '-policy=prometheus', '-period=4h', '-format=json'], stdout: PROM_TOKEN_FILE, note: msg('Prometheus가 쓸 토큰 (0600 파일)', 'The token Prometheus will use (a 0600 file)') },
  { kind: 'set', name: 'PROM_TOKEN', file: PROM_TOKEN_FILE, jq: '.auth.client_token' },
  { kind: 'exec', file: 'curl', args: ['-sf', '--tlsv1.2', '--cacert', '$VAULT_CACERT', '-H', '@-', '$VAULT_ADDR/v1/sys/metrics?format=prometheus'], stdinLine: 'X-Vault-Token: $PROM_TOKEN', note: msg('토큰은 -H @-로 stdin에서 읽습니다: 명령줄 인자는 같은 머신의 누구나 ps로 봅니다.', 'The token header is read from stdin (-H @-): anyone on the machine can read argv with ps.') },
];
const revokeRootCmds: Cmd[] = [
  { kind: 'set', name: 'ROOT_TOKEN', file: KEYS_FILE, jq: '.root_token' },
  { kind: 'vault', args: ['token', 'revoke', '-self'], tokenVar: 'ROOT_TOKEN', unless: rootRevoked, note: msg('일상 관리는 정책이 붙은 관리자 토큰($LAB_DIR/admin-token)으로 합니다.', 'Day-to-day work uses the policy-bound admin token ($LAB_DIR/admin-token).') },
  {
    kind: 'vault',
    args: ['operator', 'generate-root', '-cancel'],
    unless: noRootAttempt,
    note: msg('끝나지 않은 이전 시도가 있으면 -init이 거부됩니다: 먼저 취소합니다 (시도가 없으면 아무 일도 하지 않습니다).', 'An unfinished earlier attempt makes -init fail: cancel it first (with none under way it does nothing).'),
  },
  { kind: 'vault', args: ['operator', 'generate-root', '-init', '-format=json'], stdout: '$LAB_DIR/generate-root.json', note: msg('비상(break glass): 새 root 토큰 만들기 시작, OTP와 nonce가 나옵니다.', 'Break glass: start a new root token; you get an OTP and a nonce.') },
  { kind: 'set', name: 'NONCE', file: '$LAB_DIR/generate-root.json', jq: '.nonce' },
  { kind: 'set', name: 'OTP', file: '$LAB_DIR/generate-root.json', jq: '.otp' },
  { kind: 'set', name: 'RECOVERY_KEY', file: KEYS_FILE, jq: '.recovery_keys_b64[0]' },
  { kind: 'vault', args: ['operator', 'generate-root', '-nonce=$NONCE', '-format=json', '-'], stdinVar: 'RECOVERY_KEY', stdout: '$LAB_DIR/generate-root.json', note: msg('키 보유자마다 자기 recovery 키를 제출합니다 (여기서는 임계값 1).', 'Each key holder submits a recovery key (threshold 1 here).') },
  { kind: 'set', name: 'ENCODED_TOKEN', file: '$LAB_DIR/generate-root.json', jq: '.encoded_token' },
  { kind: 'vault', args: ['operator', 'generate-root', '-decode=-', '-otp=$OTP', '-format=json'], stdinVar: 'ENCODED_TOKEN', stdout: '$LAB_DIR/new-root.json', note: msg('키, 인코딩된 토큰, 회수할 토큰은 stdin이나 VAULT_TOKEN으로: 명령줄 인자는 같은 머신의 누구나 ps로 봅니다.', 'Keys, the encoded token and tokens to revoke go on stdin or in VAULT_TOKEN: anyone on the machine can read argv with ps.') },
  { kind: 'set', name: 'NEW_ROOT_TOKEN', file: '$LAB_DIR/new-root.json', jq: '.token' },
  { kind: 'vault', args: ['token', 'revoke', '-self'], tokenVar: 'NEW_ROOT_TOKEN', note: msg('비상 작업이 끝나면 새 root도 바로 회수합니다.', 'When the emergency is over, revoke the new root too.') },
];

async function auditDevices(ctx: LabContext): Promise<{ type?: string }[]> {
  const c = await activeAdmin(ctx);
  return Object.values(await c.audits());
}

export const topic: TopicDef = {
  id: 'production',
  title: msg('운영 체크리스트 확인하기', 'Proving the production checklist'),
  summary: msg(
    '감사 로그, Raft 스냅샷 저장과 복구, transit 자동 봉인 해제, 토큰 TTL, Prometheus 지표, root 토큰 회수와 재생성을 한 대에서 직접 확인합니다.',
    'Prove on one machine: audit log, Raft snapshot save and restore, transit auto-unseal, token TTLs, Prometheus metrics, root token revocation and regeneration.',
  ),
  platforms: ['local', 'kind'],
  needs: productionNeeds,
  accounts: [
    { name: 'lab admin token', secret: 'admin-token', note: msg('root 대신 쓰는 관리자 토큰', 'The admin token used instead of root') },
    { name: 'userpass operator', secret: 'operator.password', note: msg('TTL 실습용 사용자', 'The user for the TTL step') },
  ],
  steps: [
    {
      id: 'cluster',
      kind: 'setup',
      title: msg('transit Vault와 본 클러스터 시작 (TLS, Raft, 자동 봉인 해제)', 'Start the transit Vault and the main cluster (TLS, Raft, auto-unseal)'),
      task: msg('랩이 transit 역할의 두 번째 Vault와 transit seal을 쓰는 본 Vault를 띄우고 초기화합니다.', 'The lab starts a second Vault as the transit seal, and the main Vault that uses it, and initialises it.'),
      solve: setupCluster,
    },
    {
      id: 'audit',
      kind: 'task',
      title: msg('파일 감사 장치 켜기', 'Enable a file audit device'),
      task: msg(
        '파일 감사 장치를 켜고 요청이 기록되는지 보세요. local에서는 $LAB_DIR/audit.log, kind에서는 Pod 안의 /vault/audit/audit.log (차트의 감사 볼륨)입니다.',
        'Enable a file audit device and watch requests land in it: $LAB_DIR/audit.log on local, /vault/audit/audit.log in the pod on kind (the chart\'s audit volume).',
      ),
      hint: msg('OpenBao는 설정에 unsafe_allow_api_audit_creation = true가 있어야 API로 켤 수 있습니다 (이 랩은 켜 두었습니다).', 'OpenBao allows enabling audit devices through the API only with unsafe_allow_api_audit_creation = true (this lab sets it).'),
      commands: auditCmds,
      done: async (ctx) => (await auditDevices(ctx)).some((d) => d.type === 'file'),
      checks: ['audit-device'],
    },
    {
      id: 'snapshot',
      kind: 'task',
      title: msg('Raft 스냅샷 저장', 'Save a Raft snapshot'),
      task: msg(`secret/${CANARY.path}에 value=${CANARY.original}를 쓰고, Raft 스냅샷을 $LAB_DIR/backup.snap으로 저장하세요.`, `Write value=${CANARY.original} to secret/${CANARY.path}, then save a Raft snapshot to $LAB_DIR/backup.snap.`),
      hint: msg('스냅샷은 Raft 스토리지에서만 됩니다. 파일 스토리지라면 파일 시스템 백업을 써야 합니다.', 'Snapshots need Raft storage; file storage needs a filesystem backup instead.'),
      commands: snapshotCmds,
      checks: ['snapshot-saved'],
    },
    {
      id: 'restore',
      kind: 'task',
      title: msg('바꾼 뒤 스냅샷으로 복구', 'Change the data, then restore the snapshot'),
      task: msg(`secret/${CANARY.path}를 ${CANARY.changed}로 바꾼 뒤 스냅샷을 복구하고, 원래 값(${CANARY.original})이 돌아왔는지 보세요.`, `Change secret/${CANARY.path} to ${CANARY.changed}, restore the snapshot, and see the original value (${CANARY.original}) come back.`),
      hint: msg('복구는 스냅샷 이후의 모든 변경을 덮어씁니다.', 'A restore overwrites every change made after the snapshot.'),
      commands: restoreCmds,
      checks: ['snapshot-restored'],
    },
    {
      id: 'transit-unseal',
      kind: 'task',
      title: msg('transit 자동 봉인 해제: 재시작 후 스스로 봉인 해제', 'Transit auto-unseal: unsealed by itself after a restart'),
      task: msg('vault status의 Seal Type이 transit인지 보고, 노드를 강제 종료한 뒤 다시 띄워 키 없이 봉인 해제되는지 확인하세요.', 'See Seal Type transit in vault status, then hard-kill the node, start it again and watch it unseal without keys.'),
      hint: msg(
        'transit Vault가 봉인되어 있거나 꺼져 있으면 본 서버는 기동하자마자 "Error configuring seal" 로그를 남기고 종료됩니다 (OpenBao 2.6에서 확인). 이미 돌고 있는 서버는 그대로 봉인 해제 상태를 유지합니다.',
        'If the transit Vault is sealed or down, the main server exits right at start-up with "Error configuring seal" in its log (seen on OpenBao 2.6). A server already running stays unsealed.',
      ),
      commands: restartCmds,
      checks: ['auto-unseal'],
    },
    {
      id: 'ttl',
      kind: 'task',
      title: msg('토큰 TTL: 기본 1시간, 최대 4시간', 'Token TTLs: 1 hour default, 4 hours max'),
      task: msg('userpass를 켜고 operator 사용자를 만든 뒤, userpass/와 token/ 마운트를 default 1h, max 4h로 조정하고 새로 로그인한 토큰의 TTL을 확인하세요.', 'Enable userpass and create the operator user, tune userpass/ and token/ to 1h default and 4h max, and check a fresh login token.'),
      hint: msg('조정하지 않으면 기본 32일(768h) 토큰이 발급됩니다.', 'Untuned, tokens live 32 days (768h).'),
      commands: ttlCmds,
      checks: ['token-ttl'],
    },
    {
      id: 'metrics',
      kind: 'task',
      title: msg('Prometheus 지표 수집 (TLS 1.2+)', 'Scrape Prometheus metrics (TLS 1.2+)'),
      task: msg('sys/metrics만 읽는 prometheus 정책과 토큰을 만들어 $LAB_DIR/prometheus-token.json에 두고, 그 토큰으로 TLS로 지표를 긁어 보세요.', 'Create a prometheus policy that reads only sys/metrics and a token for it in $LAB_DIR/prometheus-token.json, then scrape the metrics over TLS with it.'),
      hint: msg('지표 수집용 토큰에 관리자 정책을 붙이면, 그 토큰이 새는 순간 모든 시크릿이 샙니다.', 'Give the scrape token an admin policy and a leak of it leaks every secret.'),
      commands: metricsCmds,
      checks: ['metrics-scraped'],
    },
    {
      id: 'revoke-root',
      kind: 'task',
      title: msg('root 토큰 회수와 generate-root로 재생성', 'Revoke the root token; regenerate one with generate-root'),
      task: msg('초기 root 토큰을 회수하고, recovery 키로 generate-root 절차를 밟아 새 root를 만든 뒤 그것도 회수하세요.', 'Revoke the initial root token, run generate-root with the recovery key to get a new root, then revoke that one too.'),
      hint: msg('자동 봉인 해제 서버에서는 unseal 키가 아니라 recovery 키로 승인합니다.', 'On an auto-unseal server you authorise with recovery keys, not unseal keys.'),
      commands: revokeRootCmds,
      checks: ['root-revoked'],
    },
  ],
};
