/**
 * Kubernetes auth: gather reads Vault (auth mounts, config, policy, role, a real login) and the Kubernetes API
 * (ServiceAccounts, ClusterRoleBindings); the judges are pure.
 */
import type { Checker, Cmd, LabContext, PlatformName } from '../src/engine/types.ts';
import { msg, type Msg } from '../src/engine/i18n.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { LAB_HEADER, VaultApiError } from '../src/vault/client.ts';
import { pathMatches, policyPaths } from '../src/vault/policy.ts';
import type { BindingInfo } from '../src/platforms/kind/k8s.ts';
import type { KubeApi } from '../src/platforms/kube-api.ts';
import { gatherVaultBasics, kubeUnreachable, kubectlLine, vaultLine, type VaultBasics } from './common.ts';
import { K8S } from '../labs/k8s-auth/data.ts';

export { K8S } from '../labs/k8s-auth/data.ts';

/** Where Vault must send its TokenReviews: the in-cluster address on kind, the lab's apiserver on local. */
export const expectedHost = (platform: PlatformName, kubeApi: string | undefined): string => (platform === 'local' ? (kubeApi ?? '$KUBE_API') : K8S.host);

export interface RoleInfo {
  names: string[];
  namespaces: string[];
  policies: string[];
  audience: string;
  ttl: number;
}

export interface LoginResult {
  ok: boolean;
  error?: string;
  /** Reading secret/data/webapp/config with the login's token. */
  read?: 'ok' | 'denied' | 'error';
  sa?: string;
}

export interface State extends VaultBasics {
  platform: PlatformName;
  /** The kubernetes_host this platform needs. */
  expectedHost: string;
  /** auth mount path (no slash) → type; undefined when Vault cannot be read. */
  auths?: Record<string, string> | undefined;
  host?: string | undefined;
  /** auth/kubernetes/config carries a CA certificate / a reviewer JWT (both needed when Vault runs outside the cluster). */
  caSet?: boolean | undefined;
  reviewerSet?: boolean | undefined;
  policy?: string | undefined;
  role?: RoleInfo | undefined;
  /** `${namespace}/${name}` → exists, for each bound pair of the role. */
  serviceAccounts: Record<string, boolean>;
  bindings?: BindingInfo[] | undefined;
  kubeError?: string | undefined;
  login?: LoginResult | undefined;
  /** Logins that must be refused: another SA, another namespace, a token for the Kubernetes API's own audience. */
  refusals?: { otherSa: LoginResult; otherNs: LoginResult; apiAudience: LoginResult } | undefined;
  /** What the learner did, from the audit log (requests without the lab's x-vault-lab header); undefined: no file audit device. */
  tried?: Tried | undefined;
}

export interface Tried {
  /** The learner's logins at auth/kubernetes/login, in order. */
  logins: { ok: boolean; error?: string; sa?: string; uid?: string }[];
  /** A write to the app's secret refused to a token holding the webapp policy (the lesson's 403). */
  deniedWrite: boolean;
}

interface AuditLine {
  type?: string;
  error?: string;
  auth?: { policies?: string[]; metadata?: Record<string, string> };
  request?: { path?: string; operation?: string; headers?: Record<string, string[]> };
}

/** The learner's own requests in the audit log: logins and writes to the app's secret, never the lab's probes. */
export function triedFromAudit(log: string): Tried {
  const t: Tried = { logins: [], deniedWrite: false };
  for (const line of log.split('\n')) {
    if (!line.includes('auth/kubernetes/login') && !line.includes(K8S.secretApiPath)) continue;
    let e: AuditLine;
    try {
      e = JSON.parse(line) as AuditLine;
    } catch {
      continue;
    }
    if (e.request?.headers?.[LAB_HEADER]) continue;
    const p = e.request?.path;
    if (p === 'auth/kubernetes/login' && e.type === 'response') {
      const m = e.auth?.metadata;
      t.logins.push(e.error ? { ok: false, error: e.error } : { ok: true, ...(m?.service_account_namespace ? { sa: `${m.service_account_namespace}/${m.service_account_name ?? ''}` } : {}), ...(m?.service_account_uid ? { uid: m.service_account_uid } : {}) });
    }
    if (p === K8S.secretApiPath && (e.request?.operation === 'create' || e.request?.operation === 'update') && /permission denied/.test(e.error ?? '') && (e.auth?.policies ?? []).includes(K8S.policy)) t.deniedWrite = true;
  }
  return t;
}

