/** What the kind platform generates, parsed back: the kind cluster config and the hashicorp/vault 0.31.0 values. */
import { describe, expect, it } from 'vitest';
import { loadYaml } from '@kubernetes/client-node';
import { certSans, helmValues, kindClusterConfig, serverHcl, toYaml } from '../../src/platforms/kind/config.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import type { VaultSpec } from '../../src/engine/types.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { execFileSync } from 'node:child_process';

type Values = {
  global: { enabled: boolean; tlsDisable: boolean };
  injector: { enabled: boolean };
  ui: { enabled: boolean };
  server: {
    affinity?: string;
    standalone?: { enabled: boolean; config: string };
    ha?: { enabled: boolean; replicas: number; raft: { enabled: boolean; setNodeId: boolean; config: string } };
    service: { type: string; nodePort?: number };
    extraVolumes?: { type: string; name: string }[];
    extraEnvironmentVars?: Record<string, string>;
    dataStorage: { enabled: boolean; mountPath: string };
  };
};
const parse = (spec: VaultSpec, schedulableNodes?: number): Values => loadYaml<Values>(toYaml(helmValues(spec, schedulableNodes === undefined ? {} : { schedulableNodes })));

describe('kind cluster config', () => {
  it('is a control plane with the seed HA section port mappings and three workers', () => {
    const c = loadYaml<{ kind: string; apiVersion: string; nodes: { role: string; extraPortMappings?: { containerPort: number; hostPort: number }[] }[] }>(toYaml(kindClusterConfig()));
    expect(c.kind).toBe('Cluster');
    expect(c.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(c.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker']);
    expect(c.nodes[0]!.extraPortMappings?.map((m) => [m.containerPort, m.hostPort])).toEqual([[80, 80], [443, 443], [30000, 30000]]);
  });
  it('LAB_KIND_CLUSTER names a second cluster: its context follows, and its port mappings leave 127.0.0.1 to the first', async () => {
    const probe = `const n = await import('./src/platforms/kind/names.ts'); const c = await import('./src/platforms/kind/config.ts');
      console.log(JSON.stringify([n.CLUSTER_NAME, n.DEFAULT_CONTEXT, c.kindClusterConfig().nodes[0].extraPortMappings[0].listenAddress]));`;
    const names = (env: Record<string, string | undefined>) =>
      JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: rootDir, env: { ...process.env, LAB_KIND_CLUSTER: undefined, LAB_KIND_HOST_ADDR: undefined, ...env }, encoding: 'utf8' })) as string[];
    expect(names({})).toEqual(['vault-lab', 'kind-vault-lab', '127.0.0.1']);
    expect(names({ LAB_KIND_CLUSTER: 'vault-lab-2' })).toEqual(['vault-lab-2', 'kind-vault-lab-2', '127.0.0.2']);
    expect(names({ LAB_KIND_CLUSTER: 'Bad Name!' })[0]).toBe('vault-lab');
  });
});

