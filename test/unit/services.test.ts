/**
 * Services as modules (src/services/): one port allocator for every service of every topic, on both platforms, and
 * adapters that keep to what their service declares.
 */
import { describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { fakeDeps } from '../kind-fake.ts';
import { loadAll } from '../../src/engine/catalogue.ts';
import { LabDir } from '../../src/engine/state.ts';
import { LocalPlatform } from '../../src/platforms/local/local.ts';
import { KindPlatform } from '../../src/platforms/kind/kind.ts';
import { TOPIC_SLOTS, portBase } from '../../src/platforms/ports.ts';
import { SERVICES, kubeAdapter, neededServices, serviceNames, type ServiceName } from '../../src/services/index.ts';
import { BLOCK, OFFSETS, VAULT_SLOTS, allocate, servicePort, vaultOffsets } from '../../src/services/ports.ts';
import type { KubeHost, LocalHost } from '../../src/services/types.ts';
import { nonEmpty } from '../non-empty.ts';

useTempLabHome('services-test-');

/** Each port and who holds it; the test fails on the first port held twice. */
function expectDistinct(held: [string, number][]): void {
  const seen = new Map<number, string>();
  for (const [who, port] of held) {
    expect(seen.get(port), `${who} and ${seen.get(port)} share port ${port}`).toBeUndefined();
    seen.set(port, who);
  }
}

describe('the port allocator', () => {
  it('gives every role of every registered service its own offset, after Vault\'s and inside the block', () => {
    const all = serviceNames().flatMap((n) => SERVICES[n].ports.map((role): [string, number] => [`${n}.${role}`, OFFSETS[n]![role]!]));
    expect(all.length).toBe(serviceNames().reduce((k, n) => k + SERVICES[n].ports.length, 0));
    // Pairwise, not per topic: a topic that one day needs two services together finds them apart already.
    expectDistinct(all);
    for (const [who, o] of all) expect(o >= VAULT_SLOTS && o < BLOCK, `${who} at offset ${o}`).toBe(true);
  });

  it('refuses a registry that does not fit the block, a service registered twice, a role named twice', () => {
    expect(() => allocate([['a', ['x', 'y']], ['b', ['z']]], 10, 12)).toThrow(/'b' port 'z' does not fit/);
    expect(() => allocate([['a', ['x']], ['a', ['y']]])).toThrow(/registered twice/);
    expect(() => allocate([['a', ['x', 'x']]])).toThrow(/names a port role twice/);
    expect(() => servicePort(20000, 'ldap', 'nope')).toThrow(/no port 'nope'/);
    expect(() => vaultOffsets({ nodes: 5, activeAddr: true })).toThrow(/do not fit/);
  });

  it('every topic of the catalogue has its own block (none falls into the shared "other" block)', async () => {
    const ids = (await loadAll()).map((t) => t.id);
    expect(ids.filter((id) => !TOPIC_SLOTS.includes(id))).toEqual([]);
    const bases = nonEmpty(ids.flatMap((id) => [portBase(id), portBase(id, 'kind')]));
    expect(new Set(bases).size).toBe(bases.length);
  });

  it('local: Vault\'s nodes, the active relay and every service of every topic listen on distinct ports in the topic\'s block', async () => {
    for (const topic of nonEmpty(await loadAll())) {
      if (!topic.platforms.includes('local')) continue;
      const p = new LocalPlatform(new LabDir(topic.id), topic.needs.vault);
      const spec = topic.needs.vault;
      const held: [string, number][] = [];
      for (let i = 0; i < spec.nodes; i++) held.push([`vault-${i} api`, p.apiPort(i)], [`vault-${i} cluster`, p.apiPort(i) + 1]);
      if (spec.activeAddr) held.push(['vault-active', p.apiPort(spec.nodes)]);
      expect(held.map(([, port]) => port - p.base).sort((a, b) => a - b)).toEqual([...vaultOffsets(spec)].sort((a, b) => a - b));
      for (const n of neededServices(topic.needs)) for (const role of SERVICES[n].ports) held.push([`${n}.${role}`, p.hostFor(n).port(role)]);
      expectDistinct(held);
      for (const [who, port] of held) expect(port >= p.base && port < p.base + BLOCK, `${topic.id}: ${who} at ${port} outside ${p.base}+${BLOCK}`).toBe(true);
    }
  });

  it('kind: the pods\' forwards and every service\'s forward of every topic are distinct, in the kind block', async () => {
    let forwards = 0;
    for (const topic of nonEmpty(await loadAll())) {
      if (!topic.platforms.includes('kind')) continue;
      const p = new KindPlatform(new LabDir(topic.id), topic, fakeDeps({ pods: [] }).deps);
      const held: [string, number][] = Array.from({ length: topic.needs.vault.nodes }, (_, i): [string, number] => [`vault-${i}`, p.localPort(i)]);
      for (const f of p.forwards()) held.push([f.name, f.local]);
      forwards += p.forwards().length;
      expectDistinct(held);
      for (const [who, port] of held) expect(port >= p.base && port < p.base + BLOCK, `${topic.id}: ${who}`).toBe(true);
    }
    // ldap and mcp have in-cluster services: the loop above saw them.
    expect(forwards).toBeGreaterThanOrEqual(2);
  });
});

describe('adapters keep to their service', () => {
  const localHost = (name: ServiceName): LocalHost => new LocalPlatform(new LabDir('mcp'), { nodes: 1, storage: 'file', tls: false }).hostFor(name);
  const kubeHost = (name: ServiceName): KubeHost => ({ lab: new LabDir('mcp'), namespace: 'vault', vaultAddr: 'http://vault.vault.svc.cluster.local:8200', port: (role) => servicePort(30000, name, role), kubectl: () => Promise.reject(new Error('no cluster')) });

  it('a local adapter\'s env() names only the variables its service declares', async () => {
    for (const n of nonEmpty(serviceNames())) {
      const env = (await SERVICES[n].local()).env?.(localHost(n)) ?? {};
      expect(Object.keys(env).filter((k) => !SERVICES[n].env.includes(k)), n).toEqual([]);
    }
  });

  it('a kube adapter\'s env() too, and its port-forward (where it has one) is one of its service\'s ports', () => {
    const adapters = nonEmpty(serviceNames().flatMap((n) => (kubeAdapter(n) ? [n] : [])));
    for (const n of adapters) {
      const k = kubeAdapter(n)!;
      expect(Object.keys(k.env(kubeHost(n))).filter((v) => !SERVICES[n].env.includes(v)), n).toEqual([]);
      if (k.forward !== undefined) expect(SERVICES[n].ports).toContain(k.forward);
    }
  });
});
