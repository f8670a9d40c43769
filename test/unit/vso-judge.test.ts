/** Pure judges of the vso topic, and the manifests its steps apply (parsed back). */
import { fixText, renderOn } from '../helpers.ts';
import { describe, expect, it } from 'vitest';
import { loadAllYaml } from '@kubernetes/client-node';
import { checks, ESO, VSO, type State } from '../../checkers/vso.ts';
import { authManifest, externalSecretManifest, secretStoreManifest, staticSecretManifest } from '../../scenarios/vso.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { K8S, type State as K8sState } from '../../checkers/k8s-auth.ts';
import { nonEmpty } from '../non-empty.ts';
import { onPlatform } from '../../src/engine/applies.ts';

const judge = (id: string, s: State) => checks.find((c) => c.id === id)!.judge(s);
/** The Vault side as the setup leaves it: the operator's SA logs in and reads (k8s-auth's gather without probes). */
const API = 'https://127.0.0.1:18332';
const k8s = (platform: 'local' | 'kind'): K8sState => ({
  platform,
  expectedHost: platform === 'local' ? API : 'https://kubernetes.default.svc',
  nodes: [{ name: 'vault-0', reachable: true, initialized: true, sealed: false, standby: false }],
  keysFile: true,
  active: 0,
  tokenValid: true,
  mounts: undefined,
  auths: { token: 'token', kubernetes: 'kubernetes' },
  host: platform === 'local' ? API : 'https://kubernetes.default.svc',
  caSet: true,
  reviewerSet: true,
  policy: 'path "secret/data/webapp/config" {\n  capabilities = ["read"]\n}\n',
  role: { names: ['webapp'], namespaces: ['default'], policies: ['webapp'], audience: 'vault', ttl: 86400 },
  serviceAccounts: { 'default/webapp': true },
  bindings: [{ name: 'vault-server-binding', role: { kind: 'ClusterRole', name: 'system:auth-delegator' }, subjects: [{ kind: 'ServiceAccount', name: 'vault', namespace: 'vault' }] }],
  login: { ok: true, read: 'ok', sa: 'default/webapp' },
});
/** The checks of a platform by its capabilities: local (ESO as a process), kind with VSO's chart, kind with ESO in the cluster. */
const PLATFORMS = {
  local: { name: 'local', eso: { runs: 'host' } },
  kind: { name: 'kind', vsoChart: true },
  'kind-eso': { name: 'kind', eso: { runs: 'cluster', namespace: 'vault', deployment: 'external-secrets' } },
} as const;
const on = (platform: keyof typeof PLATFORMS) => checks.filter((c) => onPlatform(c, PLATFORMS[platform]));
const vault = { username: 'static-user', password: 'static-password' };
const start = (): State => ({ platform: 'kind', operatorKind: 'vso', vault, vaultVersion: 1, vaultHistory: [vault], k8s: k8s('kind') });
const solved = (): State => ({
  platform: 'kind',
  operatorKind: 'vso',
  k8s: k8s('kind'),
  vault,
  vaultVersion: 1,
  vaultHistory: [vault],
  operator: { replicas: 1, ready: 1 },
  vaultAuth: { method: 'kubernetes', role: 'webapp', serviceAccount: 'webapp', audiences: ['vault'], valid: true },
  staticSecret: { generation: 1, lastGeneration: 1, secretMAC: true, conditions: [{ type: 'SecretSynced', status: 'True', reason: 'SecretSynced' }, { type: 'Healthy', status: 'True' }] },
  synced: { username: 'static-user', password: 'static-password', _raw: '{}' },
});

