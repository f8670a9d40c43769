/**
 * What the kind platform generates, as pure functions of the topic's VaultSpec: the kind cluster config, the
 * values for the official hashicorp/vault chart 0.31.0, and the certificate SANs. Tests parse these back.
 */
import { dumpYaml } from '@kubernetes/client-node';
import type { VaultSpec } from '../../engine/types.ts';
import { usageError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';

import { CHART, CHART_VERSION, CLUSTER_NAME, DEFAULT_CONTEXT, HELM_REPO, HOST_ADDR, INGRESS_HOST, INGRESS_NGINX, NAMESPACE, NODE_PORT, RELEASE, SSL_PASSTHROUGH_FLAG, TLS_DIR, TLS_SECRET, TRANSIT, VAULT_IMAGE, WORKERS, podName } from './names.ts';

export { CHART, CHART_VERSION, CLUSTER_NAME, DEFAULT_CONTEXT, HELM_REPO, HOST_ADDR, INGRESS_HOST, INGRESS_NGINX, NAMESPACE, NODE_PORT, RELEASE, SSL_PASSTHROUGH_FLAG, TLS_DIR, TLS_SECRET, TRANSIT, VAULT_IMAGE, WORKERS, podName };


export interface ClusterOptions {
  /** Workers beside the control plane (toolchain.ts workerCount: the note's three, one node on two cores). */
  workers?: number;
  /** A node image other than kind's default (LAB_KIND_NODE_IMAGE, or the one scripts/build-kind.sh built). */
  nodeImage?: string | undefined;
  /** kubelet 1.35 refuses a cgroup v1 host unless `failCgroupV1: false` (a kubeadm config patch). */
  cgroupV1?: boolean;
  /** kind's own CNI (kindnetd) is an image from a registry: a locally built node gets the lab's bridge CNI instead. */
  disableDefaultCNI?: boolean;
}

/**
 * One cluster serves every kind topic: a control plane labelled `ingress-ready` with host ports 80/443 (ingress-nginx,
 * as in the study note's HA section) and 30000 (the standalone NodePort), and workers, so the chart's required
 * pod anti-affinity can place three Raft pods on three nodes.
 */
export function kindClusterConfig(opts: ClusterOptions = {}): Record<string, unknown> {
  const workers = opts.workers ?? WORKERS;
  const image = opts.nodeImage ? { image: opts.nodeImage } : {};
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    ...(opts.disableDefaultCNI ? { networking: { disableDefaultCNI: true } } : {}),
    nodes: [
      {
        role: 'control-plane',
        ...image,
        // v1alpha4 Node.Labels is map[string]string (kind: pkg/apis/config/v1alpha4/types.go): a string, not a YAML bool.
        labels: { 'ingress-ready': 'true' },
        extraPortMappings: [80, 443, NODE_PORT].map((p) => ({ containerPort: p, hostPort: p, listenAddress: HOST_ADDR, protocol: 'TCP' })),
      },
      ...Array.from({ length: workers }, () => ({ role: 'worker', ...image })),
    ],
    ...(opts.cgroupV1 ? { kubeadmConfigPatches: ['kind: KubeletConfiguration\nfailCgroupV1: false\n'] } : {}),
  };
}

/**
 * The lab's CNI for a locally built node (kind's default CNI is disabled): the containernetworking bridge with this
 * node's pod range; routes to the other nodes' ranges are added beside it (what kindnetd would do).
 */
export function bridgeConflist(podCidr: string): string {
  return JSON.stringify({
    cniVersion: '0.4.0',
    name: 'vault-lab',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: true,
        // A pod reaching itself through a Service (vault-0 → vault-active → vault-0) needs hairpin.
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  });
}

/** A TLS Vault is also reached from outside through ingress-nginx with SSL passthrough; plain HTTP has nothing to pass. */
export const usesIngress = (spec: VaultSpec): boolean => Boolean(spec.tls);

