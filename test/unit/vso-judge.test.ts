/** Pure judges of the vso topic, and the manifests its steps apply (parsed back). */
import { describe, expect, it } from 'vitest';
import { loadAllYaml } from '@kubernetes/client-node';
import { checks, VSO, type State } from '../../checkers/vso.ts';
import { authManifest, staticSecretManifest } from '../../scenarios/vso.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { K8S } from '../../checkers/k8s-auth.ts';

const judge = (id: string, s: State) => checks.find((c) => c.id === id)!.judge(s);
const vault = { username: 'static-user', password: 'static-password' };
const start = (): State => ({ vault });
const solved = (): State => ({
  vault,
  operator: { replicas: 1, ready: 1 },
  vaultAuth: { method: 'kubernetes', role: 'webapp', serviceAccount: 'webapp', audiences: ['vault'], valid: true },
  synced: { username: 'static-user', password: 'static-password', _raw: '{}' },
});

describe('vso judges', () => {
  it('every check fails on the start state', () => {
    expect(checks.filter((c) => !c.judge(start()).ok).map((c) => c.id)).toEqual(['operator-ready', 'vault-auth', 'secret-synced']);
  });
  it('every check passes on the solved state', () => {
    for (const c of checks) expect({ id: c.id, ...c.judge(solved()) }).toEqual({ id: c.id, ok: true });
  });
  it('step checks and checker ids agree', async () => {
    const topic = await loadTopic('vso');
    expect([...new Set(topic.steps.flatMap((s) => s.checks ?? []))].sort()).toEqual(checks.map((c) => c.id).sort());
    expect(topic.steps.filter((s) => s.kind === 'task').map((s) => s.id)).toEqual(['install', 'auth', 'static-secret']);
  });
  it('an operator that is not ready yet is caught', () => {
    expect(judge('operator-ready', { ...solved(), operator: { replicas: 1, ready: 0 } }).why?.en).toContain('0/1');
  });
  it('an audience mismatch between VaultAuth and the role is caught', () => {
    const v = judge('vault-auth', { ...solved(), vaultAuth: { ...solved().vaultAuth!, audiences: ['https://kubernetes.default.svc.cluster.local'], valid: false } });
    expect(v.ok).toBe(false);
    expect(v.why?.en).toContain("lack the role's audience 'vault'");
  });
  it('a VaultAuth VSO reports invalid shows its error', () => {
    const v = judge('vault-auth', { ...solved(), vaultAuth: { ...solved().vaultAuth!, valid: false, error: 'namespace not authorized' } });
    expect(v.why?.en).toContain('namespace not authorized');
  });
  it('a Secret that differs from Vault (stale or wrong path) is caught', () => {
    expect(judge('secret-synced', { ...solved(), synced: { username: 'static-user' } }).why?.en).toContain('password');
    expect(judge('secret-synced', { ...solved(), synced: { username: 'old', password: 'static-password' } }).why?.en).toContain('username');
  });
  it('an unreachable Kubernetes API fails with the cause', () => {
    for (const c of checks) expect(c.judge({ ...solved(), kubeError: 'no context' }).why?.en).toContain('no context');
  });
});

describe('vso manifests', () => {
  it('VaultConnection + VaultAuth use the role, SA and audience the k8s-auth role binds', () => {
    const docs = loadAllYaml(authManifest) as { kind: string; apiVersion: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> }[];
    expect(docs.map((d) => d.kind)).toEqual(['VaultConnection', 'VaultAuth']);
    expect(docs.every((d) => d.apiVersion === 'secrets.hashicorp.com/v1beta1' && d.metadata.namespace === K8S.namespace)).toBe(true);
    expect(docs[0]!.spec.address).toBe('http://vault.vault.svc.cluster.local:8200');
    expect(docs[1]!.spec).toEqual({ vaultConnectionRef: VSO.connection, method: 'kubernetes', mount: 'kubernetes', kubernetes: { role: K8S.role, serviceAccount: K8S.sa, audiences: [K8S.audience] } });
  });
  it('VaultStaticSecret reads kv-v2 secret/webapp/config without data/ in its path', () => {
    const [d] = loadAllYaml(staticSecretManifest) as { kind: string; spec: { type: string; mount: string; path: string; destination: { name: string; create: boolean }; vaultAuthRef: string } }[];
    expect(d!.kind).toBe('VaultStaticSecret');
    expect(d!.spec).toMatchObject({ type: 'kv-v2', mount: 'secret', path: 'webapp/config', vaultAuthRef: VSO.auth, destination: { name: VSO.destination, create: true } });
    expect(d!.spec.path).not.toContain('data/');
  });
});
