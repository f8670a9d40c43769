/**
 * k8s-auth on the local platform, against a real kube-apiserver v1.35 + etcd and a real OpenBao: the control plane,
 * the start and solved states, each mistake a check exists for, the learner's own kubectl, and lab down.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, failedIds, labContext, ranLines, useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { LabDir } from '../../src/engine/state.ts';
import { kubeApiFor } from '../../src/platforms/kube-api.ts';
import { K8S } from '../../checkers/k8s-auth.ts';
import { VaultApiError } from '../../src/vault/client.ts';
import { nonEmpty } from '../non-empty.ts';
import { onPlatform } from '../../src/engine/runner.ts';

let home: string;
const check = async () => failedIds(await cli('check', 'k8s-auth', '--json', '--lang', 'en'));
const checkResults = async () => (JSON.parse((await cli('check', 'k8s-auth', '--json', '--lang', 'en')).stdout) as { results: { id: string; ok: boolean; why?: string; fix?: string }[] }).results;
const vault = async (...args: string[]) => (await labContext('k8s-auth')).exec({ kind: 'vault', args });
const role = (...extra: string[]) => vault('write', `auth/kubernetes/role/${K8S.role}`, `bound_service_account_names=${K8S.sa}`, `bound_service_account_namespaces=${K8S.namespace}`, `policies=${K8S.policy}`, 'ttl=24h', `audience=${K8S.audience}`, ...extra);

async function login(jwt: string): Promise<'ok' | string> {
  const ctx = await labContext('k8s-auth');
  try {
    const r = await ctx.vault(0, null).write<{ auth?: { client_token?: string } }>('/auth/kubernetes/login', { role: K8S.role, jwt });
    return r.auth?.client_token ? 'ok' : 'no token';
  } catch (e) {
    if (e instanceof VaultApiError) return e.errors.join('; ');
    throw e;
  }
}

beforeAll(() => {
  home = useTempLabHome('vault-lab-k8s-auth-');
});
afterAll(async () => {
  await cli('down', '--all');
  fs.rmSync(home, { recursive: true, force: true });
});

describe('k8s-auth on a real kube-apiserver + etcd + OpenBao', () => {
  it('start: etcd and kube-apiserver run supervised, /readyz answers; every check fails on the start state', async () => {
    const r = await cli('start', 'k8s-auth', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    const status = await cli('status', 'k8s-auth');
    for (const p of ['etcd', 'kube-apiserver', 'vault-0']) expect(status.stdout).toMatch(new RegExp(`● ${p}`));
    const lab = new LabDir('k8s-auth');
    expect(fs.statSync(lab.path('kube', 'kubeconfig')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(lab.path('kube', 'pki', 'admin.key')).mode & 0o777).toBe(0o600);
    expect(Number(lab.record()!.facts.kubeReadyMs)).toBeGreaterThan(0);
    const all = (await (await labContext('k8s-auth')).topic.checker()).checks.map((c) => c.id);
    expect(await check()).toEqual(all);
  });

  it('lab solve runs exactly the commands lab hint shows, step by step: nothing is solved behind the shown lines', async () => {
    const ctx = await labContext('k8s-auth');
    for (const step of nonEmpty(ctx.topic.steps.filter((s) => s.kind === 'task' && onPlatform(s, ctx.platform)))) {
      const r = await cli('solve', 'k8s-auth', step.id, '--lang', 'en');
      expect(r.code, r.stderr).toBe(0);
      // From the start state no guard holds: every line shown is a line run, in order, and nothing else.
      expect(ranLines(r.stderr, step.title.en), step.id).toEqual((step.commands ?? []).flatMap((c) => ctx.platform.render(c).split('\n')));
    }
    expect(await check()).toEqual([]);
  });

  it('run: every step, then all checks pass', async () => {
    const r = await cli('run', 'k8s-auth', '--lang', 'en');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await check()).toEqual([]);
  });

  it("the learner's shell: lab env exports KUBECONFIG; kubectl sees the SAs, a vault-audience token logs in with the webapp policy, another audience is refused", async () => {
    const script = [
      `eval "$(node_modules/.bin/node bin/lab.js env k8s-auth)"`,
      'kubectl get sa -A -o name',
      `vault write -format=json auth/kubernetes/login role=webapp jwt="$(kubectl create token webapp --audience vault)" | jq -c .auth.policies`,
      `vault write auth/kubernetes/login role=webapp jwt="$(kubectl create token webapp --audience other)" 2>&1 || echo REFUSED`,
    ].join('\n');
    const r = await run('bash', ['-c', script], { cwd: rootDir, reject: false, env: { PATH: `${rootDir}node_modules/.bin:${process.env.PATH}` } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('serviceaccount/webapp');
    expect(r.stdout).toContain('serviceaccount/vault');
    expect(r.stdout).toContain('["default","webapp"]');
    expect(r.stdout).toMatch(/invalid audience[\s\S]*REFUSED/);
  });

  it('a role bound to every SA name, or every namespace, lets the probes in and fails the refusal checks', async () => {
    await vault('write', `auth/kubernetes/role/${K8S.role}`, 'bound_service_account_names=*');
    expect(await check()).toEqual(['other-sa-refused']);
    await role();
    await vault('write', `auth/kubernetes/role/${K8S.role}`, 'bound_service_account_namespaces=*');
    expect(await check()).toEqual(['other-ns-refused']);
    await role();
    expect(await check()).toEqual([]);
  });

  it("a role without an audience accepts a token meant for the Kubernetes API (the pod's default token)", async () => {
    // Vault's role fields merge on write: audience="" clears it.
    await vault('write', `auth/kubernetes/role/${K8S.role}`, 'audience=');
    const failed = await check();
    expect(failed).toContain('api-audience-refused');
    expect(failed).toContain('audience');
    // Not only the API server's token: with no audience on the role Vault reviews each token with its own aud, so a
    // token issued for any other service logs in as well (what the lessons say, OpenBao 2.6 path_login.go).
    const kube = await kubeApiFor(await labContext('k8s-auth'));
    expect(await login(await kube.requestToken(K8S.namespace, K8S.sa, 'some-other-service'))).toBe('ok');
    await role();
    expect(await login(await kube.requestToken(K8S.namespace, K8S.sa, 'some-other-service'))).toMatch(/invalid audience/);
    expect(await check()).toEqual([]);
  });

  it("no reviewer JWT: Vault reviews with the app's own JWT, which the API server does not accept when its audience is vault (401)", async () => {
    const kube = await kubeApiFor(await labContext('k8s-auth'));
    const admin = (await labContext('k8s-auth')).vault();
    const cfg = (await admin.read<{ data: { kubernetes_host: string; kubernetes_ca_cert: string } }>('/auth/kubernetes/config')).data;
    try {
      // No reviewer JWT (and no pod token to fall back on outside a cluster): the client's JWT does the TokenReview.
      await admin.write('/auth/kubernetes/config', { kubernetes_host: cfg.kubernetes_host, kubernetes_ca_cert: cfg.kubernetes_ca_cert, disable_local_ca_jwt: true });
      expect(await login(await kube.requestToken(K8S.namespace, K8S.sa, K8S.audience))).toMatch(/permission denied/);
      // Why: as a bearer token the vault-audience JWT does not authenticate to the API server at all (401), while the
      // API-audience one does (403: authenticated, only not allowed to create TokenReviews).
      const script = [
        `eval "$(node_modules/.bin/node bin/lab.js env k8s-auth)"`,
        'review() { curl -s -o /dev/null -w "%{http_code} " --cacert "$KUBE_CA" -X POST -H "Content-Type: application/json" -H "Authorization: Bearer $1" -d \'{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"x"}}\' "$KUBE_API/apis/authentication.k8s.io/v1/tokenreviews"; }',
        `review "$(kubectl create token ${K8S.sa} -n ${K8S.namespace} --audience ${K8S.audience})"`,
        `review "$(kubectl create token ${K8S.sa} -n ${K8S.namespace})"`,
      ].join('\n');
      const r = await run('bash', ['-c', script], { env: { LAB_HOME: home, LAB_PORT_BASE: process.env.LAB_PORT_BASE } });
      expect(r.stdout.trim()).toBe('401 403');
    } finally {
      expect((await cli('solve', 'k8s-auth', 'config')).code).toBe(0);
    }
    expect(await login(await kube.requestToken(K8S.namespace, K8S.sa, K8S.audience))).toBe('ok');
  });

  it('the policy path without data/ is caught with its hint, and the login can no longer read', async () => {
    const ctx = await labContext('k8s-auth');
    await ctx.exec({ kind: 'vault', args: ['policy', 'write', K8S.policy, '-'], stdin: 'path "secret/webapp/config" {\n  capabilities = ["read"]\n}\n' });
    const res = await checkResults();
    const policy = res.find((x) => x.id === 'policy-path')!;
    expect(policy.ok).toBe(false);
    expect(policy.why).toContain('lacks data/');
    expect(res.find((x) => x.id === 'login')!.why).toContain('denied (403)');
    await ctx.exec({ kind: 'vault', args: ['policy', 'write', K8S.policy, '-'], stdin: `path "${K8S.secretApiPath}" {\n  capabilities = ["read"]\n}\n` });
    expect(await check()).toEqual([]);
  });

  it('the in-cluster kubernetes_host (right on kind) is caught on local, and every login fails with it', async () => {
    const ctx = await labContext('k8s-auth');
    const cfg = (await ctx.vault().read<{ data: { kubernetes_host: string; kubernetes_ca_cert: string } }>('/auth/kubernetes/config')).data;
    // Outside a pod OpenBao refuses the host alone (it looks for the pod's CA file): the learner who copies the in-cluster
    // line gets that error first; with the CA and a reviewer JWT given, the host is the one thing wrong.
    const kube = await kubeApiFor(ctx);
    const reviewer = await kube.requestToken(K8S.vaultSa.namespace, K8S.vaultSa.name, undefined);
    await expect(ctx.vault().write('/auth/kubernetes/config', { kubernetes_host: K8S.host })).rejects.toThrow(/serviceaccount\/ca\.crt/);
    await ctx.vault().write('/auth/kubernetes/config', { kubernetes_host: K8S.host, kubernetes_ca_cert: cfg.kubernetes_ca_cert, token_reviewer_jwt: reviewer });
    const res = await checkResults();
    expect(res.find((x) => x.id === 'config-host')!.why).toContain('in-cluster name');
    expect(res.find((x) => x.id === 'login')!.ok).toBe(false);
    await ctx.vault().write('/auth/kubernetes/config', { kubernetes_host: cfg.kubernetes_host, kubernetes_ca_cert: cfg.kubernetes_ca_cert, token_reviewer_jwt: reviewer });
    expect(await check()).toEqual([]);
  });

  it('the token of a ServiceAccount deleted and recreated under the same name is refused; a new one logs in', async () => {
    const kube = await kubeApiFor(await labContext('k8s-auth'));
    const old = await kube.requestToken(K8S.namespace, K8S.sa, K8S.audience);
    expect(await login(old)).toBe('ok');
    const uid = await kube.serviceAccountUid(K8S.namespace, K8S.sa);
    await kube.deleteServiceAccount(K8S.namespace, K8S.sa);
    await kube.ensureServiceAccount(K8S.namespace, K8S.sa);
    expect(await kube.serviceAccountUid(K8S.namespace, K8S.sa)).not.toBe(uid);
    // kube-apiserver caches a successful token authentication for 10 s (its token success cache): the old token,
    // just used, keeps working that long; then the TokenReview compares the uid in its claims and refuses it.
    const t0 = Date.now();
    let refused = await login(old);
    while (refused === 'ok' && Date.now() - t0 < 20_000) {
      await new Promise((r) => setTimeout(r, 500));
      refused = await login(old);
    }
    expect(refused).not.toBe('ok');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await login(await kube.requestToken(K8S.namespace, K8S.sa, K8S.audience))).toBe('ok');
  });

  it('lab down stops kube-apiserver and etcd; lab start brings them back with the same state', async () => {
    const lab = new LabDir('k8s-auth');
    const pids = ['etcd', 'kube-apiserver'].map((n) => lab.record()!.processes[n]!.pid);
    expect((await cli('down', 'k8s-auth')).code).toBe(0);
    for (const pid of nonEmpty(pids)) expect(fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z')).toBe(false);
    expect((await cli('start', 'k8s-auth')).code).toBe(0);
    expect(await check()).toEqual([]);
  });
});
