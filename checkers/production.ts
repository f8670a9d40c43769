/**
 * The production checklist, each item judged by what the servers do: the audit log grows and hides secrets,
 * a restore really reverted a write the audit log saw, the node restarted and unsealed with no key, fresh
 * logins get short tokens, a least-privilege token scrapes metrics over TLS 1.2+, the root token is dead.
 */
import fs from 'node:fs';
import type { Checker, LabContext } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { vaultLine } from './common.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { VaultApiError, type VaultClient } from '../src/vault/client.ts';
import { handshake, type Handshake } from '../src/tls/probe.ts';
import { registerSecret } from '../src/engine/redact.ts';
import { CANARY } from '../labs/production/data.ts';
import { generateRootAttempt } from '../src/vault/generate-root.ts';
import { dropRetry, httpGet } from '../src/vault/http.ts';

export interface State {
  ready: boolean;
  audit: { devices: { path: string; type: string; file?: string }[]; grew: boolean; tokenInClear: boolean };
  snapshot: { exists: boolean; size: number; gzip: boolean };
  restore: { value: unknown; changedSeen: boolean };
  seal: { type?: string; sealed?: boolean; recoveryKeys: boolean; unsealKeys: boolean; restartedAfterInit: boolean };
  ttl: { mounts: Record<string, { defaultTtl: number; maxTtl: number }>; loginTtl?: number; renewedTtl?: number; loginError?: string };
  metrics: { tokenFile: boolean; lookupError?: string; policies?: string[]; secretCaps?: string[]; scrape?: { status: number; unsealed?: number; samples: number; error?: string }; tls11?: Handshake; tls12?: Handshake };
  root: {
    rootAlive: boolean;
    adminOk: boolean;
    adminIsRoot: boolean;
    attemptInProgress: boolean;
    /** Probe paths outside the admin's work where the admin token still has a capability (path "*" shows here). */
    adminWide: string[];
  };
}

const SYSTEM_MAX = 768 * 3600;

/** Prometheus text format: `name{labels} value`, comments skipped. */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && !out.has(m[1]!)) out.set(m[1]!, Number(m[3]));
  }
  return out;
}

/** The audit log where the server writes it (a pod's volume on kind). */
const read = async (ctx: LabContext, f: string): Promise<string> => (await ctx.platform.readServerFile(f)) ?? '';

async function tokenAlive(c: VaultClient): Promise<boolean> {
  try {
    await c.read('/auth/token/lookup-self');
    return true;
  } catch (e) {
    if (e instanceof VaultApiError && e.status === 403) return false;
    throw e;
  }
}