/** Reads the file audit device's log where the server writes it; undefined when there is none. */
async function gatherTried(ctx: LabContext, node: number): Promise<Tried | undefined> {
  const devs = (await readOr(() => ctx.vault(node).audits())) ?? {};
  const file = Object.values(devs).find((d) => d.type === 'file' && d.options?.file_path && !['stdout', 'discard'].includes(d.options.file_path))?.options?.file_path;
  if (!file) return undefined;
  return triedFromAudit((await ctx.platform.readServerFile(file)) ?? '');
}

export function kubeFor(ctx: LabContext): Promise<KubeApi> {
  return import('../src/platforms/kube-api.ts').then((m) => m.kubeApiFor(ctx));
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? v.split(',').map((s) => s.trim()) : []);

async function readOr<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof VaultApiError) return undefined;
    throw e;
  }
}

type VaultSide = Pick<State, 'auths' | 'host' | 'caSet' | 'reviewerSet' | 'policy' | 'role'>;

export async function gatherVaultSide(ctx: LabContext, base: VaultBasics): Promise<VaultSide> {
  if (base.active === undefined || !base.tokenValid) return {};
  const v = ctx.vault(base.active);
  const out: VaultSide = {};
  const auths = await readOr(() => v.auths());
  if (auths) {
    out.auths = Object.fromEntries(Object.entries(auths).map(([k, m]) => [k.replace(/\/$/, ''), m.type]));
  }
  if (out.auths?.kubernetes === 'kubernetes') {
    const c = (await readOr(() => v.read<{ data?: { kubernetes_host?: string; kubernetes_ca_cert?: string; token_reviewer_jwt_set?: boolean } }>('/auth/kubernetes/config')))?.data;
    out.host = c?.kubernetes_host;
    out.caSet = Boolean(c?.kubernetes_ca_cert);
    out.reviewerSet = c?.token_reviewer_jwt_set === true;
    const r = (await readOr(() => v.read<{ data?: Record<string, unknown> }>(`/auth/kubernetes/role/${K8S.role}`)))?.data;
    if (r) {
      out.role = {
        names: asList(r.bound_service_account_names),
        namespaces: asList(r.bound_service_account_namespaces),
        policies: asList(r.token_policies ?? r.policies),
        audience: typeof r.audience === 'string' ? r.audience : '',
        ttl: Number(r.token_ttl ?? r.ttl ?? 0),
      };
    }
  }
  out.policy = (await readOr(() => v.read<{ data?: { policy?: string } }>(`/sys/policies/acl/${K8S.policy}`)))?.data?.policy;
  return out;
}

/** A real login, as an app would: a TokenRequest for the ServiceAccount, then auth/kubernetes/login, then a read. */
export async function loginAs(ctx: LabContext, kube: KubeApi, sa: { namespace: string; name: string }, audience: string | undefined, node: number): Promise<LoginResult> {
  const pair = `${sa.namespace}/${sa.name}`;
  const jwt = await kube.requestToken(sa.namespace, sa.name, audience || undefined);
  let token: string | undefined;
  try {
    const r = await ctx.vault(node, null).write<{ auth?: { client_token?: string } }>('/auth/kubernetes/login', { role: K8S.role, jwt });
    token = r.auth?.client_token;
  } catch (e) {
    if (!(e instanceof VaultApiError)) throw e;
    return { ok: false, error: e.errors.join('; ') || e.message, sa: pair };
  }
  if (!token) return { ok: false, error: 'no client_token in the login response', sa: pair };
  const client = ctx.vault(node, token);
  let read: LoginResult['read'] = 'ok';
  try {
    await client.read(`/${K8S.secretApiPath}`);
  } catch (e) {
    if (!(e instanceof VaultApiError)) throw e;
    read = e.status === 403 ? 'denied' : 'error';
  }
  await client.write('/auth/token/revoke-self').catch(() => undefined);
  return { ok: true, read, sa: pair };
}

/**
 * The same call the learner's app makes: the app's SA (default/webapp) logs in with the lab's audience, so a role bound
 * elsewhere fails with Vault's own words (namespace not authorized), not a guess of the lab's.
 */
