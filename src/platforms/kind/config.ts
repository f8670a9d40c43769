/**
 * What the kind platform generates, as pure functions of the topic's VaultSpec: the kind cluster config, the
 * values for the official hashicorp/vault chart 0.31.0, and the certificate SANs. Tests parse these back.
 */
import { dumpYaml } from '@kubernetes/client-node';
import type { VaultSpec } from '../../engine/types.ts';

import { CHART, CHART_VERSION, CLUSTER_NAME, DEFAULT_CONTEXT, HELM_REPO, NAMESPACE, NODE_PORT, RELEASE, TLS_DIR, TLS_SECRET, WORKERS, podName } from './names.ts';

export { CHART, CHART_VERSION, CLUSTER_NAME, DEFAULT_CONTEXT, HELM_REPO, NAMESPACE, NODE_PORT, RELEASE, TLS_DIR, TLS_SECRET, WORKERS, podName };


/**
 * One cluster serves every kind topic: a control plane (with the seed's host port mappings) and three workers,
 * so the chart's required pod anti-affinity can place three Raft pods on three nodes.
 */
export function kindClusterConfig(opts: { workers?: number } = {}): Record<string, unknown> {
  const workers = opts.workers ?? WORKERS;
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    nodes: [
      {
        role: 'control-plane',
        extraPortMappings: [NODE_PORT, NODE_PORT + 1].map((p) => ({ containerPort: p, hostPort: p, listenAddress: '127.0.0.1', protocol: 'TCP' })),
      },
      ...Array.from({ length: workers }, () => ({ role: 'worker' })),
    ],
  };
}

/** SANs for the one server certificate every pod shares. */
export function certSans(spec: VaultSpec): { dns: string[]; ip: string[] } {
  const host = spec.tls ? spec.tls.hostname : undefined;
  return {
    dns: [
      ...(host ? [host] : []),
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
  const lines = ['ui = true'];
  if (spec.storage === 'raft') lines.push('disable_mlock = true');
  lines.push('', 'listener "tcp" {', '  address = "[::]:8200"', '  cluster_address = "[::]:8201"');
  if (tls) {
    lines.push('  tls_disable = 0', `  tls_cert_file = ${q(`${TLS_DIR}/tls.crt`)}`, `  tls_key_file = ${q(`${TLS_DIR}/tls.key`)}`, `  tls_min_version = ${q(tls.minVersion)}`);
  } else {
    lines.push('  tls_disable = 1');
  }
  lines.push('}', '');
  if (spec.storage === 'raft') {
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
  return lines.join('\n') + '\n';
}

export interface ValuesOptions {
  /** Nodes that can take a Vault pod; the chart's default anti-affinity needs one per replica. */
  schedulableNodes?: number;
}

/** Helm values for hashicorp/vault 0.31.0. Pure: the same spec always gives the same values. */
export function helmValues(spec: VaultSpec, opts: ValuesOptions = {}): Record<string, unknown> {
  if (spec.storage === 'inmem') throw new Error('the kind platform runs file or raft storage, not inmem');
  const tls = Boolean(spec.tls);
  const server: Record<string, unknown> = {
    dataStorage: { enabled: true, size: '1Gi', mountPath: '/vault/data' },
    auditStorage: { enabled: true, size: '1Gi', mountPath: '/vault/logs' },
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
  return {
    global: { enabled: true, tlsDisable: !tls },
    injector: { enabled: false },
    server,
    ui: { enabled: true },
  };
}

export const toYaml = (v: unknown): string => dumpYaml(v, { lineWidth: -1, noRefs: true });