export async function gather(ctx: LabContext): Promise<State> {
  const s: State = {
    ready: false,
    audit: { devices: [], grew: false, tokenInClear: false },
    snapshot: { exists: false, size: 0, gzip: false },
    restore: { value: undefined, changedSeen: false },
    seal: { recoveryKeys: false, unsealKeys: false, restartedAfterInit: false },
    ttl: { mounts: {} },
    metrics: { tokenFile: false },
    root: { rootAlive: true, adminOk: false, adminIsRoot: false, attemptInProgress: false, adminWide: [] },
  };
  const snap = ctx.lab.path('backup.snap');
  if (fs.existsSync(snap)) {
    const buf = fs.readFileSync(snap);
    s.snapshot = { exists: true, size: buf.length, gzip: buf[0] === 0x1f && buf[1] === 0x8b };
  }
  const keys = ctx.lab.clusterKeys();
  s.seal.recoveryKeys = (keys?.recovery_keys_b64?.length ?? 0) > 0;
  s.seal.unsealKeys = (keys?.unseal_keys_b64?.length ?? 0) > 0;
  const node = ctx.platform.vaultNodes()[0]!;
  const started = await ctx.platform.nodeStartedAt(0);
  const keysFile = ctx.lab.path('cluster-keys.json');
  if (started && fs.existsSync(keysFile)) s.seal.restartedAfterInit = started.getTime() > fs.statSync(keysFile).mtimeMs;
  const seal = await ctx.vault(0, null).sealStatus().catch(() => undefined);
  if (seal) s.seal = { ...s.seal, ...(seal.type ? { type: seal.type } : {}), sealed: seal.sealed };

  const u = new URL(node.addr);
  const hsOpts = { ...(node.caFile ? { caFile: node.caFile } : {}), ...dropRetry(node) };
  s.metrics.tls11 = await handshake(u.hostname, Number(u.port), 'TLSv1.1', hsOpts);
  s.metrics.tls12 = await handshake(u.hostname, Number(u.port), 'TLSv1.2', hsOpts);

  const active = await ctx.activeVault();
  const adminToken = ctx.lab.adminToken();
  if (!active || !adminToken) return s;
  const admin = active.client;
  try {
    const self = await admin.read<{ data?: { policies?: string[] } }>('/auth/token/lookup-self');
    s.ready = true;
    s.root.adminOk = true;
    s.root.adminIsRoot = (self.data?.policies ?? []).includes('root');
  } catch {
    return s;
  }
  const caps = await admin.write<{ data?: Record<string, string[]> } & Record<string, unknown>>('/sys/capabilities-self', { paths: ADMIN_PROBES }).catch(() => undefined);
  const capsOf = (p: string): string[] => ((caps?.data ?? caps) as Record<string, string[] | undefined> | undefined)?.[p] ?? ['deny'];
  s.root.adminWide = ADMIN_PROBES.filter((p) => capsOf(p).some((c) => c !== 'deny'));
  const root = keys?.root_token;
  s.root.rootAlive = root ? await tokenAlive(ctx.vault(active.node, root)).catch(() => true) : false;
  s.root.attemptInProgress = (await generateRootAttempt(admin).catch(() => ({ started: false }))).started;

  // Audit: the device list, and whether a request made now shows up (without the token in clear).
  s.audit.devices = Object.entries(await admin.audits().catch(() => ({}))).map(([path, d]) => ({ path, type: d.type, ...(d.options?.file_path ? { file: d.options.file_path } : {}) }));
  const fileDev = s.audit.devices.find((d) => d.type === 'file' && d.file && d.file !== 'stdout' && d.file !== 'discard');
  if (fileDev?.file) {
    const before = (await read(ctx, fileDev.file)).length;
    await admin.read('/auth/token/lookup-self');
    const text = await read(ctx, fileDev.file);
    s.audit.grew = text.length > before;
    s.audit.tokenInClear = text.includes(adminToken);
    const hash = await admin.write<{ data?: { hash?: string }; hash?: string }>(`/sys/audit-hash/${fileDev.path.replace(/\/$/, '')}`, { input: CANARY.changed }).catch(() => undefined);
    const h = hash?.data?.hash ?? hash?.hash;
    if (h) s.restore.changedSeen = text.split('\n').some((l) => l.includes(`"secret/data/${CANARY.path}"`) && l.includes(h));
  }
  s.restore.value = (await admin.kvGet('secret', CANARY.path).catch(() => undefined))?.data.value;

  // TTLs on every auth mount in use, and a fresh login as the operator.
  for (const [path, m] of Object.entries(await admin.auths().catch(() => ({})))) {
    const c = m.config as { default_lease_ttl?: number; max_lease_ttl?: number } | undefined;
    if (!c) continue;
    s.ttl.mounts[path] = { defaultTtl: c.default_lease_ttl || SYSTEM_MAX, maxTtl: c.max_lease_ttl || SYSTEM_MAX };
  }
  const op = ctx.lab.secretJson<{ username: string; password: string }>('operator.json');
  if (op && s.ttl.mounts['userpass/']) {
    registerSecret(op.password);
    try {
      const r = await ctx.vault(active.node, null).write<{ auth: { client_token: string; lease_duration: number } }>(`/auth/userpass/login/${op.username}`, { password: op.password });
      registerSecret(r.auth.client_token);
      s.ttl.loginTtl = r.auth.lease_duration;
      const user = ctx.vault(active.node, r.auth.client_token);
      const renewed = await user.write<{ auth?: { lease_duration?: number } }>('/auth/token/renew-self', { increment: '100h' }).catch(() => undefined);
      if (renewed?.auth?.lease_duration !== undefined) s.ttl.renewedTtl = renewed.auth.lease_duration;
      await user.write('/auth/token/revoke-self', {}).catch(() => undefined);
    } catch (e) {
      s.ttl.loginError = e instanceof Error ? e.message : String(e);
    }
  }

  // Metrics with the scrape token, over verified TLS 1.2+.
  const prom = ctx.lab.secretJson<{ auth?: { client_token?: string } }>('prometheus-token.json')?.auth?.client_token;
  if (prom) {
    registerSecret(prom);
    s.metrics.tokenFile = true;
    const look = await admin.write<{ data?: { policies?: string[] } }>('/auth/token/lookup', { token: prom }).catch((e: unknown) => {
      s.metrics.lookupError = e instanceof Error ? e.message : String(e);
      return undefined;
    });
    s.metrics.policies = look?.data?.policies ?? [];
    const caps = await admin.write<{ data?: Record<string, string[]> } & Record<string, unknown>>('/sys/capabilities', { token: prom, paths: [`secret/data/${CANARY.path}`] }).catch(() => undefined);
    s.metrics.secretCaps = (caps?.data?.[`secret/data/${CANARY.path}`] ?? (caps as Record<string, string[]> | undefined)?.[`secret/data/${CANARY.path}`]) ?? [];
    try {
      const r = await httpGet(`${node.addr}/v1/sys/metrics?format=prometheus`, { token: prom, caFile: node.caFile, minVersion: 'TLSv1.2', ...dropRetry(node) });
      const m = parsePrometheus(r.body);
      const unsealed = m.get('vault_core_unsealed');
      s.metrics.scrape = { status: r.status, samples: m.size, ...(unsealed !== undefined ? { unsealed } : {}) };
    } catch (e) {
      s.metrics.scrape = { status: 0, samples: 0, error: e instanceof Error ? e.message : String(e) };
    }
  }
  return s;
}