export async function tryLogin(ctx: LabContext, kube: KubeApi, _role: RoleInfo, _existing: Record<string, boolean>, node: number): Promise<LoginResult> {
  if ((await kube.serviceAccountUid(K8S.namespace, K8S.sa)) === undefined) return { ok: false, error: `ServiceAccount ${K8S.namespace}/${K8S.sa} does not exist`, sa: `${K8S.namespace}/${K8S.sa}` };
  return loginAs(ctx, kube, { namespace: K8S.namespace, name: K8S.sa }, K8S.audience, node);
}

/** Vault's refusal → where to look, by its own words. */
export function loginFix(error: string): { note: Msg; cmds: Cmd[] } {
  if (/not authorized/.test(error)) return { note: msg('role의 bound 목록을 앱의 SA에 맞추세요:', "Make the role's bound lists name the app's SA:"), cmds: [roleLine] };
  if (/invalid audience/.test(error)) return { note: msg(`role의 audience를 토큰의 aud(${K8S.audience})와 맞추세요:`, `Make the role's audience match the token's aud (${K8S.audience}):`), cmds: [roleLine] };
  if (/x509|certificate/.test(error)) return { note: msg('kubernetes_ca_cert가 API 서버의 CA인지 보세요:', "Check kubernetes_ca_cert is the API server's CA:"), cmds: [readConfig] };
  if (/connection refused|no such host|dial tcp|timeout/.test(error)) return { note: msg('kubernetes_host가 Vault에서 닿는 API 서버 주소인지 보세요:', 'Check kubernetes_host is an API server address Vault can reach:'), cmds: [readConfig] };
  if (/does not exist/.test(error)) return { note: msg('앱의 ServiceAccount를 만드세요:', "Create the app's ServiceAccount:"), cmds: [kubectlLine('create', 'serviceaccount', K8S.sa, '-n', K8S.namespace)] };
  return {
    note: msg(`TokenReview가 거부되었습니다: ${K8S.vaultSa.namespace}/${K8S.vaultSa.name}의 system:auth-delegator 바인딩, 리뷰어 JWT 만료, SA를 다시 만들었는지 보세요.`, `The TokenReview was refused: check the system:auth-delegator binding of ${K8S.vaultSa.namespace}/${K8S.vaultSa.name}, the reviewer JWT's expiry, and whether the SA was recreated.`),
    cmds: [],
  };
}

export const gather = (ctx: LabContext): Promise<State> => gatherK8sAuth(ctx, { probes: true });

/**
 * The Vault side and the app's own login, as the learner's app makes it. `probes: false` (vso) skips the refusal
 * probes and the audit log: vso judges only what its operator's login needs.
 */
export async function gatherK8sAuth(ctx: LabContext, o: { probes: boolean }): Promise<State> {
  const base = await gatherVaultBasics(ctx);
  const platform = ctx.platform.name;
  const s: State = { ...base, platform, expectedHost: expectedHost(platform, ctx.platform.runEnv().KUBE_API), ...(await gatherVaultSide(ctx, base)), serviceAccounts: {} };
  if (o.probes && base.active !== undefined && base.tokenValid) s.tried = await gatherTried(ctx, base.active);
  try {
    const kube = await kubeFor(ctx);
    s.bindings = await kube.clusterRoleBindings();
    if (s.role) {
      for (const ns of s.role.namespaces) {
        for (const name of s.role.names) {
          s.serviceAccounts[`${ns}/${name}`] = ns === '*' || name === '*' ? true : await kube.serviceAccountExists(ns, name);
        }
      }
      if (base.active !== undefined) {
        // A wildcard binds the app's SA too: log in as it, so the refusal probes can show what else gets in.
        const wild = Object.keys(s.serviceAccounts).some((k) => k.includes('*'));
        const app = `${K8S.namespace}/${K8S.sa}`;
        const candidates = wild ? { [app]: (await kube.serviceAccountUid(K8S.namespace, K8S.sa)) !== undefined } : s.serviceAccounts;
        s.login = await tryLogin(ctx, kube, s.role, candidates, base.active);
      }
      if (o.probes && base.active !== undefined) {
        for (const p of Object.values(K8S.probes)) await kube.ensureServiceAccount(p.namespace, p.name, { ...K8S.probeLabel });
        s.refusals = {
          otherSa: await loginAs(ctx, kube, K8S.probes.otherSa, s.role.audience, base.active),
          otherNs: await loginAs(ctx, kube, K8S.probes.otherNs, s.role.audience, base.active),
          // No audience: the token a pod's default kube-api-access volume carries, meant for the Kubernetes API.
          apiAudience: s.serviceAccounts[`${K8S.namespace}/${K8S.sa}`]
            ? await loginAs(ctx, kube, { namespace: K8S.namespace, name: K8S.sa }, undefined, base.active)
            : { ok: false, error: `ServiceAccount ${K8S.namespace}/${K8S.sa} does not exist` },
        };
      }
    }
  } catch (e) {
    s.kubeError = e instanceof Error ? e.message : String(e);
  }
  return s;
}

