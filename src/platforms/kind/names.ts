/** Names the kind platform uses; no imports, so scenarios and checkers can load them cheaply. */
export const CLUSTER_NAME = 'vault-lab';
export const DEFAULT_CONTEXT = `kind-${CLUSTER_NAME}`;
export const NAMESPACE = 'vault';
export const RELEASE = 'vault';
export const CHART = 'hashicorp/vault';
export const CHART_VERSION = '0.31.0';
export const HELM_REPO = { name: 'hashicorp', url: 'https://helm.releases.hashicorp.com' };
export const TLS_SECRET = 'vault-tls';
/** The chart mounts `server.extraVolumes` secrets here. */
export const TLS_DIR = `/vault/userconfig/${TLS_SECRET}`;
/** The seed's NodePort for the standalone server (http://127.0.0.1:30000 through kind's port mapping). */
export const NODE_PORT = 30000;
export const WORKERS = 3;

export const podName = (i: number): string => `vault-${i}`;