/** Paths no admin task of this topic touches: a scoped admin policy denies them all. */
export const ADMIN_PROBES = ['sys/raw/core', 'secret/data/other-team/db', 'auth/token/create/any-role', 'lab-probe/outside-scope'];

const notReady = () => fail(msg('활성 노드나 관리자 토큰이 없습니다.', 'no active node or admin token.'), msg("'npx lab start production'을 다시 실행하세요.", "Run 'npx lab start production' again."));
const H4 = 4 * 3600;

export const checks: Checker<State>['checks'] = [
  {
    id: 'audit-device',
    title: msg('파일 감사 장치가 요청을 기록하고 토큰은 해시로만 남김', 'A file audit device records requests, tokens only as hashes'),
    hint: msg('감사 장치 없이 운영하거나, log_raw=true로 비밀을 원문 그대로 남기는 실수.', 'Running without an audit device, or log_raw=true writing secrets in clear.'),
    judge: (s) => {
      if (!s.ready) return notReady();
      if (!s.audit.devices.some((d) => d.type === 'file')) return fail(msg('파일 감사 장치가 없습니다.', 'there is no file audit device.'), undefined, [vaultLine('audit', 'enable', 'file', 'file_path=$LAB_DIR/audit.log')]);
      if (!s.audit.grew) return fail(msg('요청을 보냈는데 감사 로그가 늘지 않았습니다.', 'a request did not add to the audit log.'), msg('file_path가 파일을 가리키는지 보세요 (stdout, discard가 아니라).', 'Check file_path names a file (not stdout or discard).'));
      if (s.audit.tokenInClear) return fail(msg('감사 로그에 토큰이 원문으로 남았습니다.', 'the audit log holds a token in clear.'), msg('log_raw를 끄고(기본값) 장치를 다시 켜세요.', 'Turn log_raw off (the default) and re-enable the device.'));
      return pass();
    },
  },
  {
    id: 'snapshot-saved',
    title: msg('Raft 스냅샷 파일이 있음', 'A Raft snapshot file exists'),
    hint: msg('스냅샷을 다른 경로에 저장했거나 빈 파일이 남은 경우.', 'The snapshot went elsewhere, or an empty file was left.'),
    judge: (s) => {
      if (!s.snapshot.exists) return fail(msg('$LAB_DIR/backup.snap이 없습니다.', '$LAB_DIR/backup.snap does not exist.'), undefined, [vaultLine('operator', 'raft', 'snapshot', 'save', '$LAB_DIR/backup.snap')]);
      if (s.snapshot.size === 0 || !s.snapshot.gzip) return fail(msg('backup.snap이 비었거나 스냅샷 형식(gzip)이 아닙니다.', 'backup.snap is empty or not a snapshot (gzip).'), msg('스냅샷을 다시 저장하세요.', 'Save the snapshot again.'));
      return pass();
    },
  },
  {
    id: 'snapshot-restored',
    title: msg('복구로 스냅샷 뒤의 변경이 되돌려짐', 'A restore reverted the change made after the snapshot'),
    hint: msg('스냅샷만 뜨고 복구는 시험하지 않는 실수.', 'Taking snapshots without ever testing a restore.'),
    judge: (s) => {
      if (!s.ready) return notReady();
      if (!s.restore.changedSeen)
        return fail(msg(`감사 로그에 secret/${CANARY.path}를 ${CANARY.changed}로 바꾼 기록이 없습니다.`, `the audit log has no write of ${CANARY.changed} to secret/${CANARY.path}.`), msg('감사 장치를 켠 뒤 스냅샷을 뜨고, 값을 바꾸고, 복구하세요.', 'With the audit device on: snapshot, change the value, restore.'));
      if (s.restore.value !== CANARY.original)
        return fail(msg(`secret/${CANARY.path}가 ${String(s.restore.value)}입니다 (복구 후 ${CANARY.original}이어야 함).`, `secret/${CANARY.path} is ${String(s.restore.value)} (want ${CANARY.original} after the restore).`), undefined, [vaultLine('operator', 'raft', 'snapshot', 'restore', '$LAB_DIR/backup.snap')]);
      return pass();
    },
  },
  {
    id: 'auto-unseal',
    title: msg('transit 자동 봉인 해제: 재시작 후 키 없이 봉인 해제', 'Transit auto-unseal: unsealed without keys after a restart'),
    hint: msg('recovery 키를 unseal 키처럼 쓰려 하거나, transit Vault를 끈 채 재시작하는 실수.', 'Treating recovery keys as unseal keys, or restarting with the transit Vault down.'),
    judge: (s) => {
      if (s.seal.type !== 'transit') return fail(msg(`Seal Type이 ${s.seal.type ?? '알 수 없음'}입니다 (transit이어야 함).`, `Seal Type is ${s.seal.type ?? 'unknown'} (want transit).`), msg("설정에 seal \"transit\" 블록이 있어야 합니다: 'npx lab reset production'.", "The config needs a seal \"transit\" block: 'npx lab reset production'."));
      if (s.seal.sealed !== false) return fail(msg('노드가 봉인되어 있습니다.', 'the node is sealed.'), msg('transit Vault가 떠 있고 봉인 해제되어 있는지 보세요 (npx lab status production).', 'Check the transit Vault is up and unsealed (npx lab status production).'));
      if (!s.seal.recoveryKeys || s.seal.unsealKeys) return fail(msg('cluster-keys.json에 recovery 키만 있어야 합니다.', 'cluster-keys.json should hold recovery keys only.'), msg('자동 봉인 해제 서버는 -recovery-shares로 초기화합니다.', 'Auto-unseal servers are initialised with -recovery-shares.'));
      if (!s.seal.restartedAfterInit) return fail(msg('초기화 이후 노드를 재시작한 적이 없습니다.', 'the node has not been restarted since init.'), msg('노드를 죽였다가 다시 띄우세요: 키 없이 스스로 봉인이 풀려야 합니다.', 'Kill the node and start it again: it must unseal by itself, with no key.'), [
          { kind: 'node', action: 'kill', node: 0 },
          { kind: 'node', action: 'start', node: 0 },
        ]);
      return pass();
    },
  },
  {
    id: 'token-ttl',
    title: msg('인증 마운트 토큰 TTL: 기본 4시간 이하, 최대 4시간 이하', 'Auth mount token TTLs: default and max within 4 hours'),
    hint: msg('TTL을 건드리지 않아 32일(768h) 토큰이 발급되는 실수.', 'Untouched TTLs: 32-day (768h) tokens.'),
    judge: (s) => {
      if (!s.ready) return notReady();
      if (!s.ttl.mounts['userpass/']) return fail(msg('userpass 인증이 켜져 있지 않습니다.', 'userpass auth is not enabled.'), undefined, [vaultLine('auth', 'enable', 'userpass')]);
      for (const [p, m] of Object.entries(s.ttl.mounts)) {
        if (m.defaultTtl > H4 || m.maxTtl > H4)
          return fail(msg(`${p}의 TTL이 기본 ${m.defaultTtl / 3600}h, 최대 ${m.maxTtl / 3600}h입니다.`, `${p} has default ${m.defaultTtl / 3600}h, max ${m.maxTtl / 3600}h.`), undefined, [vaultLine('auth', 'tune', '-default-lease-ttl=1h', '-max-lease-ttl=4h', p)]);
      }
      if (s.ttl.loginTtl === undefined) return fail(msg(`operator로 로그인할 수 없습니다${s.ttl.loginError ? `: ${s.ttl.loginError}` : ''}.`, `cannot log in as operator${s.ttl.loginError ? `: ${s.ttl.loginError}` : ''}.`), undefined, [vaultLine('write', 'auth/userpass/users/operator', 'password=@$LAB_DIR/operator.password')]);
      if (s.ttl.loginTtl > H4 || (s.ttl.renewedTtl ?? 0) > H4) return fail(msg(`새 로그인 토큰의 TTL이 ${s.ttl.loginTtl}s, 갱신 후 ${s.ttl.renewedTtl}s입니다.`, `a fresh login token lives ${s.ttl.loginTtl}s, ${s.ttl.renewedTtl}s after renewal.`), msg('사용자나 role의 token_ttl/token_max_ttl도 4h 이하로 두세요.', "Keep the user's or role's token_ttl/token_max_ttl within 4h too."));
      return pass();
    },
  },
  {
    id: 'metrics-scraped',
    title: msg('Prometheus 지표를 전용 토큰으로 TLS 1.2+ 에서 수집', 'Prometheus metrics scraped with a dedicated token over TLS 1.2+'),
    hint: msg('수집용 토큰에 관리자 정책을 붙이거나, TLS 1.0/1.1을 열어 두는 실수.', 'An admin policy on the scrape token, or TLS 1.0/1.1 left open.'),
    judge: (s) => {
      if (s.metrics.tls11?.ok) return fail(msg('Vault가 TLS 1.1 연결을 받아 줍니다.', 'Vault accepts TLS 1.1.'), msg('listener에 tls_min_version = "tls12"를 두세요.', 'Set tls_min_version = "tls12" on the listener.'));
      if (!s.metrics.tls12?.ok || !s.metrics.tls12.authorized) return fail(msg('TLS 1.2로 검증된 연결을 맺을 수 없습니다.', 'no verified TLS 1.2 connection.'), msg('노드가 떠 있고 랩 CA로 서명된 인증서를 쓰는지 보세요.', 'Check the node is up and uses a certificate from the lab CA.'));
      if (!s.metrics.tokenFile) return fail(msg('$LAB_DIR/prometheus-token.json이 없습니다.', '$LAB_DIR/prometheus-token.json does not exist.'), undefined, [{ kind: 'vault', args: ['token', 'create', '-orphan', '-policy=prometheus', '-period=4h', '-format=json'], stdout: '$LAB_DIR/prometheus-token.json' }]);
      // A lookup that failed says nothing of the token's policies: the error is the finding, not "[]".
      if (s.metrics.lookupError) return fail(msg(`수집용 토큰을 조회하지 못했습니다: ${s.metrics.lookupError}`, `could not look up the scrape token: ${s.metrics.lookupError}`), msg('Vault가 응답하는지 보고 다시 점검하세요 (npx lab check production).', 'See that Vault answers, then check again (npx lab check production).'));
      const extra = (s.metrics.policies ?? []).filter((p) => p !== 'prometheus' && p !== 'default');
      if (extra.length || !(s.metrics.policies ?? []).includes('prometheus') || (s.metrics.secretCaps ?? []).some((c) => c !== 'deny'))
        return fail(msg(`수집용 토큰의 정책이 [${(s.metrics.policies ?? []).join(', ')}]입니다: 시크릿까지 닿습니다.`, `the scrape token carries [${(s.metrics.policies ?? []).join(', ')}]: it reaches secrets.`), msg('sys/metrics 읽기만 있는 prometheus 정책 하나로 토큰을 만드세요.', 'Make the token with just the prometheus policy (read on sys/metrics).'));
      const sc = s.metrics.scrape;
      if (!sc || sc.status !== 200 || sc.samples === 0) return fail(msg(`지표를 읽지 못했습니다 (${sc?.error ?? `HTTP ${sc?.status}`}).`, `could not read metrics (${sc?.error ?? `HTTP ${sc?.status}`}).`), msg('서버 설정의 telemetry { prometheus_retention_time = "30s" }를 확인하세요.', 'Check telemetry { prometheus_retention_time = "30s" } in the server config.'));
      if (sc.unsealed !== 1) return fail(msg(`vault_core_unsealed가 ${sc.unsealed ?? '없음'}입니다.`, `vault_core_unsealed is ${sc.unsealed ?? 'absent'}.`), msg('봉인이 풀린 노드에서 다시 수집하세요.', 'Scrape an unsealed node.'));
      return pass();
    },
  },
  {
    id: 'root-revoked',
    title: msg('초기 root 토큰 회수, 관리자 토큰은 자기 일에 필요한 경로만', "The initial root token is revoked; the admin token holds only the paths its work needs"),
    hint: msg('초기화 때 받은 root 토큰을 그대로 두고 일상 작업에 쓰는 실수.', 'Keeping the init root token and using it day to day.'),
    judge: (s) => {
      if (!s.ready) return notReady();
      if (s.root.rootAlive) return fail(msg('cluster-keys.json의 root 토큰이 아직 유효합니다.', 'the root token in cluster-keys.json still works.'), undefined, [
          // The root token as this one line's token (never an argument): it revokes itself.
          { kind: 'set', name: 'ROOT_TOKEN', file: '$LAB_DIR/cluster-keys.json', jq: '.root_token' },
          { kind: 'vault', args: ['token', 'revoke', '-self'], tokenVar: 'ROOT_TOKEN' },
        ]);
      if (s.root.adminIsRoot) return fail(msg('랩의 관리자 토큰이 root 정책을 갖고 있습니다.', "the lab's admin token carries the root policy."), msg('정책이 붙은 관리자 토큰을 $LAB_DIR/admin-token에 두세요.', 'Keep a policy-bound admin token in $LAB_DIR/admin-token.'));
      if (s.root.adminWide.length)
        return fail(
          msg(
            `관리자 토큰이 자기 일 밖의 경로에도 권한을 가집니다 (${s.root.adminWide.join(', ')}). path "*"에 sudo를 준 정책은 이름만 다른 root입니다.`,
            `the admin token has capabilities outside its work (${s.root.adminWide.join(', ')}). A policy with path "*" and sudo is root in all but name.`,
          ),
          msg("'npx lab start production'을 다시 실행하세요: 준비 단계가 lab-admin 정책을 필요한 경로만 여는 정책으로 되돌립니다. 확인:", "Run 'npx lab start production' again: its setup puts lab-admin back to the policy that opens only the paths its work needs. To check:"),
          [vaultLine('policy', 'read', 'lab-admin')],
        );
      if (s.root.attemptInProgress) return fail(msg('끝나지 않은 generate-root 시도가 남아 있습니다.', 'an unfinished generate-root attempt is pending.'), undefined, [vaultLine('operator', 'generate-root', '-cancel')]);
      return pass();
    },
  },
];

export const checker = defineChecker<State>({ gather, checks });