// ---- pure judges ---------------------------------------------------------------------------------------------

/** The lesson's role line, whole: a write on the role replaces what the learner got wrong (bound lists, policies, audience). */
const roleLine: Cmd = vaultLine('write', `auth/kubernetes/role/${K8S.role}`, `bound_service_account_names=${K8S.sa}`, `bound_service_account_namespaces=${K8S.namespace}`, `policies=${K8S.policy}`, 'ttl=24h', `audience=${K8S.audience}`);
const readConfig: Cmd = vaultLine('read', 'auth/kubernetes/config');

const noVault = (s: State) =>
  s.active === undefined || !s.tokenValid
    ? fail(msg('봉인이 풀린 Vault에 root 토큰으로 접근할 수 없습니다.', 'cannot reach an unsealed Vault with the root token.'), msg(`'npx lab start k8s-auth${s.platform === 'kind' ? ' --platform kind' : ''}'로 준비 단계를 다시 실행하세요.`, `Re-run the setup with 'npx lab start k8s-auth${s.platform === 'kind' ? ' --platform kind' : ''}'.`))
    : undefined;
const noAuth = (s: State) =>
  noVault(s) ??
  (s.auths?.kubernetes !== 'kubernetes' ? fail(msg('auth/kubernetes가 켜져 있지 않습니다.', 'auth/kubernetes is not enabled.'), undefined, [vaultLine('auth', 'enable', 'kubernetes')]) : undefined);
const noRole = (s: State) =>
  noAuth(s) ??
  (!s.role
    ? fail(msg(`role '${K8S.role}'이 없습니다.`, `role '${K8S.role}' does not exist.`), undefined, [roleLine])
    : undefined);
const noKube = (s: State) => kubeUnreachable('k8s-auth', s);

/** A refusal proves something only once the right ServiceAccount gets in: otherwise everything is refused. */
function refusal(s: State, which: 'otherSa' | 'otherNs' | 'apiAudience', who: { ko: string; en: string }, fix: Msg) {
  const r = noRole(s) ?? noKube(s);
  if (r) return r;
  if (!s.login?.ok || s.login.read !== 'ok') {
    return fail(msg('앱의 SA 로그인이 아직 되지 않아 거부를 판단할 수 없습니다 (login 점검 먼저).', "the app's SA cannot log in yet, so a refusal proves nothing (fix the login check first)."), msg('login 점검의 안내대로 로그인부터 되게 하세요.', 'Make the login work first, as the login check says.'));
  }
  const probe = s.refusals?.[which];
  if (!probe) return fail(msg('거부 시험을 할 수 없었습니다.', 'the refusal could not be tried.'), fix, [roleLine]);
  if (probe.ok) return fail(msg(`${who.ko}의 토큰으로 로그인이 됩니다${probe.read === 'ok' ? '. 게다가 시크릿도 읽힙니다' : ''}.`, `${who.en} logs in${probe.read === 'ok' ? ' and even reads the secret' : ''}.`), fix, [roleLine]);
  return pass();
}

export { pathMatches, policyPaths } from '../src/vault/policy.ts';

const IN_CLUSTER_HOST = /^https:\/\/(kubernetes\.default(\.svc(\.cluster\.local)?)?|10\.96\.0\.1)(:443)?\/?$/;

const APP = `${K8S.namespace}/${K8S.sa}`;
/** Steps 6-8 are the learner's to do: done when the audit log shows the learner did them, not when they could succeed. */
function tried(s: State, step: string, what: { ko: string; en: string }, ok: (t: Tried) => boolean) {
  const r = noRole(s);
  if (r) return r;
  const fix = msg(`npx lab hint k8s-auth ${step}`, `npx lab hint k8s-auth ${step}`);
  if (!s.tried) return fail(msg('파일 감사 장치가 없어 직접 해 본 것을 볼 수 없습니다.', 'there is no file audit device, so what you did cannot be seen.'), msg(`npx lab start k8s-auth${s.platform === 'kind' ? ' --platform kind' : ''} (감사 장치를 다시 켭니다)`, `npx lab start k8s-auth${s.platform === 'kind' ? ' --platform kind' : ''} (enables the audit device again)`));
  return ok(s.tried) ? pass() : fail(msg(`감사 로그에 아직 다음이 보이지 않습니다: ${what.ko}. 직접 해 보세요.`, `the audit log does not show ${what.en} yet: do it yourself.`), fix);
}