describe('helm values: standalone (vault-k8s, as the seed)', () => {
  it('file storage, NodePort 30000, TLS off, injector off', async () => {
    const v = parse((await loadTopic('vault-k8s')).needs.vault);
    expect(v.global).toEqual({ enabled: true, tlsDisable: true });
    expect(v.injector.enabled).toBe(false);
    expect(v.ui.enabled).toBe(true);
    expect(v.server.ha).toBeUndefined();
    expect(v.server.standalone?.enabled).toBe(true);
    expect(v.server.service).toMatchObject({ type: 'NodePort', nodePort: 30000 });
    expect(v.server.standalone?.config).toMatch(/storage "file" \{\s*path = "\/vault\/data"/);
    expect(v.server.standalone?.config).toMatch(/tls_disable = 1/);
    expect(v.server.standalone?.config).toMatch(/ui = true/);
    expect(v.server.dataStorage.mountPath).toBe('/vault/data');
    expect(v.server.extraVolumes).toBeUndefined();
  });
});

describe('helm values: HA raft (ha-failover), the chart pitfalls', () => {
  it('3 raft replicas with setNodeId, TLS on from the vault-tls secret', async () => {
    const spec = (await loadTopic('ha-failover')).needs.vault;
    const v = parse(spec);
    expect(v.global.tlsDisable).toBe(false);
    expect(v.injector.enabled).toBe(false);
    expect(v.server.standalone).toBeUndefined();
    expect(v.server.ha).toMatchObject({ enabled: true, replicas: 3, raft: { enabled: true, setNodeId: true } });
    expect(v.server.extraVolumes).toEqual([{ type: 'secret', name: 'vault-tls' }]);
    // The in-pod vault CLI talks https to 127.0.0.1: it needs the CA.
    expect(v.server.extraEnvironmentVars?.VAULT_CACERT).toBe('/vault/userconfig/vault-tls/ca.crt');
    // Three workers: keep the chart's required anti-affinity.
    expect(v.server.affinity).toBeUndefined();
  });

  it('retry_join sits inside storage "raft", one per pod, with the CA; listener TLS 1.2; performance_multiplier', async () => {
    const cfg = parse((await loadTopic('ha-failover')).needs.vault).server.ha!.raft.config;
    const raft = /storage "raft" \{([\s\S]*?)\n\}/.exec(cfg)?.[1] ?? '';
    expect(raft).not.toBe('');
    const joins = [...raft.matchAll(/retry_join \{([^}]*)\}/g)].map((m) => m[1]!);
    expect(joins).toHaveLength(3);
    joins.forEach((j, i) => {
      expect(j).toContain(`leader_api_addr = "https://vault-${i}.vault-internal:8200"`);
      expect(j).toContain('leader_ca_cert_file = "/vault/userconfig/vault-tls/ca.crt"');
    });
    expect(raft).toMatch(/performance_multiplier = 1/);
    // Nothing of retry_join outside the raft stanza.
    expect(cfg.replace(raft, '')).not.toContain('retry_join');
    const listener = /listener "tcp" \{([\s\S]*?)\n\}/.exec(cfg)?.[1] ?? '';
    expect(listener).toContain('tls_cert_file = "/vault/userconfig/vault-tls/tls.crt"');
    expect(listener).toContain('tls_key_file = "/vault/userconfig/vault-tls/tls.key"');
    expect(listener).toContain('tls_min_version = "tls12"');
    expect(listener).not.toContain('tls_disable = 1');
    expect(cfg).toContain('service_registration "kubernetes" {}');
    // The chart appends disable_mlock itself (templates/_helpers.tpl): a second one stops Vault 1.21+.
    expect(cfg).not.toContain('disable_mlock');
  });

  it('drops the required anti-affinity when fewer nodes than replicas can take a pod', async () => {
    const spec = (await loadTopic('ha-failover')).needs.vault;
    expect(parse(spec, 1).server.affinity).toBe('');
    expect(parse(spec, 2).server.affinity).toBe('');
    expect(parse(spec, 3).server.affinity).toBeUndefined();
  });

  it('is a pure function of the spec', async () => {
    const spec = (await loadTopic('ha-failover')).needs.vault;
    expect(toYaml(helmValues(spec))).toBe(toYaml(helmValues({ ...spec })));
    expect(() => helmValues({ ...spec, storage: 'inmem' })).toThrow(/inmem/);
  });

  it('certificate SANs cover the wildcard, each pod, the service and 127.0.0.1', async () => {
    const sans = certSans((await loadTopic('ha-failover')).needs.vault);
    expect(sans.dns).toEqual(expect.arrayContaining(['*.vault-internal', 'vault-0.vault-internal', 'vault-1.vault-internal', 'vault-2.vault-internal', 'vault.vault.svc']));
    expect(sans.ip).toEqual(['127.0.0.1']);
  });

  it('serverHcl without TLS disables it on the listener and joins over http', () => {
    const hcl = serverHcl({ nodes: 3, storage: 'raft', tls: false });
    expect(hcl).toContain('tls_disable = 1');
    expect(hcl).toContain('leader_api_addr = "http://vault-0.vault-internal:8200"');
    expect(hcl).not.toContain('leader_ca_cert_file');
  });

  it('serverHcl: Raft standbys forward reads to the active node (OpenBao serves them itself otherwise); file storage has no standbys', () => {
    expect(serverHcl({ nodes: 3, storage: 'raft', tls: false })).toMatch(/^disable_standby_reads = true$/m);
    expect(serverHcl({ nodes: 1, storage: 'file', tls: false })).not.toContain('disable_standby_reads');
  });
});