const rotated = { username: 'static-user', password: 'rotated-password-2' };
const ready = (reason: string, at = '2026-11-29T19:00:00Z') => [{ type: 'Ready', status: 'True', reason, lastTransitionTime: at }];
/** What the local platform's ESO leaves after the by-hand copy, the sync, a change in Vault and a deleted Secret. */
const solvedLocal = (): State => ({
  platform: 'local',
  operatorKind: 'eso',
  k8s: k8s('local'),
  vault: rotated,
  vaultVersion: 2,
  vaultHistory: [vault, rotated],
  operator: { replicas: 1, ready: 1, crds: [...ESO.crds] },
  store: { conditions: ready('Valid') },
  externalSecret: { conditions: ready('SecretSynced') },
  manual: { ...vault },
  synced: { ...rotated },
  syncedMeta: { uid: 'u2', createdAt: '2026-11-29T19:00:30Z', owners: [{ kind: 'ExternalSecret', name: ESO.externalSecret }] },
});
const startLocal = (): State => ({ platform: 'local', operatorKind: 'eso', vault, vaultVersion: 1, vaultHistory: [vault], operator: { replicas: 1, ready: 1, crds: [...ESO.crds] }, k8s: k8s('local') });

describe('vso judges (kind: VSO)', () => {
  it('every kind check fails on the start state', () => {
    expect(on('kind').filter((c) => !c.judge(start()).ok).map((c) => c.id)).toEqual(['operator-ready', 'vault-auth', 'static-secret-synced', 'secret-synced']);
  });
  it('every kind check passes on the solved state', () => {
    for (const c of nonEmpty(on('kind'))) expect({ id: c.id, ...c.judge(solved()) }).toEqual({ id: c.id, ok: true });
  });
  it('step checks and checker ids agree', async () => {
    const topic = await loadTopic('vso');
    expect([...new Set(topic.steps.flatMap((s) => s.checks ?? []))].sort()).toEqual(checks.map((c) => c.id).sort());
    const tasks = (p: keyof typeof PLATFORMS) => topic.steps.filter((s) => s.kind === 'task' && onPlatform(s, PLATFORMS[p])).map((s) => s.id);
    expect(tasks('kind')).toEqual(['install', 'auth', 'static-secret']);
    expect(tasks('local')).toEqual(['by-hand', 'secret-store', 'external-secret', 'drift']);
    expect(tasks('kind-eso')).toEqual(['by-hand', 'secret-store', 'external-secret', 'drift']);
  });
  it('kind static-secret: the typed lines wait for VSO to create the Secret before reading it (a get right after apply is NotFound)', async () => {
    const step = (await loadTopic('vso')).steps.find((s) => s.id === 'static-secret')!;
    const lines = (step.commands ?? []).map((c) => (c.kind === 'exec' ? c.args.join(' ') : ''));
    const wait = lines.findIndex((l) => l.includes('wait --for=create secret/webapp-config'));
    const get = lines.findIndex((l) => l.includes('get secret webapp-config'));
    expect(wait, lines.join('\n')).toBeGreaterThan(0);
    expect(wait).toBeLessThan(get);
  });
  it('an operator that is not ready yet is caught', () => {
    expect(judge('operator-ready', { ...solved(), operator: { replicas: 1, ready: 0 } }).why?.en).toContain('0/1');
  });
  it('an audience mismatch between VaultAuth and the role is caught', () => {
    const v = judge('vault-auth', { ...solved(), vaultAuth: { ...solved().vaultAuth!, audiences: ['https://kubernetes.default.svc.cluster.local'], valid: false } });
    expect(v.ok).toBe(false);
    expect(v.why?.en).toContain("lack the role's audience 'vault'");
  });
  it('an error VSO records on the VaultAuth is shown', () => {
    const v = judge('vault-auth', { ...solved(), vaultAuth: { ...solved().vaultAuth!, valid: false, error: 'namespace not authorized' } });
    expect(v.why?.en).toContain('namespace not authorized');
  });
  it('a valid VaultAuth proves nothing: an unsynced VaultStaticSecret and a missing Secret fail (issue 12)', () => {
    const s: State = { ...solved(), staticSecret: { generation: 1, lastGeneration: 0, secretMAC: false, conditions: [] }, synced: undefined };
    expect(judge('vault-auth', s).ok).toBe(true);
    expect(judge('static-secret-synced', s).why?.en).toContain('has not synced');
    expect(judge('secret-synced', s).why?.en).toContain('does not exist');
    const failed: State = { ...solved(), staticSecret: { ...solved().staticSecret!, conditions: [{ type: 'SecretSynced', status: 'False', message: 'Failed to sync the secret, err=403 permission denied' }] } };
    expect(judge('static-secret-synced', failed).why?.en).toContain('SecretSynced=False: Failed to sync the secret, err=403');
  });
  it('a Secret that differs from Vault (stale or wrong path) is caught', () => {
    expect(judge('secret-synced', { ...solved(), synced: { username: 'static-user' } }).why?.en).toContain('password');
    expect(judge('secret-synced', { ...solved(), synced: { username: 'old', password: 'static-password' } }).why?.en).toContain('username');
  });
  it('an unreachable Kubernetes API fails with the cause', () => {
    for (const c of nonEmpty(checks)) expect(c.judge({ ...solved(), kubeError: 'no context' }).why?.en).toContain('no context');
  });
});