const triedChecks: Checker<State>['checks'] = [
  {
    id: 'you-logged-in',
    title: msg('직접 로그인하고, 앱의 토큰으로 쓰기가 거부되는 것을 봄', "you logged in yourself and saw the app's token refused a write"),
    hint: msg('VAULT_TOKEN=$APP_TOKEN처럼 명령 앞에 둔 토큰이 쓰입니다. 쓰기가 성공했다면 root 토큰으로 요청한 것입니다.', 'The token set in front of the command (VAULT_TOKEN=$APP_TOKEN) is the one used; a write that succeeds went out as root.'),
    judge: (s) => tried(s, 'login', msg(`${APP} SA의 로그인과 앱 토큰의 거부된 쓰기`, `a login of SA ${APP} and a refused write with the app's token`), (t) => t.logins.some((l) => l.ok && l.sa === APP) && t.deniedWrite),
  },
  {
    id: 'you-tried-refusals',
    title: msg('거부되어야 할 토큰으로 직접 로그인해 봄', 'you tried the tokens that must be refused'),
    hint: msg('lab check의 시험용 SA와 별개로, 거부 메시지를 직접 보는 단계입니다.', "Apart from lab check's probe SAs: this is where you see the refusals yourself."),
    judge: (s) =>
      tried(s, 'refusals', msg('invalid audience와 not authorized 거부', 'the invalid audience and not authorized refusals'), (t) => t.logins.some((l) => !l.ok && /invalid audience/i.test(l.error ?? '')) && t.logins.some((l) => !l.ok && /not authorized/i.test(l.error ?? ''))),
  },
  {
    id: 'you-recreated',
    title: msg('SA를 다시 만든 뒤 옛 토큰은 거부되고 새 토큰은 로그인됨', 'after recreating the SA, the old token was refused and a new one logged in'),
    hint: msg('이름이 같아도 uid가 다르면 다른 SA입니다.', 'Same name, different uid: a different SA.'),
    judge: (s) =>
      tried(s, 'recreate', msg('다시 만든 SA(새 uid)로의 로그인', 'a login of the recreated SA (a new uid)'), (t) => {
        // Two uids under one name: the learner logged in as the SA before and after it was made again.
        const uids = new Set(t.logins.filter((l) => l.ok && l.sa === APP && l.uid).map((l) => l.uid));
        return uids.size >= 2 && t.logins.some((l) => !l.ok && !/invalid audience|not authorized/i.test(l.error ?? ''));
      }),
  },
];