/** SANs for the one server certificate every pod shares. */
export function certSans(spec: VaultSpec): { dns: string[]; ip: string[] } {
  const hosts = [...new Set([...(spec.tls && spec.tls.hostname ? [spec.tls.hostname] : []), ...(usesIngress(spec) ? [INGRESS_HOST] : [])])];
  return {
    dns: [
      ...hosts,
      `*.${RELEASE}-internal`,
      ...Array.from({ length: spec.nodes }, (_, i) => `${podName(i)}.${RELEASE}-internal`),
      `${RELEASE}-internal`,
      `${RELEASE}.${NAMESPACE}.svc`,
      `${RELEASE}.${NAMESPACE}.svc.cluster.local`,
      RELEASE,
      'localhost',
    ],
    // The lab reaches pods through kubectl port-forward on 127.0.0.1, and `vault` inside a pod uses 127.0.0.1.
    ip: ['127.0.0.1'],
  };
}

const q = (s: string): string => JSON.stringify(s);

/** The server's HCL (the chart puts it in a ConfigMap). */
export function serverHcl(spec: VaultSpec): string {
  const tls = spec.tls;
  // No disable_mlock: the chart's "vault.config" helper (templates/_helpers.tpl, 0.31.0) always appends
  // `disable_mlock = true` to an HCL config, and Vault 1.21+ refuses a second one ("argument already set").
  const lines = ['ui = true', '', 'listener "tcp" {', '  address = "[::]:8200"', '  cluster_address = "[::]:8201"'];
  // OpenBao (the image built here) enables audit devices through the API only with this; HashiCorp Vault ignores it.
  if (spec.apiAudit) lines.splice(1, 0, 'unsafe_allow_api_audit_creation = true');
  if (tls) {
    lines.push('  tls_disable = 0', `  tls_cert_file = ${q(`${TLS_DIR}/tls.crt`)}`, `  tls_key_file = ${q(`${TLS_DIR}/tls.key`)}`, `  tls_min_version = ${q(tls.minVersion)}`);
  } else {
    lines.push('  tls_disable = 1');
  }
  if (spec.telemetry) lines.push('  telemetry {', '    unauthenticated_metrics_access = true', '  }');
  lines.push('}', '');
  if (spec.storage === 'raft') {
    // OpenBao standbys answer reads themselves (eventually consistent: right after `secrets enable` a standby says the
    // KV upgrade is still running); this makes them forward to the active node as Vault CE does, which ignores the key.
    lines.push('disable_standby_reads = true', '');
    lines.push('storage "raft" {', '  path = "/vault/data"');
    if (spec.performanceMultiplier) lines.push(`  performance_multiplier = ${spec.performanceMultiplier}`);
    const scheme = tls ? 'https' : 'http';
    for (let i = 0; i < spec.nodes; i++) {
      // retry_join belongs inside the raft stanza; the SANs cover vault-N.vault-internal, so no servername is needed.
      lines.push('  retry_join {', `    leader_api_addr = ${q(`${scheme}://${podName(i)}.${RELEASE}-internal:8200`)}`);
      if (tls) lines.push(`    leader_ca_cert_file = ${q(`${TLS_DIR}/ca.crt`)}`);
      lines.push('  }');
    }
    lines.push('}', '', '# The chart relies on it for the vault-active / vault-standby services.', 'service_registration "kubernetes" {}');
  } else {
    lines.push('storage "file" {', '  path = "/vault/data"', '}');
  }
  if (spec.telemetry) lines.push('', 'telemetry {', '  prometheus_retention_time = "30s"', '  disable_hostname = true', '}');
  if (spec.autoUnseal === 'transit') {
    // In-cluster address of the transit release; the token comes from VAULT_TOKEN (the vault-transit-token Secret).
    lines.push('', 'seal "transit" {', `  address = ${q(`http://${TRANSIT.release}.${TRANSIT.namespace}.svc:8200`)}`, `  key_name = ${q(TRANSIT.key)}`, `  mount_path = ${q(TRANSIT.mount)}`, '}');
  }
  return lines.join('\n') + '\n';
}

export interface ValuesOptions {
  /** Nodes that can take a Vault pod; the chart's default anti-affinity needs one per replica. */
  schedulableNodes?: number;
  /** `repository:tag` of the server image (default VAULT_IMAGE). */
  image?: string | undefined;
}

/** `repo/name:tag` (a registry host may carry a port: the tag is after the last colon that follows the last slash). */
export function splitImage(ref: string): { repository: string; tag: string } {
  const at = ref.lastIndexOf(':');
  if (at <= ref.lastIndexOf('/') || at === ref.length - 1) {
    throw usageError(msg(`LAB_VAULT_IMAGE '${ref}'에 태그가 없습니다 (저장소:태그, 예: ${VAULT_IMAGE}).`, `LAB_VAULT_IMAGE '${ref}' has no tag (repository:tag, e.g. ${VAULT_IMAGE}).`));
  }
  return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
}

/** Helm values for hashicorp/vault 0.31.0. Pure: the same spec always gives the same values. */
export function helmValues(spec: VaultSpec, opts: ValuesOptions = {}): Record<string, unknown> {
  if (spec.storage === 'inmem') throw new Error('the kind platform runs file or raft storage, not inmem');
  const tls = Boolean(spec.tls);
  const server: Record<string, unknown> = {
    image: { ...splitImage(opts.image || VAULT_IMAGE), pullPolicy: 'IfNotPresent' },
    dataStorage: { enabled: true, size: '1Gi', mountPath: '/vault/data' },
    // The chart's default mountPath (/vault/audit, values.yaml 0.31.0); a file audit device writes there.
    auditStorage: { enabled: true, size: '1Gi' },
  };
  if (spec.storage === 'raft') {
    server.ha = { enabled: true, replicas: spec.nodes, raft: { enabled: true, setNodeId: true, config: serverHcl(spec) } };
    server.service = { enabled: true, type: 'ClusterIP' };
    if ((opts.schedulableNodes ?? WORKERS) < spec.nodes) server.affinity = '';
  } else {
    server.standalone = { enabled: true, config: serverHcl(spec) };
    server.service = { enabled: true, type: 'NodePort', nodePort: NODE_PORT };
  }
  if (tls) {
    server.extraVolumes = [{ type: 'secret', name: TLS_SECRET }];
    // The chart points VAULT_ADDR at https://127.0.0.1:8200 inside the pod; `kubectl exec … vault` needs the CA too.
    server.extraEnvironmentVars = { VAULT_CACERT: `${TLS_DIR}/ca.crt` };
  }
  if (spec.autoUnseal === 'transit') {
    // templates/_helpers.tpl "vault.extraSecretEnvironmentVars": envName / secretName / secretKey.
    server.extraSecretEnvironmentVars = [{ envName: 'VAULT_TOKEN', secretName: TRANSIT.tokenSecret, secretKey: 'token' }];
  }
  if (usesIngress(spec)) {
    // templates/server-ingress.yaml (0.31.0): activeService sends HA traffic to vault-active; paths default to "/",
    // and ingress-nginx passes TLS through only for the root location (internal/ingress/controller/controller.go).
    server.ingress = {
      enabled: true,
      ingressClassName: 'nginx',
      activeService: true,
      pathType: 'Prefix',
      annotations: { 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true', 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' },
      hosts: [{ host: INGRESS_HOST, paths: ['/'] }],
    };
  }
  return {
    global: { enabled: true, tlsDisable: !tls },
    injector: { enabled: false },
    server,
    ui: { enabled: true },
  };
}

export const toYaml = (v: unknown): string => dumpYaml(v, { lineWidth: -1, noRefs: true });

/**
 * Strategic merge patch for ingress-nginx's kind Deployment: onto the ingress-ready node (whose host ports 80/443
 * kind maps), with SSL passthrough on. The args list is replaced whole, so it is the pinned manifest's plus the flag.
 */
export function ingressNginxPatch(): Record<string, unknown> {
  return {
    spec: {
      template: {
        spec: {
          nodeSelector: { 'ingress-ready': 'true' },
          containers: [{ name: INGRESS_NGINX.container, args: [...INGRESS_NGINX.args, SSL_PASSTHROUGH_FLAG] }],
        },
      },
    },
  };
}

export function namespaceManifest(): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } };
}

