/** Pure judges of the k8s-auth topic: start state fails, solved state passes, each typical mistake is caught. */
import { describe, expect, it } from 'vitest';
import { checks, pathMatches, policyPaths, triedFromAudit, K8S, type State, type Tried } from '../../checkers/k8s-auth.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { nonEmpty } from '../non-empty.ts';
import { fixText, renderOn } from '../helpers.ts';
import { samePolicy } from '../../src/vault/policy.ts';

const render = await renderOn('local', 'k8s-auth');
const judge = (id: string, s: State) => checks.find((c) => c.id === id)!.judge(s);
const node = { name: 'vault-0', reachable: true, initialized: true, sealed: false, standby: false };

/** What `lab start k8s-auth` leaves: Vault ready, nothing of the auth method yet. */
const start = (): State => ({
  platform: 'kind',
  expectedHost: 'https://kubernetes.default.svc',
  nodes: [node],
  keysFile: true,
  active: 0,
  tokenValid: true,
  mounts: undefined,
  auths: { token: 'token' },
  serviceAccounts: {},
  bindings: [{ name: 'vault-server-binding', role: { kind: 'ClusterRole', name: 'system:auth-delegator' }, subjects: [{ kind: 'ServiceAccount', name: 'vault', namespace: 'vault' }] }],
});

const solved = (): State => ({
  ...start(),
  auths: { token: 'token', kubernetes: 'kubernetes' },
  host: 'https://kubernetes.default.svc',
  policy: 'path "secret/data/webapp/config" {\n  capabilities = ["read"]\n}\n',
  role: { names: ['webapp'], namespaces: ['default'], policies: ['webapp'], audience: 'vault', ttl: 86400 },
  serviceAccounts: { 'default/webapp': true },
  login: { ok: true, read: 'ok', sa: 'default/webapp' },
  refusals: { otherSa: refused('default/lab-probe'), otherNs: refused('lab-probe/webapp'), apiAudience: refused('default/webapp') },
  tried: didAll(),
});

/** What the audit log shows after the learner typed steps 6-8. */
const didAll = (): Tried => ({
  logins: [
    { ok: true, sa: 'default/webapp', uid: 'uid-1' },
    { ok: false, error: 'invalid audience (aud) claim: audience claim does not match any expected audience' },
    { ok: false, error: 'invalid audience (aud) claim: audience claim does not match any expected audience' },
    { ok: false, error: 'service account name not authorized' },
    { ok: false, error: 'permission denied' },
    { ok: true, sa: 'default/webapp', uid: 'uid-2' },
  ],
  deniedWrite: true,
});

const refused = (sa: string) => ({ ok: false, error: 'permission denied', sa });
const accepted = (sa: string) => ({ ok: true, read: 'ok' as const, sa });

/** The local platform: Vault outside the cluster, the lab's own apiserver. */
const API = 'https://127.0.0.1:18332';
const solvedLocal = (): State => ({ ...solved(), platform: 'local', expectedHost: API, host: API, caSet: true, reviewerSet: true });

describe('samePolicy: a step that writes a policy is done only when the live one grants the same', () => {
  const want = 'path "secret/data/webapp/config" {\n  capabilities = ["read"]\n}\n';
  it('layout and order do not matter; every mutation of a path or a capability does', () => {
    expect(samePolicy(want, want)).toBe(true);
    expect(samePolicy('path "secret/data/webapp/config" { capabilities = ["read", "read"] }', want)).toBe(true);
    const mutations = [
      want.replace('"read"', '"create"'),
      want.replace('"read"', '"read", "update"'),
      want.replace('secret/data/webapp/config', 'secret/webapp/config'),
      want.replace('secret/data/webapp/config', 'secret/data/webapp/*'),
      want.replace('secret/data/webapp/config', 'secret/data/+/config'),
      `${want}path "secret/data/other" { capabilities = ["read"] }\n`,
      '',
    ];
    for (const m of mutations) expect(samePolicy(m, want), m).toBe(false);
    expect(samePolicy(undefined, want)).toBe(false);
  });
});