export const checks: Checker<State>['checks'] = [
  {
    id: 'auth-enabled',
    title: msg('auth/kubernetes 활성화', 'auth/kubernetes is enabled'),
    hint: msg('경로를 바꿔 켜면(-path=k8s) 이후 명령의 auth/kubernetes 경로도 모두 바꿔야 합니다.', 'Enabling at another path (-path=k8s) changes every auth/kubernetes path that follows.'),
    judge: (s) => noAuth(s) ?? pass(),
  },
  {
    id: 'config-host',
    title: msg('kubernetes_host가 Vault에서 닿는 API 서버 주소', 'kubernetes_host is an API server address Vault can reach'),
    hint: msg(
      'Pod 안의 Vault는 https://kubernetes.default.svc와 자기 SA 토큰·CA를 씁니다. 클러스터 밖의 Vault(local 플랫폼)는 API 서버의 바깥 주소, 그 CA, 리뷰어 JWT를 모두 받아야 합니다.',
      'Vault in a pod uses https://kubernetes.default.svc with its own SA token and CA; Vault outside the cluster (the local platform) needs the API server\'s outside address, its CA and a reviewer JWT.',
    ),
    judge: (s) => {
      const a = noAuth(s);
      if (a) return a;
      // Outside the cluster (local) Vault needs the API server's address, its CA and a reviewer JWT (on stdin, never argv).
      const localFix: Cmd = {
        kind: 'vault',
        args: ['write', 'auth/kubernetes/config', 'kubernetes_host=$KUBE_API', 'kubernetes_ca_cert=@$KUBE_CA', 'token_reviewer_jwt=-'],
        pipeFrom: `kubectl --context "$LAB_KUBE_CONTEXT" create token ${K8S.vaultSa.name} -n ${K8S.vaultSa.namespace} --duration=24h`,
      };
      const fix = (why: Msg) => fail(why, undefined, [s.platform === 'local' ? localFix : vaultLine('write', 'auth/kubernetes/config', `kubernetes_host=${K8S.host}`)]);
      if (!s.host) return fix(msg('auth/kubernetes/config가 비어 있습니다.', 'auth/kubernetes/config is empty.'));
      if (s.platform !== 'local') {
        return IN_CLUSTER_HOST.test(s.host) ? pass() : fix(msg(`kubernetes_host가 ${s.host}입니다: Vault Pod에서 닿는 주소가 아닙니다.`, `kubernetes_host is ${s.host}, which the Vault pod cannot reach.`));
      }
      if (s.host.replace(/\/$/, '') !== s.expectedHost) {
        const inCluster = IN_CLUSTER_HOST.test(s.host);
        return fix(
          msg(
            `kubernetes_host가 ${s.host}입니다. ${inCluster ? '클러스터 안의 주소라 클러스터 밖에서 도는 이 Vault는 찾지 못합니다' : '이 랩의 API 서버가 아닙니다'} (기대: ${s.expectedHost}).`,
            `kubernetes_host is ${s.host}: ${inCluster ? 'an in-cluster name this Vault, running outside the cluster, cannot resolve' : "not this lab's API server"} (expected ${s.expectedHost}).`,
          ),
        );
      }
      if (!s.caSet) return fix(msg('kubernetes_ca_cert가 없습니다: Vault가 API 서버의 인증서를 믿지 못해 TokenReview가 x509 오류로 실패합니다.', 'kubernetes_ca_cert is missing: Vault cannot trust the API server certificate and every TokenReview fails with an x509 error.'));
      if (!s.reviewerSet) return fix(msg('token_reviewer_jwt가 없습니다: 클러스터 밖의 Vault는 쓸 SA 토큰이 없어, 로그인하는 앱 자신의 JWT로 TokenReview를 보내게 됩니다 (그 SA에 auth-delegator가 없으면 403).', 'token_reviewer_jwt is missing: outside the cluster Vault has no SA token of its own and sends each TokenReview with the logging-in app\'s JWT (403 unless that SA has auth-delegator).'));
      return pass();
    },
  },
  {
    id: 'policy-path',
    title: msg(`정책 ${K8S.policy}: ${K8S.secretApiPath} 읽기`, `policy ${K8S.policy} reads ${K8S.secretApiPath}`),
    hint: msg('KV v2의 API 경로에는 data/가 들어갑니다: secret/webapp/config라고 쓰면 로그인은 되지만 읽기가 403입니다.', 'KV v2 API paths contain data/: a policy on secret/webapp/config lets the login succeed but the read gets 403.'),
    judge: (s) => {
      const v = noVault(s);
      if (v) return v;
      const policyLine: Cmd[] = [{ kind: 'vault', args: ['policy', 'write', K8S.policy, '-'], stdin: `path "${K8S.secretApiPath}" {\n  capabilities = ["read"]\n}\n` }];
      if (s.policy === undefined) return fail(msg(`정책 '${K8S.policy}'이 없습니다.`, `policy '${K8S.policy}' does not exist.`), undefined, policyLine);
      const paths = policyPaths(s.policy);
      const hit = paths.find((p) => pathMatches(p.path, K8S.secretApiPath));
      if (hit?.capabilities.includes('read')) return pass();
      if (hit) return fail(msg(`"${hit.path}"에 read 권한이 없습니다 (${hit.capabilities.join(', ') || '없음'}).`, `"${hit.path}" lacks read (${hit.capabilities.join(', ') || 'none'}).`), undefined, policyLine);
      const noData = paths.find((p) => pathMatches(p.path, K8S.secretApiPath.replace('/data/', '/')));
      if (noData) return fail(msg(`정책 경로 "${noData.path}"에 data/가 빠졌습니다. KV v2의 실제 API 경로는 ${K8S.secretApiPath}입니다.`, `policy path "${noData.path}" lacks data/; the KV v2 API path is ${K8S.secretApiPath}.`), undefined, policyLine);
      return fail(msg(`정책이 ${K8S.secretApiPath}를 다루지 않습니다 (경로: ${paths.map((p) => p.path).join(', ') || '없음'}).`, `the policy does not cover ${K8S.secretApiPath} (paths: ${paths.map((p) => p.path).join(', ') || 'none'}).`), undefined, policyLine);
    },
  },
  {
    id: 'role-bound',
    title: msg(`role ${K8S.role}: 있는 SA와 네임스페이스에 묶임`, `role ${K8S.role} is bound to a ServiceAccount that exists`),
    hint: msg('학습 노트는 vault SA를 default 네임스페이스에 묶었지만, vault SA는 vault 네임스페이스에 있습니다: namespace not authorized.', "The study note binds SA 'vault' in namespace 'default', but that SA lives in namespace 'vault': namespace not authorized."),
    judge: (s) => {
      const r = noRole(s) ?? noKube(s);
      if (r) return r;
      const role = s.role!;
      if (!role.policies.includes(K8S.policy)) return fail(msg(`role의 정책에 ${K8S.policy}이 없습니다 (${role.policies.join(', ') || '없음'}).`, `the role's policies lack ${K8S.policy} (${role.policies.join(', ') || 'none'}).`), undefined, [roleLine]);
      const pairs = Object.entries(s.serviceAccounts);
      if (pairs.some(([, ok]) => ok)) return pass();
      return fail(
        msg(`role이 가리키는 ServiceAccount가 클러스터에 없습니다: ${pairs.map(([k]) => k).join(', ') || '(비어 있음)'}`, `no ServiceAccount the role binds exists: ${pairs.map(([k]) => k).join(', ') || '(empty)'}`),
        msg(`앱의 SA는 ${K8S.namespace}/${K8S.sa}입니다:`, `The app's SA is ${K8S.namespace}/${K8S.sa}:`),
        [roleLine],
      );
    },
  },
  {
    id: 'audience',
    title: msg(`role의 audience가 '${K8S.audience}'`, `the role's audience is '${K8S.audience}'`),
    hint: msg("role의 audience와 토큰의 aud가 다르면 Vault가 aud 확인에서 바로 거부합니다. 이 실습의 토큰은 --audience vault로 만듭니다.", "A role audience that differs from the token's aud is refused by Vault's own aud check; this lab's tokens are made with --audience vault."),
    judge: (s) =>
      noRole(s) ??
      (s.role!.audience === K8S.audience
        ? pass()
        : fail(
            msg(`${s.role!.audience ? `role의 audience가 '${s.role!.audience}'입니다` : 'role의 audience가 비어 있습니다'}. 이 실습의 토큰(aud=${K8S.audience})과 맞지 않습니다.`, `the role's audience is ${s.role!.audience ? `'${s.role!.audience}'` : 'empty'}; this lab's tokens carry aud=${K8S.audience}.`),
            msg(`토큰은 --audience ${K8S.audience}로 만듭니다. role을 그에 맞추세요:`, `Tokens are made with --audience ${K8S.audience}; make the role match:`),
            [roleLine],
          )),
  },
  {
    id: 'auth-delegator',
    title: msg('vault SA에 system:auth-delegator', 'the vault ServiceAccount has system:auth-delegator'),
    hint: msg('TokenReview를 만들 권한이 없으면 role을 아무리 고쳐도 모든 로그인이 실패합니다.', 'Without the right to create TokenReviews every login fails, whatever the role says.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      const ok = (s.bindings ?? []).some(
        (b) => b.role.kind === 'ClusterRole' && b.role.name === 'system:auth-delegator' && b.subjects.some((x) => x.kind === 'ServiceAccount' && x.name === K8S.vaultSa.name && x.namespace === K8S.vaultSa.namespace),
      );
      return ok
        ? pass()
        : fail(
            msg(`${K8S.vaultSa.namespace}/${K8S.vaultSa.name} SA를 system:auth-delegator에 묶은 ClusterRoleBinding이 없습니다.`, `no ClusterRoleBinding binds SA ${K8S.vaultSa.namespace}/${K8S.vaultSa.name} to system:auth-delegator.`),
            msg('차트의 server.authDelegator.enabled가 기본으로 만드는 바인딩입니다:', "The chart's server.authDelegator.enabled makes it by default:"),
            [kubectlLine('create', 'clusterrolebinding', 'vault-server-binding', '--clusterrole=system:auth-delegator', `--serviceaccount=${K8S.vaultSa.namespace}:${K8S.vaultSa.name}`)],
          );
    },
  },
  {
    id: 'login',
    title: msg('실제 SA 토큰으로 로그인하고 시크릿 읽기', 'a real SA token logs in and reads the secret'),
    hint: msg('로그인 성공만으로 안심하지 마세요: 그 토큰으로 읽기까지 되어야 정책이 맞는 것입니다.', 'A successful login is not enough: the token must also read the secret.'),
    judge: (s) => {
      const r = noRole(s) ?? noKube(s);
      if (r) return r;
      const l = s.login;
      if (!l) return fail(msg('로그인을 시험할 수 없었습니다 (bound 목록에 * 가 있음).', 'the login could not be tried (the bound lists contain *).'), msg('SA와 네임스페이스를 구체적으로 묶으세요:', 'Bind concretely:'), [roleLine]);
      if (!l.ok) {
        const f = loginFix(l.error ?? '');
        return fail(msg(`로그인 실패${l.sa ? ` (${l.sa})` : ''}: ${l.error ?? ''}`, `login failed${l.sa ? ` (${l.sa})` : ''}: ${l.error ?? ''}`), f.note, f.cmds);
      }
      if (l.read !== 'ok') return fail(msg(`로그인은 되었지만 ${K8S.secretApiPath} 읽기가 ${l.read === 'denied' ? '거부(403)' : '실패'}됩니다.`, `the login works but reading ${K8S.secretApiPath} is ${l.read === 'denied' ? 'denied (403)' : 'failing'}.`), msg(`정책 경로에 data/가 들어갔는지, role의 policies에 ${K8S.policy}이 있는지 보세요.`, `Check the policy path has data/ and the role's policies include ${K8S.policy}.`));
      return pass();
    },
  },
  {
    id: 'other-sa-refused',
    title: msg('다른 ServiceAccount의 토큰은 거부', "another ServiceAccount's token is refused"),
    hint: msg('bound_service_account_names=* 는 네임스페이스의 모든 SA에게 webapp 정책을 줍니다.', 'bound_service_account_names=* gives the webapp policy to every SA of the namespace.'),
    judge: (s) =>
      refusal(s, 'otherSa', msg(`${K8S.probes.otherSa.namespace}/${K8S.probes.otherSa.name}`, `${K8S.probes.otherSa.namespace}/${K8S.probes.otherSa.name}`), msg(`role을 앱의 SA 이름(${K8S.sa})에만 묶으세요:`, `Bind the role to the app's SA name (${K8S.sa}) only:`)),
  },
  {
    id: 'other-ns-refused',
    title: msg('같은 이름이라도 다른 네임스페이스의 SA는 거부', 'an SA of the same name in another namespace is refused'),
    hint: msg('bound_service_account_namespaces=* 면 누구든 새 네임스페이스에 webapp SA를 만들어 로그인할 수 있습니다.', 'With bound_service_account_namespaces=* anyone who can create a namespace can make a webapp SA there and log in.'),
    judge: (s) =>
      refusal(s, 'otherNs', msg(`${K8S.probes.otherNs.namespace}/${K8S.probes.otherNs.name}`, `${K8S.probes.otherNs.namespace}/${K8S.probes.otherNs.name}`), msg(`role을 앱의 네임스페이스(${K8S.namespace})에만 묶으세요:`, `Bind the role to the app's namespace (${K8S.namespace}) only:`)),
  },
  {
    id: 'api-audience-refused',
    title: msg('Kubernetes API 용 토큰(aud가 API 서버)은 거부', 'a token meant for the Kubernetes API (its own audience) is refused'),
    hint: msg('role에 audience가 없으면, Pod의 기본 토큰(kube-api-access 볼륨, aud=API 서버)으로도 Vault에 로그인됩니다. 그 토큰을 훔친 누구든 마찬가지입니다.', "Without an audience on the role, a pod's default token (the kube-api-access volume, aud = the API server) logs in to Vault too — and so does anyone who steals it."),
    judge: (s) => refusal(s, 'apiAudience', msg(`${K8S.namespace}/${K8S.sa} (audience 없음)`, `${K8S.namespace}/${K8S.sa} (no audience)`), msg(`role에 audience=${K8S.audience}를 두세요:`, `Give the role audience=${K8S.audience}:`)),
  },
  ...triedChecks,
];

export const checker = defineChecker<State>({ gather, checks });