/** The vault-tls Secret with ca.crt (`kubectl create secret tls` makes none; retry_join's leader_ca_cert_file needs it). */
export function tlsSecretManifest(pem: { crt: string; key: string; ca: string }): Record<string, unknown> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: TLS_SECRET, namespace: NAMESPACE },
    type: 'Opaque',
    data: { 'tls.crt': b64(pem.crt), 'tls.key': b64(pem.key), 'ca.crt': b64(pem.ca) },
  };
}

/** The transit release: standalone, file storage, plain HTTP inside the cluster (only the main Vault talks to it). */
export function transitHelmValues(image?: string): Record<string, unknown> {
  const config = ['ui = false', '', 'listener "tcp" {', '  address = "[::]:8200"', '  cluster_address = "[::]:8201"', '  tls_disable = 1', '}', '', 'storage "file" {', '  path = "/vault/data"', '}', ''].join('\n');
  return {
    global: { enabled: true, tlsDisable: true },
    injector: { enabled: false },
    server: {
      image: { ...splitImage(image || VAULT_IMAGE), pullPolicy: 'IfNotPresent' },
      dataStorage: { enabled: true, size: '1Gi', mountPath: '/vault/data' },
      standalone: { enabled: true, config },
      service: { enabled: true, type: 'ClusterIP' },
    },
    ui: { enabled: false },
  };
}

