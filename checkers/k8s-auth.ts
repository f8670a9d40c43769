/**
 * Kubernetes auth: gather reads Vault (auth mounts, config, policy, role, a real login) and the Kubernetes API
 * (ServiceAccounts, ClusterRoleBindings); the judges are pure.
 */
import type { Checker, LabContext } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { VaultApiError } from '../src/vault/client.ts';
import type { BindingInfo, Kube } from '../src/platforms/kind/k8s.ts';
import { DEFAULT_CONTEXT } from '../src/platforms/kind/names.ts';
import { gatherVaultBasics, type VaultBasics } from './common.ts';

/** What the lab teaches: a dedicated ServiceAccount for the app, a Vault-only audience. */
export const K8S = {
  host: 'https://kubernetes.default.svc',
  role: 'webapp',
  policy: 'webapp',
  sa: 'webapp',
  namespace: 'default',
  audience: 'vault',
  secretApiPath: 'secret/data/webapp/config',
  vaultSa: { name: 'vault', namespace: 'vault' },
} as const;

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
  /** auth mount path (no slash) → type; undefined when Vault cannot be read. */
  auths?: Record<string, string> | undefined;
  host?: string | undefined;
  policy?: string | undefined;
  role?: RoleInfo | undefined;
  /** `${namespace}/${name}` → exists, for each bound pair of the role. */
  serviceAccounts: Record<string, boolean>;
  bindings?: BindingInfo[] | undefined;
  kubeError?: string | undefined;
  login?: LoginResult | undefined;
}

