/** The server config each local node runs with: a pure function of the spec, so tests can read it. */
import type { Flavor } from './binary.ts';

export interface NodeConfigInput {
  flavor: Flavor;
  nodeId: string;
  apiPort: number;
  clusterPort: number;
  dataDir: string;
  storage: 'file' | 'raft' | 'inmem';
  tls?: { cert: string; key: string; ca: string; minVersion: string };
  /** Other nodes' API addresses for retry_join. */
  peers: string[];
  performanceMultiplier?: number;
  apiAudit?: boolean;
  telemetry?: boolean;
  transitSeal?: { addr: string; keyName: string; mountPath: string; token: string; caFile?: string };
}

const q = (s: string): string => JSON.stringify(s);

/** Autopilot's reconcile and update interval on a lab node (fast profile, performance_multiplier set). */
export const AUTOPILOT_TICK = '250ms';

export function renderNodeConfig(c: NodeConfigInput): string {
  const scheme = c.tls ? 'https' : 'http';
  const lines: string[] = [];
  lines.push('ui = true', 'disable_mlock = true', `api_addr = ${q(`${scheme}://127.0.0.1:${c.apiPort}`)}`, `cluster_addr = ${q(`https://127.0.0.1:${c.clusterPort}`)}`);
  if (c.apiAudit && c.flavor === 'bao') lines.push('unsafe_allow_api_audit_creation = true');
  // OpenBao 2.5+ standbys answer reads themselves (eventually consistent: a read right after a write can miss it);
  // Vault CE standbys forward every request to the active node. The lab's Raft nodes behave like Vault CE.
  if (c.storage === 'raft' && c.flavor === 'bao') lines.push('disable_standby_reads = true');
  lines.push('', 'listener "tcp" {', `  address = ${q(`127.0.0.1:${c.apiPort}`)}`, `  cluster_address = ${q(`127.0.0.1:${c.clusterPort}`)}`);
  if (c.tls) {
    lines.push(`  tls_cert_file = ${q(c.tls.cert)}`, `  tls_key_file = ${q(c.tls.key)}`, `  tls_min_version = ${q(c.tls.minVersion)}`);
  } else {
    lines.push('  tls_disable = true');
  }
  if (c.telemetry) lines.push('  telemetry {', '    unauthenticated_metrics_access = true', '  }');
  lines.push('}', '');
  if (c.storage === 'raft') {
    lines.push('storage "raft" {', `  path = ${q(c.dataDir)}`, `  node_id = ${q(c.nodeId)}`);
    if (c.performanceMultiplier) {
      lines.push(`  performance_multiplier = ${c.performanceMultiplier}`);
      // The same fast profile for autopilot: it promotes new voters on its reconcile tick (10 s by default) from the
      // health it refreshes on its update tick (2 s by default); a lab can afford both every quarter second.
      lines.push(`  autopilot_reconcile_interval = "${AUTOPILOT_TICK}"`, `  autopilot_update_interval = "${AUTOPILOT_TICK}"`);
    }
    for (const peer of c.peers) {
      lines.push('  retry_join {', `    leader_api_addr = ${q(peer)}`);
      if (c.tls) lines.push(`    leader_ca_cert_file = ${q(c.tls.ca)}`);
      lines.push('  }');
    }
    lines.push('}');
  } else if (c.storage === 'file') {
    lines.push('storage "file" {', `  path = ${q(c.dataDir)}`, '}');
  } else {
    lines.push('storage "inmem" {}');
  }
  if (c.telemetry) lines.push('', 'telemetry {', '  prometheus_retention_time = "30s"', '  disable_hostname = true', '}');
  if (c.transitSeal) {
    const s = c.transitSeal;
    lines.push('', 'seal "transit" {', `  address = ${q(s.addr)}`, `  token = ${q(s.token)}`, `  key_name = ${q(s.keyName)}`, `  mount_path = ${q(s.mountPath)}`);
    if (s.caFile) lines.push(`  tls_ca_cert = ${q(s.caFile)}`);
    lines.push('}');
  }
  return lines.join('\n') + '\n';
}