describe('vso judges (local: ESO)', () => {
  it('every local check fails on the start state', () => {
    expect(on('local').filter((c) => !c.judge(startLocal()).ok).map((c) => c.id)).toEqual(['manual-secret', 'store-ready', 'external-secret-ready', 'secret-synced', 'vault-change-synced', 'secret-recreated']);
    expect(judge('operator-ready', { ...startLocal(), operator: { replicas: 1, ready: 1, crds: [] } }).why?.en).toContain('CRDs are missing');
  });
  it('every local check passes on the solved state', () => {
    for (const c of nonEmpty(on('local'))) expect({ id: c.id, ...c.judge(solvedLocal()) }).toEqual({ id: c.id, ok: true });
  });
  it('kind with ESO in the cluster judges the ESO checks, none of VSO\'s', () => {
    expect(on('kind-eso').map((c) => c.id)).toEqual(on('local').map((c) => c.id));
    expect(on('kind-eso').map((c) => c.id)).not.toContain('vault-auth');
    expect(on('kind').map((c) => c.id)).not.toContain('store-ready');
    for (const c of nonEmpty(on('kind-eso'))) expect({ id: c.id, ...c.judge({ ...solvedLocal(), platform: 'kind' }) }).toEqual({ id: c.id, ok: true });
    expect(judge('operator-ready', { ...solvedLocal(), platform: 'kind', operator: { replicas: 1, ready: 0, crds: [...ESO.crds] } }).ok).toBe(false);
  });
  it("the SecretStore's and ExternalSecret's own conditions are read, with ESO's message", () => {
    const bad = { conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidProviderConfig', message: 'invalid audience (aud) claim' }] };
    expect(judge('store-ready', { ...solvedLocal(), store: bad }).why?.en).toContain('InvalidProviderConfig: invalid audience');
    expect(judge('external-secret-ready', { ...solvedLocal(), externalSecret: { conditions: [{ type: 'Ready', status: 'False', reason: 'SecretSyncedError', message: 'could not get secret data from provider' }] } }).why?.en).toContain('SecretSyncedError');
  });
  it('a change in Vault that has not reached the Secret, or no change at all, is caught', () => {
    expect(judge('vault-change-synced', { ...solvedLocal(), synced: { ...vault } }).why?.en).toContain('version 2 but the Secret still differs: password');
    expect(judge('vault-change-synced', { ...solvedLocal(), vault, vaultVersion: 1, vaultHistory: [vault], synced: { ...vault } }).why?.en).toContain('first version');
  });
  it('a Secret never deleted, or one not owned by the ExternalSecret, is caught', () => {
    expect(judge('secret-recreated', { ...solvedLocal(), syncedMeta: { ...solvedLocal().syncedMeta!, createdAt: '2026-11-29T19:00:01Z' } }).why?.en).toContain('made at the first sync');
    expect(judge('secret-recreated', { ...solvedLocal(), syncedMeta: { ...solvedLocal().syncedMeta!, owners: [] } }).why?.en).toContain('not owned by ExternalSecret');
    // A condition that flapped (store broken, then fixed) moves the first-sync time: the uids seen before still tell.
    expect(judge('secret-recreated', { ...solvedLocal(), externalSecret: { conditions: ready('SecretSynced', '2026-11-29T19:05:00Z') }, uidsSeen: 2 }).ok).toBe(true);
    expect(judge('secret-recreated', { ...solvedLocal(), externalSecret: { conditions: ready('SecretSynced', '2026-11-29T19:05:00Z') }, uidsSeen: 1 }).ok).toBe(false);
  });
  it('the by-hand Secret must hold values Vault had', () => {
    expect(judge('manual-secret', { ...solvedLocal(), manual: { username: 'static-user', password: 'typo' } }).ok).toBe(false);
    expect(judge('manual-secret', { ...solvedLocal(), manual: { ...rotated } }).ok).toBe(true);
  });
});

describe('vso names the Vault-side cause (issue 22, item 5)', () => {
  const broken = (k: Partial<K8sState>): State => ({ ...solvedLocal(), k8s: { ...k8s('local'), ...k } });
  it('a policy without data/: the Vault-side check names it, the store and the ExternalSecret fold under it', () => {
    const s = broken({ policy: 'path "secret/webapp/config" {\n  capabilities = ["read"]\n}\n', login: { ok: true, read: 'denied', sa: 'default/webapp' } });
    const v = judge('vault-side', s);
    expect(v.why?.en).toMatch(/^Vault-side cause \(policy-path\): policy path "secret\/webapp\/config" lacks data\//);
    // ESO's condition still says Ready: the store is judged by the fresh login instead.
    expect(judge('store-ready', s)).toMatchObject({ ok: false, after: 'vault-side' });
    expect(judge('external-secret-ready', { ...s, externalSecret: { conditions: [{ type: 'Ready', status: 'False', reason: 'SecretSyncedError', message: 'could not get secret data from provider' }] } })).toMatchObject({ ok: false, after: 'vault-side' });
  });
  it("a role bound to the wrong SA: Vault's own words from the app's login", async () => {
    const v = judge('vault-side', broken({ role: { ...k8s('local').role!, namespaces: ['vault'] }, serviceAccounts: { 'vault/webapp': false }, login: { ok: false, error: 'namespace not authorized', sa: 'default/webapp' } }));
    expect(v.why?.en).toMatch(/^Vault-side cause \(login\): login failed \(default\/webapp\): namespace not authorized/);
    expect(fixText(v, await renderOn('local', 'vso'))).toMatch(/bound_service_account_names=webapp bound_service_account_namespaces=default/);
  });
  it('a deleted auth-delegator binding: named as the binding', () => {
    const v = judge('vault-side', broken({ bindings: [], login: { ok: false, error: 'permission denied', sa: 'default/webapp' } }));
    expect(v.why?.en).toMatch(/^Vault-side cause \(auth-delegator\): no ClusterRoleBinding binds SA vault\/vault to system:auth-delegator/);
  });
  it("ESO's error text maps to a named cause when the Vault side is fine", () => {
    const es = (message: string) => judge('external-secret-ready', { ...solvedLocal(), externalSecret: { conditions: [{ type: 'Ready', status: 'False', reason: 'SecretSyncedError', message }] } });
    expect(es('Error making API request. URL: GET http://x/v1/secret/data/data/webapp/config Code: 404').why?.en).toMatch(/data\/ twice/);
    expect(es('unable to log in with Kubernetes auth: service account name not authorized').why?.en).toMatch(/bound_service_account_names/);
    expect(judge('vault-side', solvedLocal()).ok).toBe(true);
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
  it('SecretStore + ExternalSecret (ESO, local) use the same role, SA, audience and path without data/', () => {
    const [store] = loadAllYaml(secretStoreManifest) as { kind: string; apiVersion: string; spec: { provider: { vault: Record<string, unknown> } } }[];
    expect(store!.apiVersion).toBe('external-secrets.io/v1');
    expect(store!.spec.provider.vault).toEqual({ server: '$ESO_VAULT_ADDR', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: K8S.role, serviceAccountRef: { name: K8S.sa, audiences: [K8S.audience] } } } });
    const [es] = loadAllYaml(externalSecretManifest) as { kind: string; spec: { refreshInterval: string; target: { name: string; creationPolicy: string }; dataFrom: { extract: { key: string } }[] } }[];
    expect(es!.kind).toBe('ExternalSecret');
    expect(es!.spec).toMatchObject({ refreshInterval: '10s', target: { name: VSO.destination, creationPolicy: 'Owner' }, dataFrom: [{ extract: { key: 'webapp/config' } }] });
  });
});