describe("k8s-auth: steps 6-8 judged from what the learner did (the audit log)", () => {
  const line = (o: unknown) => JSON.stringify(o);
  const login = (extra: object, headers?: object) => line({ type: 'response', request: { path: 'auth/kubernetes/login', operation: 'update', ...(headers ? { headers } : {}) }, ...extra });
  it('reads the learner\'s logins and the refused write, and skips the lab\'s own probes (x-vault-lab)', () => {
    const log = [
      login({ auth: { metadata: { service_account_name: 'webapp', service_account_namespace: 'default', service_account_uid: 'u1' } } }),
      login({ auth: { metadata: { service_account_name: 'lab-probe', service_account_namespace: 'default' } } }, { 'x-vault-lab': ['probe'] }),
      login({ error: 'service account name not authorized' }),
      line({ type: 'request', request: { path: 'auth/kubernetes/login' } }),
      line({ type: 'request', error: 'permission denied', auth: { policies: ['default', 'webapp'] }, request: { path: K8S.secretApiPath, operation: 'create' } }),
      'not json auth/kubernetes/login',
    ].join('\n');
    expect(triedFromAudit(log)).toEqual({ logins: [{ ok: true, sa: 'default/webapp', uid: 'u1' }, { ok: false, error: 'service account name not authorized' }], deniedWrite: true });
    // The same write as root is not the lesson's refusal.
    expect(triedFromAudit(line({ type: 'request', error: 'permission denied', auth: { policies: ['root'] }, request: { path: K8S.secretApiPath, operation: 'update' } })).deniedWrite).toBe(false);
  });

  it('a role that could log in is not a login done: each step fails until its evidence exists', () => {
    const none = { ...solved(), tried: { logins: [], deniedWrite: false } };
    for (const id of ['you-logged-in', 'you-tried-refusals', 'you-recreated']) {
      const v = judge(id, none);
      expect(v.ok, id).toBe(false);
      expect(v.fix?.en).toMatch(/^npx lab hint k8s-auth (login|refusals|recreate)$/);
    }
    // A login whose write went through (as root: VAULT_TOKEN lost to BAO_TOKEN) is not the lesson's step 6.
    expect(judge('you-logged-in', { ...solved(), tried: { ...didAll(), deniedWrite: false } }).ok).toBe(false);
    // Recreated but never logged in again with the new SA: one uid only.
    const t = didAll();
    expect(judge('you-recreated', { ...solved(), tried: { ...t, logins: t.logins.slice(0, 5) } }).ok).toBe(false);
    expect(judge('you-tried-refusals', { ...solved(), tried: { ...t, logins: t.logins.filter((l) => !/audience/.test(l.error ?? '')) } }).ok).toBe(false);
    // No audit device: said so, with the command that enables it again.
    expect(judge('you-logged-in', { ...solved(), tried: undefined }).fix?.en).toMatch(/npx lab start k8s-auth/);
  });
});

