import { describe, expect, it } from 'vitest';
import { renderNodeConfig, type NodeConfigInput } from '../../src/vault/config.ts';
import { candidates } from '../../src/platforms/local/active-proxy.ts';

const base: NodeConfigInput = {
  flavor: 'bao',
  nodeId: 'vault-1',
  apiPort: 18222,
  clusterPort: 18223,
  dataDir: '/lab/nodes/vault-1/data',
  storage: 'raft',
  tls: { cert: '/lab/tls/vault-1.crt', key: '/lab/tls/vault-1.key', ca: '/lab/tls/ca.crt', minVersion: 'tls12' },
  peers: ['https://127.0.0.1:18220', 'https://127.0.0.1:18224'],
  performanceMultiplier: 1,
};

describe('local node config (pure)', () => {
  it('raft with one retry_join per peer, each verifying the leader with the lab CA, inside storage "raft"', () => {
    const hcl = renderNodeConfig(base);
    const storage = hcl.slice(hcl.indexOf('storage "raft"'));
    expect(storage.match(/retry_join \{/g)).toHaveLength(2);
    expect(storage).toContain('leader_api_addr = "https://127.0.0.1:18220"');
    expect(storage.match(/leader_ca_cert_file = "\/lab\/tls\/ca.crt"/g)).toHaveLength(2);
    expect(storage).toContain('node_id = "vault-1"');
    expect(storage).toContain('performance_multiplier = 1');
    expect(storage).toContain('autopilot_reconcile_interval = "250ms"');
  });
  it('TLS listener with an explicit floor, and addresses on loopback', () => {
    const hcl = renderNodeConfig(base);
    expect(hcl).toContain('tls_min_version = "tls12"');
    expect(hcl).toContain('api_addr = "https://127.0.0.1:18222"');
    expect(hcl).toContain('address = "127.0.0.1:18222"');
    expect(hcl).not.toContain('tls_disable');
    expect(hcl).toContain('disable_mlock = true');
  });
  it('API audit creation is unlocked only for OpenBao, only when asked', () => {
    expect(renderNodeConfig({ ...base, apiAudit: true })).toContain('unsafe_allow_api_audit_creation = true');
    expect(renderNodeConfig({ ...base, apiAudit: true, flavor: 'vault' })).not.toContain('unsafe_allow_api_audit_creation');
    expect(renderNodeConfig(base)).not.toContain('unsafe_allow_api_audit_creation');
  });
  it('OpenBao Raft nodes forward reads from standbys like Vault CE (disable_standby_reads), autopilot ticks fast', () => {
    const hcl = renderNodeConfig(base);
    expect(hcl).toMatch(/^disable_standby_reads = true$/m);
    // Top level, not inside storage "raft".
    expect(hcl.indexOf('disable_standby_reads')).toBeLessThan(hcl.indexOf('storage "raft"'));
    expect(hcl).toContain('autopilot_update_interval = "250ms"');
    expect(renderNodeConfig({ ...base, flavor: 'vault' })).not.toContain('disable_standby_reads');
    expect(renderNodeConfig({ ...base, storage: 'file', peers: [] })).not.toContain('disable_standby_reads');
  });
  it('file storage without TLS for the standalone topic', () => {
    const hcl = renderNodeConfig({ ...base, storage: 'file', tls: undefined, peers: [] });
    expect(hcl).toContain('storage "file"');
    expect(hcl).toContain('tls_disable = true');
    expect(hcl).toContain('api_addr = "http://127.0.0.1:18222"');
    expect(hcl).not.toContain('retry_join');
  });
});

describe('vault-active relay order (pure)', () => {
  const nodes = [0, 1, 2].map((i) => ({ host: '127.0.0.1', port: 18220 + 2 * i }));
  it('the active node first, then the others in their own order; with none active, node order', () => {
    expect(candidates(nodes, [undefined, 'active', undefined]).map((n) => n.port)).toEqual([18222, 18220, 18224]);
    expect(candidates(nodes, []).map((n) => n.port)).toEqual([18220, 18222, 18224]);
  });
  it('with no active node known (an election, a lagging probe), an unsealed standby before a sealed or stopped node', () => {
    // vault-0 restarted sealed, vault-2 a standby: a write through the relay must not meet "Vault is sealed".
    expect(candidates(nodes, ['other', 'other', 'unsealed']).map((n) => n.port)).toEqual([18224, 18220, 18222]);
    expect(candidates(nodes, ['unsealed', 'active', 'unsealed']).map((n) => n.port)).toEqual([18222, 18220, 18224]);
  });
});
