/**
 * Vault Secrets Operator: the operator Deployment, the VaultAuth status VSO writes, and the synced Kubernetes
 * Secret compared with Vault. Gathered through the Kubernetes and Vault APIs; judged purely.
 */
import type { Checker, LabContext } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { kubeFor, K8S } from './k8s-auth.ts';

export const VSO = {
  release: 'vault-secrets-operator',
  namespace: 'vault-secrets-operator',
  chartVersion: '0.10.0',
  deployment: 'vault-secrets-operator-controller-manager',
  group: 'secrets.hashicorp.com',
  version: 'v1beta1',
  appNamespace: K8S.namespace,
  connection: 'vault-connection',
  auth: 'webapp-auth',
  staticSecret: 'webapp-config',
  destination: 'webapp-config',
  vaultAddr: 'http://vault.vault.svc.cluster.local:8200',
} as const;

export interface State {
  kubeError?: string | undefined;
  operator?: { replicas: number; ready: number } | undefined;
  vaultAuth?: { method?: string; role?: string; serviceAccount?: string; audiences: string[]; valid?: boolean; error?: string } | undefined;
  /** The Kubernetes Secret VSO writes (decoded). */
  synced?: Record<string, string> | undefined;
  /** secret/webapp/config in Vault, read with the admin token. */
  vault?: Record<string, unknown> | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export async function gather(ctx: LabContext): Promise<State> {
  const s: State = {};
  const a = await ctx.activeVault().catch(() => undefined);
  if (a) s.vault = (await a.client.kvGet('secret', 'webapp/config').catch(() => undefined))?.data;
  try {
    const kube = await kubeFor(ctx);
    s.operator = await kube.deployment(VSO.namespace, VSO.deployment);
    const va = await kube.customObject(VSO.group, VSO.version, VSO.appNamespace, 'vaultauths', VSO.auth);
    if (va) {
      const spec = (va.spec ?? {}) as Record<string, unknown>;
      const k = (spec.kubernetes ?? {}) as Record<string, unknown>;
      const status = (va.status ?? {}) as Record<string, unknown>;
      s.vaultAuth = {
        ...(str(spec.method) ? { method: str(spec.method)! } : {}),
        ...(str(k.role) ? { role: str(k.role)! } : {}),
        ...(str(k.serviceAccount) ? { serviceAccount: str(k.serviceAccount)! } : {}),
        audiences: Array.isArray(k.audiences) ? k.audiences.map(String) : [],
        ...(typeof status.valid === 'boolean' ? { valid: status.valid } : {}),
        ...(str(status.error) ? { error: str(status.error)! } : {}),
      };
    }
    s.synced = await kube.secretData(VSO.appNamespace, VSO.destination);
  } catch (e) {
    s.kubeError = e instanceof Error ? e.message : String(e);
  }
  return s;
}

const noKube = (s: State) =>
  s.kubeError ? fail(msg(`Kubernetes API 를 읽을 수 없습니다: ${s.kubeError}`, `cannot read the Kubernetes API: ${s.kubeError}`), msg('kubectl --context "$LAB_KUBE_CONTEXT" get ns 로 클러스터 접근을 확인하세요.', 'Check cluster access: kubectl --context "$LAB_KUBE_CONTEXT" get ns')) : undefined;

export const checks: Checker<State>['checks'] = [
  {
    id: 'operator-ready',
    title: msg('VSO 컨트롤러가 Ready', 'the VSO controller is ready'),
    hint: msg('차트를 다른 네임스페이스에 설치하면 이후 명령의 네임스페이스도 바꿔야 합니다.', 'Installing the chart in another namespace changes the namespace of every later command.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      const install = msg(`helm upgrade --install ${VSO.release} hashicorp/vault-secrets-operator -n ${VSO.namespace} --create-namespace --version ${VSO.chartVersion} --wait`, `helm upgrade --install ${VSO.release} hashicorp/vault-secrets-operator -n ${VSO.namespace} --create-namespace --version ${VSO.chartVersion} --wait`);
      if (!s.operator) return fail(msg(`${VSO.namespace}/${VSO.deployment} Deployment 가 없습니다.`, `Deployment ${VSO.namespace}/${VSO.deployment} does not exist.`), install);
      if (s.operator.ready < 1) return fail(msg(`VSO 컨트롤러가 아직 Ready 가 아닙니다 (${s.operator.ready}/${s.operator.replicas}).`, `the VSO controller is not ready (${s.operator.ready}/${s.operator.replicas}).`), msg(`kubectl -n ${VSO.namespace} describe deploy ${VSO.deployment}`, `kubectl -n ${VSO.namespace} describe deploy ${VSO.deployment}`));
      return pass();
    },
  },
  {
    id: 'vault-auth',
    title: msg('VaultAuth 가 유효함', 'VaultAuth is valid'),
    hint: msg('VaultAuth 의 audiences 와 role 의 audience, serviceAccount 와 role 의 bound SA 가 어긋나면 로그인이 실패합니다.', "VaultAuth's audiences must match the role's audience, and its serviceAccount the role's bound SA."),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      const va = s.vaultAuth;
      if (!va) return fail(msg(`${VSO.appNamespace}/${VSO.auth} VaultAuth 가 없습니다.`, `VaultAuth ${VSO.appNamespace}/${VSO.auth} does not exist.`), msg("auth 단계의 매니페스트를 kubectl apply 하세요 (npx lab hint vso auth).", "kubectl apply the auth step's manifest (npx lab hint vso auth)."));
      if (va.method !== 'kubernetes' || va.role !== K8S.role || va.serviceAccount !== K8S.sa)
        return fail(msg(`VaultAuth 가 method=kubernetes, role=${K8S.role}, serviceAccount=${K8S.sa} 가 아닙니다 (${va.method ?? '-'}, ${va.role ?? '-'}, ${va.serviceAccount ?? '-'}).`, `VaultAuth is not method=kubernetes, role=${K8S.role}, serviceAccount=${K8S.sa} (${va.method ?? '-'}, ${va.role ?? '-'}, ${va.serviceAccount ?? '-'}).`), msg('spec.method, spec.kubernetes.role, spec.kubernetes.serviceAccount 를 고치세요.', 'Fix spec.method, spec.kubernetes.role and spec.kubernetes.serviceAccount.'));
      if (!va.audiences.includes(K8S.audience))
        return fail(msg(`VaultAuth 의 audiences(${va.audiences.join(', ') || '없음'})에 role 의 audience '${K8S.audience}' 가 없습니다.`, `VaultAuth audiences (${va.audiences.join(', ') || 'none'}) lack the role's audience '${K8S.audience}'.`), msg(`spec.kubernetes.audiences: [${K8S.audience}]`, `spec.kubernetes.audiences: [${K8S.audience}]`));
      if (va.valid !== true)
        return fail(msg(`VSO 가 VaultAuth 를 유효하다고 보지 않습니다${va.error ? `: ${va.error}` : ' (아직 상태 없음)'}.`, `VSO does not report the VaultAuth as valid${va.error ? `: ${va.error}` : ' (no status yet)'}.`), msg(`kubectl -n ${VSO.appNamespace} describe vaultauth ${VSO.auth} 의 이벤트를 보세요.`, `See the events: kubectl -n ${VSO.appNamespace} describe vaultauth ${VSO.auth}`));
      return pass();
    },
  },
  {
    id: 'secret-synced',
    title: msg(`Secret ${VSO.destination} 가 Vault 값과 같음`, `Secret ${VSO.destination} matches Vault`),
    hint: msg('VaultStaticSecret 의 path 에는 data/ 를 쓰지 않습니다 (mount: secret, path: webapp/config).', 'A VaultStaticSecret path has no data/ (mount: secret, path: webapp/config).'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      if (!s.synced) return fail(msg(`${VSO.appNamespace}/${VSO.destination} Secret 이 없습니다.`, `Secret ${VSO.appNamespace}/${VSO.destination} does not exist.`), msg(`kubectl -n ${VSO.appNamespace} describe vaultstaticsecret ${VSO.staticSecret} 로 동기화 오류를 보세요.`, `See sync errors: kubectl -n ${VSO.appNamespace} describe vaultstaticsecret ${VSO.staticSecret}`));
      if (!s.vault) return fail(msg('Vault 의 secret/webapp/config 를 읽을 수 없어 비교할 수 없습니다.', 'cannot read secret/webapp/config in Vault to compare.'), msg('Vault 가 unseal 되어 있고 값이 있는지 보세요.', 'Check Vault is unsealed and the secret exists.'));
      const diff = ['username', 'password'].filter((key) => s.synced?.[key] === undefined || s.synced[key] !== String(s.vault?.[key] ?? ''));
      return diff.length
        ? fail(msg(`Secret 의 키가 없거나 Vault 와 다릅니다: ${diff.join(', ')}`, `Secret keys missing or different from Vault: ${diff.join(', ')}`), msg('refreshAfter 만큼 기다리거나, VaultStaticSecret 의 mount/path 가 secret, webapp/config 인지 보세요.', 'Wait for refreshAfter, or check the VaultStaticSecret mount/path are secret and webapp/config.'))
        : pass();
    },
  },
];

export const checker = defineChecker<State>({ gather, checks });