describe('k8s-auth judges', () => {
  it('every check fails on the start state except the chart-made RBAC', () => {
    const s = start();
    const failing = checks.filter((c) => !c.judge(s).ok).map((c) => c.id);
    expect(failing).toEqual(['auth-enabled', 'config-host', 'policy-path', 'role-bound', 'audience', 'login', 'other-sa-refused', 'other-ns-refused', 'api-audience-refused', 'you-logged-in', 'you-tried-refusals', 'you-recreated']);
    // On local nothing exists yet, not even the binding: every check fails.
    const local = { ...s, platform: 'local' as const, expectedHost: API, bindings: [] };
    expect(checks.filter((c) => !c.judge(local).ok).map((c) => c.id)).toEqual(checks.map((c) => c.id));
  });

  it('every check passes on the solved state', () => {
    for (const s of [solved(), solvedLocal()]) for (const c of nonEmpty(checks)) expect({ id: c.id, ...c.judge(s) }).toEqual({ id: c.id, ok: true });
  });

  it('every check id is one a step names, and every step check exists', async () => {
    const topic = await loadTopic('k8s-auth');
    const named = new Set(topic.steps.flatMap((s) => s.checks ?? []));
    expect([...named].sort()).toEqual(checks.map((c) => c.id).sort());
    expect(topic.platforms).toEqual(['local', 'kind']);
    expect(topic.steps.filter((x) => x.platforms?.includes('local') && !x.platforms.includes('kind')).map((x) => x.id)).toEqual(['accounts', 'config']);
  });

  it('policy without data/ is caught with a specific message', () => {
    const v = judge('policy-path', { ...solved(), policy: 'path "secret/webapp/config" {\n  capabilities = ["read"]\n}\n' });
    expect(v.ok).toBe(false);
    expect(v.why?.en).toContain('lacks data/');
  });

  it('policy on the right path without read is caught', () => {
    const v = judge('policy-path', { ...solved(), policy: 'path "secret/data/webapp/config" { capabilities = ["list"] }' });
    expect(v.ok).toBe(false);
    expect(v.why?.en).toContain('lacks read');
  });

  it('a glob policy that covers the path passes', () => {
    expect(judge('policy-path', { ...solved(), policy: 'path "secret/data/webapp/*" { capabilities = ["read", "list"] }' }).ok).toBe(true);
  });

  it("the seed's role (SA vault in namespace default, which does not exist) is caught", () => {
    const v = judge('role-bound', { ...solved(), role: { ...solved().role!, names: ['vault'], namespaces: ['default'] }, serviceAccounts: { 'default/vault': false } });
    expect(v.ok).toBe(false);
    expect(v.why?.en).toContain('default/vault');
  });

  it('a role without the webapp policy is caught', () => {
    expect(judge('role-bound', { ...solved(), role: { ...solved().role!, policies: ['default'] } }).ok).toBe(false);
  });

  it('an external kubernetes_host is caught', () => {
    const v = judge('config-host', { ...solved(), host: 'https://127.0.0.1:6443' });
    expect(v.ok).toBe(false);
    expect(v.why?.en).toContain('127.0.0.1:6443');
    expect(judge('config-host', { ...solved(), host: 'https://kubernetes.default.svc.cluster.local:443' }).ok).toBe(true);
  });

  it('on local: the in-cluster address, a missing CA or a missing reviewer JWT is caught', () => {
    const inCluster = judge('config-host', { ...solvedLocal(), host: 'https://kubernetes.default.svc' });
    expect(inCluster.why?.en).toContain('in-cluster name');
    expect(fixText(inCluster, render)).toContain('kubernetes_host="$KUBE_API"');
    expect(judge('config-host', { ...solvedLocal(), caSet: false }).why?.en).toContain('kubernetes_ca_cert is missing');
    expect(judge('config-host', { ...solvedLocal(), reviewerSet: false }).why?.en).toContain('token_reviewer_jwt is missing');
    expect(judge('config-host', { ...solvedLocal(), host: `${API}/` }).ok).toBe(true);
  });

  it('a role that lets in another SA, another namespace or an API-audience token is caught by the refusal probes', () => {
    expect(judge('other-sa-refused', { ...solved(), refusals: { ...solved().refusals!, otherSa: accepted('default/lab-probe') } }).why?.en).toContain('default/lab-probe logs in and even reads');
    expect(fixText(judge('other-ns-refused', { ...solved(), refusals: { ...solved().refusals!, otherNs: accepted('lab-probe/webapp') } }), render)).toContain('bound_service_account_namespaces=default');
    expect(fixText(judge('api-audience-refused', { ...solved(), refusals: { ...solved().refusals!, apiAudience: accepted('default/webapp') } }), render)).toContain('audience=vault');
  });

  it('a refusal proves nothing while the right SA cannot log in either', () => {
    const v = judge('other-sa-refused', { ...solved(), login: { ok: false, error: 'x509: certificate signed by unknown authority' } });
    expect(v.ok).toBe(false);
    expect(v.why?.en).toContain('cannot log in yet');
  });

  it('an audience that does not match the tokens is caught, and so is none', () => {
    expect(judge('audience', { ...solved(), role: { ...solved().role!, audience: 'https://kubernetes.default.svc.cluster.local' } }).ok).toBe(false);
    expect(judge('audience', { ...solved(), role: { ...solved().role!, audience: '' } }).why?.en).toContain('empty');
  });

  it('a missing system:auth-delegator binding (or one for the wrong SA) is caught', () => {
    expect(judge('auth-delegator', { ...solved(), bindings: [] }).ok).toBe(false);
    expect(judge('auth-delegator', { ...solved(), bindings: [{ name: 'x', role: { kind: 'ClusterRole', name: 'system:auth-delegator' }, subjects: [{ kind: 'ServiceAccount', name: 'vault', namespace: 'default' }] }] }).ok).toBe(false);
  });

  it('a login that works but cannot read (403) fails; a refused login shows Vault\'s error', () => {
    expect(judge('login', { ...solved(), login: { ok: true, read: 'denied' } }).why?.en).toContain('denied (403)');
    const v = judge('login', { ...solved(), login: { ok: false, error: 'namespace not authorized', sa: 'default/webapp' } });
    expect(v.ok).toBe(false);
    expect(v.why?.en).toContain('namespace not authorized');
  });

  it('an unreachable Kubernetes API fails the Kubernetes checks with the cause', () => {
    const s = { ...solved(), kubeError: 'connect ECONNREFUSED' };
    for (const id of ['role-bound', 'auth-delegator', 'login']) expect(judge(id, s).why?.en).toContain('ECONNREFUSED');
  });

  it('issue 22 wording: a kubeconfig gone under a watch is said in words; an empty audience reads as Korean', async () => {
    const gone = judge('login', { ...solved(), platform: 'local', kubeError: "ENOENT: no such file or directory, open '/x/.lab/k8s-auth/kube/kubeconfig'" });
    expect(gone.why?.ko).toBe('랩의 kubeconfig가 없습니다: 랩을 지웠거나(lab reset) 아직 시작하지 않았습니다.');
    expect(gone.why?.ko).not.toContain('ENOENT');
    const empty = judge('audience', { ...solved(), role: { ...solved().role!, audience: '' } });
    expect(empty.why?.ko).toMatch(/^role의 audience가 비어 있습니다\. /);
    // The lesson sends the learner on to vso, not to the catalogue's next topic.
    expect((await loadTopic('k8s-auth')).next).toBe('vso');
  });

  it('a sealed Vault fails every Vault check with one clear reason', () => {
    const s = { ...solved(), active: undefined };
    for (const id of ['auth-enabled', 'config-host', 'policy-path', 'role-bound', 'audience']) expect(judge(id, s).why?.en).toContain('cannot reach an unsealed Vault');
  });
});

describe('policy parsing', () => {
  it('reads path blocks and capabilities', () => {
    expect(policyPaths('path "a/b" {\n capabilities = ["read", "list"]\n}\npath "c/*" { capabilities = ["deny"] }')).toEqual([
      { path: 'a/b', capabilities: ['read', 'list'] },
      { path: 'c/*', capabilities: ['deny'] },
    ]);
  });
  it('matches Vault ACL globs', () => {
    expect(pathMatches('secret/data/*', K8S.secretApiPath)).toBe(true);
    expect(pathMatches('secret/data/+/config', K8S.secretApiPath)).toBe(true);
    expect(pathMatches('secret/webapp/config', K8S.secretApiPath)).toBe(false);
    expect(pathMatches('secret/data/webapp/config.', K8S.secretApiPath)).toBe(false);
  });
});