/** The transit token may only encrypt and decrypt with the auto-unseal key (as the local platform's transit Vault). */
export const transitPolicy = `path "transit/encrypt/${TRANSIT.key}" {
  capabilities = ["update"]
}
path "transit/decrypt/${TRANSIT.key}" {
  capabilities = ["update"]
}
`;

/**
 * Brings the transit release to serving: init (keys 0600 beside the script), unseal, transit engine and key, a
 * periodic token for the policy, and that token as the Secret the main Vault reads. Secrets travel on stdin only.
 * Reruns converge. Usage: bash transit-bootstrap.sh <kube context>
 */
export function transitBootstrapScript(): string {
  const ex = `kubectl --context "$CTX" -n ${TRANSIT.namespace} exec -i ${TRANSIT.pod} --`;
  return [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'umask 077',
    'CTX="$1"',
    'DIR="$(cd "$(dirname "$0")" && pwd)"',
    // A Running pod may not listen yet: wait until `vault status` answers (exit 2 is sealed, 1 is no answer).
    `for _ in $(seq 90); do rc=0; ${ex} vault status > /dev/null 2>&1 || rc=$?; [ "$rc" != 1 ] && break; sleep 2; done`,
    `if [ ! -s "$DIR/transit-keys.json" ]; then`,
    `  ${ex} vault operator init -key-shares=1 -key-threshold=1 -format=json > "$DIR/transit-keys.json"`,
    'fi',
    `jq -r '.unseal_keys_b64[0]' "$DIR/transit-keys.json" | ${ex} sh -c 'IFS= read -r K; exec vault operator unseal "$K"' > /dev/null`,
    `jq -r '.root_token' "$DIR/transit-keys.json" | ${ex} sh -c 'IFS= read -r VAULT_TOKEN; export VAULT_TOKEN`,
    `  vault secrets list -format=json | grep -q '"'"'"${TRANSIT.mount}"'"'"' || vault secrets enable -path=${TRANSIT.mount} transit > /dev/null`,
    `  vault write -f ${TRANSIT.mount}keys/${TRANSIT.key} > /dev/null`,
    `  vault policy write ${TRANSIT.key} - > /dev/null <<EOF`,
    transitPolicy.trimEnd(),
    'EOF',
    `  exec vault token create -orphan -policy=${TRANSIT.key} -period=24h -field=token' > "$DIR/transit-token"`,
    `kubectl --context "$CTX" -n ${NAMESPACE} create secret generic ${TRANSIT.tokenSecret} --from-file=token="$DIR/transit-token" --dry-run=client -o yaml | kubectl --context "$CTX" apply -f -`,
    '',
  ].join('\n');
}
