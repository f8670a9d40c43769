/** Names the kind platform uses; no imports, so scenarios and checkers can load them cheaply. */
/** kind's own default name rule (pkg/internal/apis/config/validate.go): a DNS label, lower case. */
const KIND_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,48}[a-z0-9])?$/;
const asked = process.env.LAB_KIND_CLUSTER?.trim();
/**
 * The lab's own kind cluster. LAB_KIND_CLUSTER names another one (a second checkout or CI beside a learner's cluster);
 * everything the lab derives from the name (kube context, node container, `kind delete`) follows from here.
 */
export const CLUSTER_NAME = asked && KIND_NAME.test(asked) ? asked : 'vault-lab';
export const DEFAULT_CONTEXT = `kind-${CLUSTER_NAME}`;
/**
 * Host address of the control plane's port mappings (80, 443, 30000). A second cluster cannot bind the same
 * 127.0.0.1 ports: it takes 127.0.0.2 (any 127/8 address is loopback on Linux), or LAB_KIND_HOST_ADDR.
 */
export const HOST_ADDR = process.env.LAB_KIND_HOST_ADDR?.trim() || (CLUSTER_NAME === 'vault-lab' ? '127.0.0.1' : '127.0.0.2');

/**
 * The kind platform's own variables that were set to something it cannot use. A name kind refuses, an address that is
 * not loopback, an operator it does not know: each is said at once (usage, exit 2), before anything is made; a name
 * quietly replaced by vault-lab would drive the learner's other cluster.
 */
export function kindEnvProblem(env: Record<string, string | undefined>): { key: string; value: string; want: { ko: string; en: string } } | undefined {
  const rules: { key: string; ok: (v: string) => boolean; want: { ko: string; en: string } }[] = [
    { key: 'LAB_KIND_CLUSTER', ok: (v) => KIND_NAME.test(v), want: { ko: '소문자, 숫자, -와 .로 된 kind 클러스터 이름 (예: vault-lab-2)', en: 'a kind cluster name of lower-case letters, digits, - and . (e.g. vault-lab-2)' } },
    { key: 'LAB_KIND_HOST_ADDR', ok: (v) => /^127\.(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){2}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/.test(v), want: { ko: '127.0.0.2 같은 루프백 IPv4 주소', en: 'a loopback IPv4 address such as 127.0.0.2' } },
    { key: 'LAB_VSO_OPERATOR', ok: (v) => v === 'eso' || v === 'vso', want: { ko: 'eso 또는 vso', en: 'eso or vso' } },
  ];
  for (const r of rules) {
    const v = env[r.key]?.trim();
    if (v && !r.ok(v)) return { key: r.key, value: v, want: r.want };
  }
  return undefined;
}
export const NAMESPACE = 'vault';
export const RELEASE = 'vault';
export const CHART = 'hashicorp/vault';
export const CHART_VERSION = '0.31.0';
export const HELM_REPO = { name: 'hashicorp', url: 'https://helm.releases.hashicorp.com' };
export const TLS_SECRET = 'vault-tls';
/** The chart mounts `server.extraVolumes` secrets here. */
export const TLS_DIR = `/vault/userconfig/${TLS_SECRET}`;
/** The seed's NodePort for the standalone server (http://HOST_ADDR:30000 through kind's port mapping). */
export const NODE_PORT = 30000;
export const WORKERS = 3;
/** The study note's HA and TLS sections reach Vault as https://vault.example.com through ingress-nginx with SSL passthrough. */
export const INGRESS_HOST = 'vault.example.com';
/**
 * ingress-nginx's manifest for kind, pinned (it pins its images by digest). Its controller Deployment's args as
 * shipped in deploy/static/provider/kind/deploy.yaml at this tag: a strategic merge patch replaces the list whole.
 */
export const INGRESS_NGINX = {
  tag: 'controller-v1.15.1',
  manifest: 'https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml',
  namespace: 'ingress-nginx',
  deployment: 'ingress-nginx-controller',
  container: 'controller',
  /** Its ValidatingWebhookConfiguration; the admission-create Job fills in caBundle some seconds after the rollout. */
  webhook: 'ingress-nginx-admission',
  args: [
    '/nginx-ingress-controller',
    '--election-id=ingress-nginx-leader',
    '--controller-class=k8s.io/ingress-nginx',
    '--ingress-class=nginx',
    '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller',
    '--validating-webhook=:8443',
    '--validating-webhook-certificate=/usr/local/certificates/cert',
    '--validating-webhook-key=/usr/local/certificates/key',
    '--watch-ingress-without-class=true',
    '--publish-status-address=localhost',
  ],
} as const;
/** pkg/flags/flags.go of ingress-nginx: without it the ssl-passthrough annotation is ignored. */
export const SSL_PASSTHROUGH_FLAG = '--enable-ssl-passthrough';

export const podName = (i: number): string => `vault-${i}`;
/** The chart's audit volume (server.auditStorage, mountPath /vault/audit in values.yaml 0.31.0). */
export const POD_AUDIT_LOG = '/vault/audit/audit.log';
/** The chart's own default server image (values.yaml 0.31.0), pinned here; LAB_VAULT_IMAGE=<repo>:<tag> overrides it. */
export const VAULT_IMAGE = 'hashicorp/vault:1.20.4';
/** The production topic's KMS stand-in: a second release of the chart whose transit engine auto-unseals the main Vault. */
export const TRANSIT = { release: 'vault-transit', namespace: 'vault-transit', pod: 'vault-transit-0', tokenSecret: 'vault-transit-token', key: 'autounseal', mount: 'transit/' } as const;