export function kubeFor(ctx: LabContext): Promise<Kube> {
  const context = ctx.platform.runEnv().LAB_KUBE_CONTEXT ?? DEFAULT_CONTEXT;
  return import('../src/platforms/kind/k8s.ts').then((m) => new m.Kube(context));
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

export async function gatherVaultSide(ctx: LabContext, base: VaultBasics): Promise<Pick<State, 'auths' | 'host' | 'policy' | 'role'>> {
  if (base.active === undefined || !base.tokenValid) return {};
  const v = ctx.vault(base.active);
  const out: Pick<State, 'auths' | 'host' | 'policy' | 'role'> = {};
  const auths = await readOr(() => v.read<Record<string, unknown>>('/sys/auth'));
  if (auths) {
    const data = (auths.data ?? auths) as Record<string, { type?: string }>;
    out.auths = Object.fromEntries(Object.entries(data).filter(([, m]) => m && typeof m === 'object' && m.type).map(([k, m]) => [k.replace(/\/$/, ''), m.type!]));
  }
  if (out.auths?.kubernetes === 'kubernetes') {
    out.host = (await readOr(() => v.read<{ data?: { kubernetes_host?: string } }>('/auth/kubernetes/config')))?.data?.kubernetes_host;
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

/** A real login, as an app would: a TokenRequest for a bound ServiceAccount, then auth/kubernetes/login. */
export async function tryLogin(ctx: LabContext, kube: Kube, role: RoleInfo, existing: Record<string, boolean>, node: number): Promise<LoginResult> {
  const pair = Object.entries(existing).find(([, ok]) => ok)?.[0];
  if (!pair) return { ok: false, error: 'no bound ServiceAccount exists' };
  const [namespace, name] = pair.split('/') as [string, string];
  const jwt = await kube.requestToken(namespace, name, role.audience || undefined);
  const anon = ctx.vault(node, null);
  let token: string | undefined;
  try {
    const r = await anon.write<{ auth?: { client_token?: string } }>('/auth/kubernetes/login', { role: K8S.role, jwt });
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

export async function gather(ctx: LabContext): Promise<State> {
  const base = await gatherVaultBasics(ctx);
  const s: State = { ...base, ...(await gatherVaultSide(ctx, base)), serviceAccounts: {} };
  try {
    const kube = await kubeFor(ctx);
    s.bindings = await kube.clusterRoleBindings();
    if (s.role) {
      for (const ns of s.role.namespaces) {
        for (const name of s.role.names) {
          s.serviceAccounts[`${ns}/${name}`] = ns === '*' || name === '*' ? true : await kube.serviceAccountExists(ns, name);
        }
      }
      if (base.active !== undefined && Object.keys(s.serviceAccounts).every((k) => !k.includes('*'))) {
        s.login = await tryLogin(ctx, kube, s.role, s.serviceAccounts, base.active);
      }
    }
  } catch (e) {
    s.kubeError = e instanceof Error ? e.message : String(e);
  }
  return s;
}

// ---- pure judges ---------------------------------------------------------------------------------------------

const noVault = (s: State) =>
  s.active === undefined || !s.tokenValid
    ? fail(msg('unseal 된 Vault 에 root 토큰으로 접근할 수 없습니다.', 'cannot reach an unsealed Vault with the root token.'), msg("'npx lab start k8s-auth --platform kind' 로 준비 단계를 다시 실행하세요.", "Re-run the setup with 'npx lab start k8s-auth --platform kind'."))
    : undefined;
const noAuth = (s: State) =>
  noVault(s) ??
  (s.auths?.kubernetes !== 'kubernetes' ? fail(msg('auth/kubernetes 가 켜져 있지 않습니다.', 'auth/kubernetes is not enabled.'), msg('vault auth enable kubernetes', 'vault auth enable kubernetes')) : undefined);
const noRole = (s: State) =>
  noAuth(s) ??
  (!s.role
    ? fail(msg(`role '${K8S.role}' 이 없습니다.`, `role '${K8S.role}' does not exist.`), msg(`vault write auth/kubernetes/role/${K8S.role} bound_service_account_names=${K8S.sa} bound_service_account_namespaces=${K8S.namespace} policies=${K8S.policy} ttl=24h audience=${K8S.audience}`, `vault write auth/kubernetes/role/${K8S.role} bound_service_account_names=${K8S.sa} bound_service_account_namespaces=${K8S.namespace} policies=${K8S.policy} ttl=24h audience=${K8S.audience}`))
    : undefined);
const noKube = (s: State) =>
  s.kubeError ? fail(msg(`Kubernetes API 를 읽을 수 없습니다: ${s.kubeError}`, `cannot read the Kubernetes API: ${s.kubeError}`), msg('kubectl --context "$LAB_KUBE_CONTEXT" get ns 로 클러스터 접근을 확인하세요.', 'Check cluster access: kubectl --context "$LAB_KUBE_CONTEXT" get ns')) : undefined;

/** ACL path globbing as Vault does it for a trailing `*` and `+` segments. */
export function pathMatches(pattern: string, path: string): boolean {
  const re = new RegExp(`^${pattern.split('/').map((seg) => (seg === '+' ? '[^/]+' : seg.replace(/[.*?^${}()|[\]\\]/g, '\\$&'))).join('/').replace(/\\\*$/, '.*')}$`);
  return re.test(path);
}

/** `path "…" { capabilities = [ … ] }` blocks of an HCL policy. */
export function policyPaths(hcl: string): { path: string; capabilities: string[] }[] {
  const out: { path: string; capabilities: string[] }[] = [];
  const re = /path\s+"([^"]+)"\s*\{([^}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(hcl)) !== null) {
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(m[2] ?? '')?.[1] ?? '';
    out.push({ path: m[1]!, capabilities: [...caps.matchAll(/"([^"]+)"/g)].map((c) => c[1]!) });
  }
  return out;
}

const IN_CLUSTER_HOST = /^https:\/\/(kubernetes\.default(\.svc(\.cluster\.local)?)?|10\.96\.0\.1)(:443)?\/?$/;

export const checks: Checker<State>['checks'] = [
  {
    id: 'auth-enabled',
    title: msg('auth/kubernetes 활성화', 'auth/kubernetes is enabled'),
    hint: msg('경로를 바꿔 켜면(-path=k8s) 이후 명령의 auth/kubernetes 경로도 모두 바꿔야 합니다.', 'Enabling at another path (-path=k8s) changes every auth/kubernetes path that follows.'),
    judge: (s) => noAuth(s) ?? pass(),
  },
  {
    id: 'config-host',
    title: msg('kubernetes_host 가 클러스터 내부 주소', 'kubernetes_host is the in-cluster API address'),
    hint: msg('Pod 안의 Vault 에게 127.0.0.1:포트 같은 호스트 쪽 주소는 닿지 않습니다.', 'A host-side address such as 127.0.0.1:port does not reach the API server from inside the pod.'),
    judge: (s) =>
      noAuth(s) ??
      (!s.host
        ? fail(msg('auth/kubernetes/config 가 비어 있습니다.', 'auth/kubernetes/config is empty.'), msg(`vault write auth/kubernetes/config kubernetes_host=${K8S.host}`, `vault write auth/kubernetes/config kubernetes_host=${K8S.host}`))
        : IN_CLUSTER_HOST.test(s.host)
          ? pass()
          : fail(msg(`kubernetes_host 가 ${s.host} 입니다: Vault Pod 에서 닿는 주소가 아닙니다.`, `kubernetes_host is ${s.host}, which the Vault pod cannot reach.`), msg(`vault write auth/kubernetes/config kubernetes_host=${K8S.host}`, `vault write auth/kubernetes/config kubernetes_host=${K8S.host}`))),
  },
  {
    id: 'policy-path',
    title: msg(`정책 ${K8S.policy}: ${K8S.secretApiPath} 읽기`, `policy ${K8S.policy} reads ${K8S.secretApiPath}`),
    hint: msg('KV v2 의 API 경로에는 data/ 가 들어갑니다: secret/webapp/config 라고 쓰면 로그인은 되지만 읽기가 403 입니다.', 'KV v2 API paths contain data/: a policy on secret/webapp/config lets the login succeed but the read gets 403.'),
    judge: (s) => {
      const v = noVault(s);
      if (v) return v;
      const fix = msg(`vault policy write ${K8S.policy} - <<'EOF'\npath "${K8S.secretApiPath}" {\n  capabilities = ["read"]\n}\nEOF`, `vault policy write ${K8S.policy} - <<'EOF'\npath "${K8S.secretApiPath}" {\n  capabilities = ["read"]\n}\nEOF`);
      if (s.policy === undefined) return fail(msg(`정책 '${K8S.policy}' 이 없습니다.`, `policy '${K8S.policy}' does not exist.`), fix);
      const paths = policyPaths(s.policy);
      const hit = paths.find((p) => pathMatches(p.path, K8S.secretApiPath));
      if (hit?.capabilities.includes('read')) return pass();
      if (hit) return fail(msg(`"${hit.path}" 에 read 권한이 없습니다 (${hit.capabilities.join(', ') || '없음'}).`, `"${hit.path}" lacks read (${hit.capabilities.join(', ') || 'none'}).`), fix);
      const noData = paths.find((p) => pathMatches(p.path, K8S.secretApiPath.replace('/data/', '/')));
      if (noData) return fail(msg(`정책 경로 "${noData.path}" 에 data/ 가 빠졌습니다. KV v2 의 실제 API 경로는 ${K8S.secretApiPath} 입니다.`, `policy path "${noData.path}" lacks data/; the KV v2 API path is ${K8S.secretApiPath}.`), fix);
      return fail(msg(`정책이 ${K8S.secretApiPath} 를 다루지 않습니다 (경로: ${paths.map((p) => p.path).join(', ') || '없음'}).`, `the policy does not cover ${K8S.secretApiPath} (paths: ${paths.map((p) => p.path).join(', ') || 'none'}).`), fix);
    },
  },
  {
    id: 'role-bound',
    title: msg(`role ${K8S.role}: 있는 SA 와 네임스페이스에 묶임`, `role ${K8S.role} is bound to a ServiceAccount that exists`),
    hint: msg('학습 노트는 vault SA 를 default 네임스페이스에 묶었지만, vault SA 는 vault 네임스페이스에 있습니다: namespace not authorized.', "The study note binds SA 'vault' in namespace 'default', but that SA lives in namespace 'vault': namespace not authorized."),
    judge: (s) => {
      const r = noRole(s) ?? noKube(s);
      if (r) return r;
      const role = s.role!;
      if (!role.policies.includes(K8S.policy)) return fail(msg(`role 의 정책에 ${K8S.policy} 가 없습니다 (${role.policies.join(', ') || '없음'}).`, `the role's policies lack ${K8S.policy} (${role.policies.join(', ') || 'none'}).`), msg(`vault write auth/kubernetes/role/${K8S.role} … policies=${K8S.policy}`, `vault write auth/kubernetes/role/${K8S.role} … policies=${K8S.policy}`));
      const pairs = Object.entries(s.serviceAccounts);
      if (pairs.some(([, ok]) => ok)) return pass();
      return fail(
        msg(`role 이 가리키는 ServiceAccount 가 클러스터에 없습니다: ${pairs.map(([k]) => k).join(', ') || '(비어 있음)'}`, `no ServiceAccount the role binds exists: ${pairs.map(([k]) => k).join(', ') || '(empty)'}`),
        msg(`앱의 SA 는 ${K8S.namespace}/${K8S.sa} 입니다: bound_service_account_names=${K8S.sa} bound_service_account_namespaces=${K8S.namespace}`, `The app's SA is ${K8S.namespace}/${K8S.sa}: bound_service_account_names=${K8S.sa} bound_service_account_namespaces=${K8S.namespace}`),
      );
    },
  },
  {
    id: 'audience',
    title: msg(`role 의 audience 가 '${K8S.audience}'`, `the role's audience is '${K8S.audience}'`),
    hint: msg("role 의 audience 와 토큰의 aud 가 다르면 TokenReview 에서 거부됩니다. 이 실습의 토큰은 --audience vault 로 만듭니다.", "A role audience that differs from the token's aud is refused at TokenReview; this lab's tokens are made with --audience vault."),
    judge: (s) =>
      noRole(s) ??
      (s.role!.audience === K8S.audience
        ? pass()
        : fail(
            msg(`role 의 audience 가 ${s.role!.audience ? `'${s.role!.audience}'` : '비어 있음'} 입니다. 이 실습의 토큰(aud=${K8S.audience})과 맞지 않습니다.`, `the role's audience is ${s.role!.audience ? `'${s.role!.audience}'` : 'empty'}; this lab's tokens carry aud=${K8S.audience}.`),
            msg(`vault write auth/kubernetes/role/${K8S.role} … audience=${K8S.audience} (토큰: kubectl create token ${K8S.sa} -n ${K8S.namespace} --audience ${K8S.audience})`, `vault write auth/kubernetes/role/${K8S.role} … audience=${K8S.audience} (tokens: kubectl create token ${K8S.sa} -n ${K8S.namespace} --audience ${K8S.audience})`),
          )),
  },
  {
    id: 'auth-delegator',
    title: msg('vault SA 에 system:auth-delegator', 'the vault ServiceAccount has system:auth-delegator'),
    hint: msg('TokenReview 를 만들 권한이 없으면 role 을 아무리 고쳐도 모든 로그인이 실패합니다.', 'Without the right to create TokenReviews every login fails, whatever the role says.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      const ok = (s.bindings ?? []).some(
        (b) => b.role.kind === 'ClusterRole' && b.role.name === 'system:auth-delegator' && b.subjects.some((x) => x.kind === 'ServiceAccount' && x.name === K8S.vaultSa.name && x.namespace === K8S.vaultSa.namespace),
      );
      return ok
        ? pass()
        : fail(
            msg(`${K8S.vaultSa.namespace}/${K8S.vaultSa.name} SA 를 system:auth-delegator 에 묶은 ClusterRoleBinding 이 없습니다.`, `no ClusterRoleBinding binds SA ${K8S.vaultSa.namespace}/${K8S.vaultSa.name} to system:auth-delegator.`),
            msg(`kubectl create clusterrolebinding vault-server-binding --clusterrole=system:auth-delegator --serviceaccount=${K8S.vaultSa.namespace}:${K8S.vaultSa.name} (차트의 server.authDelegator.enabled 가 기본으로 만듭니다)`, `kubectl create clusterrolebinding vault-server-binding --clusterrole=system:auth-delegator --serviceaccount=${K8S.vaultSa.namespace}:${K8S.vaultSa.name} (the chart's server.authDelegator.enabled makes it by default)`),
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
      if (!l) return fail(msg('로그인을 시험할 수 없었습니다 (bound 목록에 * 가 있음).', 'the login could not be tried (the bound lists contain *).'), msg(`bound_service_account_names=${K8S.sa} bound_service_account_namespaces=${K8S.namespace} 처럼 구체적으로 묶으세요.`, `Bind concretely: bound_service_account_names=${K8S.sa} bound_service_account_namespaces=${K8S.namespace}`));
      if (!l.ok) return fail(msg(`로그인 실패${l.sa ? ` (${l.sa})` : ''}: ${l.error ?? ''}`, `login failed${l.sa ? ` (${l.sa})` : ''}: ${l.error ?? ''}`), msg('오류가 namespace/service account not authorized 면 role 의 bound 목록을, invalid audience 면 audience 를, permission denied(tokenreviews) 면 RBAC 를 보세요.', 'namespace/service account not authorized: fix the role bounds; invalid audience: the audience; permission denied on tokenreviews: RBAC.'));
      if (l.read !== 'ok') return fail(msg(`로그인은 되었지만 ${K8S.secretApiPath} 읽기가 ${l.read === 'denied' ? '거부(403)' : '실패'}됩니다.`, `the login works but reading ${K8S.secretApiPath} is ${l.read === 'denied' ? 'denied (403)' : 'failing'}.`), msg(`정책 경로에 data/ 가 들어갔는지, role 의 policies 에 ${K8S.policy} 가 있는지 보세요.`, `Check the policy path has data/ and the role's policies include ${K8S.policy}.`));
      return pass();
    },
  },
];

export const checker = defineChecker<State>({ gather, checks });
