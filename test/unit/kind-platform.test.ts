/**
 * The kind platform's command plan. No kind cluster can run on the build machine (no image registry), so the
 * kubectl/helm/kind calls go to a FAKE runner that records them; certificates are made by the real openssl. The in-pod
 * `sh` prelude, run for real against an OpenBao dev server, is in test/integration/kind-pod-shell.test.ts: unit tests
 * need no server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadYaml } from '@kubernetes/client-node';
import { cli, useTempLabHome } from '../helpers.ts';
import { LabDir, newLabRecord } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { KindPlatform, runningPods, schedulableNodes } from '../../src/platforms/kind/kind.ts';
import { needsToken, renderKind } from '../../src/platforms/kind/exec-plan.ts';
import { registerSecret } from '../../src/engine/redact.ts';
import { run } from '../../src/exec.ts';

const home = useTempLabHome('kind-platform-test-');
const sink = { write: () => undefined };
const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: sink, stderr: sink });

import { fakeDeps, lines, nodesJson } from '../kind-fake.ts';

describe('kind platform (fake runner: no cluster can run here)', () => {
  it('vault-k8s up(): creates the kind cluster, installs chart 0.31.0 with generated values, waits Running, forwards ports', async () => {
    const topic = await loadTopic('vault-k8s');
    const lab = new LabDir('vault-k8s');
    const f = fakeDeps({ pods: ['vault-0'] });
    const p = new KindPlatform(lab, topic, f.deps);
    await p.up(topic.needs, report);
    const l = lines(f.calls);
    const cfg = lab.path('kind', 'cluster.yaml');
    const vals = lab.path('kind', 'values.yaml');
    expect(l).toEqual([
      'kind get clusters',
      `kind create cluster --name vault-lab --config ${cfg} --wait 120s`,
      'kubectl --context kind-vault-lab wait --for=condition=Ready nodes --all --timeout=300s',
      'kubectl --context kind-vault-lab get nodes -o json',
      `kubectl --context kind-vault-lab apply -f ${lab.path('kind', 'namespace.yaml')}`,
      'helm repo add hashicorp https://helm.releases.hashicorp.com --force-update',
      'helm repo update hashicorp',
      // No release runs: a lab without cluster-keys.json empties leftover PVCs of an earlier release, and says whose they are now.
      'kubectl --context kind-vault-lab get configmap vault-lab-owner -n vault -o jsonpath={.data} --ignore-not-found',
      'kubectl --context kind-vault-lab get statefulset vault -n vault -o name --ignore-not-found',
      // An earlier release's pods first gone (a new StatefulSet would not make a member whose old pod still ends).
      'kubectl --context kind-vault-lab get pods -n vault -l app.kubernetes.io/instance=vault -o name',
      'kubectl --context kind-vault-lab delete pvc -n vault --ignore-not-found --wait=true --timeout=120s data-vault-0 audit-vault-0 data-vault-1 audit-vault-1 data-vault-2 audit-vault-2',
      'kubectl --context kind-vault-lab apply -f -',
      `helm --kube-context kind-vault-lab upgrade --install vault hashicorp/vault -n vault --create-namespace -f ${vals} --version 0.31.0`,
      'kubectl --context kind-vault-lab get pods -n vault -l app.kubernetes.io/name=vault,component=server -o json',
    ]);
    expect(loadYaml(fs.readFileSync(lab.path('kind', 'namespace.yaml'), 'utf8'))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vault' } });
    const c = loadYaml<{ nodes: { role: string }[] }>(fs.readFileSync(cfg, 'utf8'));
    expect(c.nodes.filter((n) => n.role === 'worker')).toHaveLength(3);
    const v = loadYaml<{ server: { standalone: { enabled: boolean } } }>(fs.readFileSync(vals, 'utf8'));
    expect(v.server.standalone.enabled).toBe(true);
    // One supervised port-forward, restarting kubectl when the pod goes away; the lab folder marks it as ours.
    expect(f.daemons).toHaveLength(1);
    expect(f.daemons[0]!.slice(0, 2)[0]).toBe('-c');
    expect(f.daemons[0]![1]).toContain(`port-forward -n vault pod/vault-0 ${p.localPort(0)}:8200 --address 127.0.0.1`);
    expect(f.daemons[0]![1]).toMatch(/^while :; do\n  s=\$\(date \+%s\); kubectl --context "\$1" port-forward /);
    expect(f.daemons[0]![1]).toContain('wait --for=delete -n vault pod/vault-0');
    expect(f.daemons[0]!.slice(2)).toEqual(['lab-port-forward', 'kind-vault-lab', lab.dir]);
    const rec = lab.record()!;
    expect(rec.platform).toBe('kind');
    expect(rec.facts.context).toBe('kind-vault-lab');
    expect(Object.keys(rec.processes)).toEqual(['port-forward-vault-0']);
    expect(p.vaultNodes()).toEqual([{ name: 'vault-0', addr: `http://127.0.0.1:${p.localPort(0)}`, forwarded: true }]);
    expect(p.shellEnv()).toMatchObject({ LAB_KUBE_CONTEXT: 'kind-vault-lab', VAULT_ADDR: `http://127.0.0.1:${p.localPort(0)}` });
    lab.remove();
  });

  it('reuses an existing vault-lab cluster, and LAB_KUBE_CONTEXT uses any cluster without kind', async () => {
    const topic = await loadTopic('vault-k8s');
    const lab = new LabDir('vault-k8s');
    const f = fakeDeps({ clusters: 'other\nvault-lab\n', pods: ['vault-0'] });
    await new KindPlatform(lab, topic, f.deps).up(topic.needs, report);
    expect(lines(f.calls).filter((c) => c.startsWith('kind '))).toEqual(['kind get clusters']);
    lab.remove();

    const g = fakeDeps({ pods: ['vault-0'], tools: ['kubectl', 'helm'], env: { LAB_KUBE_CONTEXT: 'my-cluster' } });
    const p = new KindPlatform(lab, topic, g.deps);
    await p.up(topic.needs, report);
    const l = lines(g.calls);
    expect(l[0]).toBe('kubectl config get-contexts -o name');
    expect(l.some((c) => c.startsWith('kind '))).toBe(false);
    expect(l.filter((c) => c.startsWith('kubectl ') && c !== l[0]).every((c) => c.startsWith('kubectl --context my-cluster '))).toBe(true);
    expect(l.some((c) => c.startsWith('helm --kube-context my-cluster upgrade --install vault hashicorp/vault'))).toBe(true);
    lab.remove();

    const h = fakeDeps({ pods: [], tools: ['kubectl', 'helm'], env: { LAB_KUBE_CONTEXT: 'nope' } });
    await expect(new KindPlatform(lab, topic, h.deps).up(topic.needs, report)).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining("'nope' does not exist") });
    lab.remove();
  });

  it('ha-failover up(): vault-tls secret with tls.crt, tls.key and ca.crt from the lab CA (real openssl), SANs for every pod', async () => {
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const f = fakeDeps({ clusters: 'vault-lab', workers: 1, pods: ['vault-0', 'vault-1', 'vault-2'] });
    const p = new KindPlatform(lab, topic, f.deps);
    await p.up(topic.needs, report);
    const secretFile = lab.path('kind', 'vault-tls-secret.yaml');
    const secret = `kubectl --context kind-vault-lab apply -f ${secretFile}`;
    expect(lines(f.calls)).toContain(secret);
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    const s = loadYaml<{ kind: string; type: string; metadata: { name: string; namespace: string }; data: Record<string, string> }>(fs.readFileSync(secretFile, 'utf8'));
    expect(s).toMatchObject({ kind: 'Secret', type: 'Opaque', metadata: { name: 'vault-tls', namespace: 'vault' } });
    const pem = (k: string) => Buffer.from(s.data[k]!, 'base64').toString('utf8');
    expect(pem('tls.crt')).toBe(fs.readFileSync(lab.path('tls', 'vault.crt'), 'utf8'));
    expect(pem('tls.key')).toBe(fs.readFileSync(lab.path('tls', 'vault.key'), 'utf8'));
    expect(pem('ca.crt')).toBe(fs.readFileSync(lab.path('tls', 'ca.crt'), 'utf8'));
    // The secret exists before helm installs pods that mount it.
    const l = lines(f.calls);
    expect(l.indexOf(secret)).toBeLessThan(l.findIndex((c) => c.includes('upgrade --install')));
    const text = (await run('openssl', ['x509', '-in', lab.path('tls', 'vault.crt'), '-noout', '-ext', 'subjectAltName'])).stdout;
    for (const san of ['DNS:*.vault-internal', 'DNS:vault-0.vault-internal', 'DNS:vault-2.vault-internal', 'DNS:vault.vault.svc', 'IP Address:127.0.0.1']) expect(text).toContain(san);
    await run('openssl', ['verify', '-CAfile', lab.path('tls', 'ca.crt'), lab.path('tls', 'vault.crt')]);
    expect(fs.statSync(lab.path('tls', 'vault.key')).mode & 0o777).toBe(0o600);
    // One schedulable worker: the values drop the required anti-affinity.
    const v = loadYaml<{ server: { affinity?: string; ha: { replicas: number } } }>(fs.readFileSync(p.valuesFile(), 'utf8'));
    expect(v.server.affinity).toBe('');
    expect(v.server.ha.replicas).toBe(3);
    expect(f.daemons).toHaveLength(3);
    expect(p.vaultNodes().map((n) => n.addr)).toEqual([0, 1, 2].map((i) => `https://127.0.0.1:${p.localPort(i)}`));
    expect(p.vaultNodes()[0]!.caFile).toBe(lab.path('tls', 'ca.crt'));
    lab.remove();
  });

  it('refuses a second kind lab on the same context (one Vault release per cluster)', async () => {
    const a = new LabDir('vault-k8s');
    const f = fakeDeps({ clusters: 'vault-lab', pods: ['vault-0'] });
    await new KindPlatform(a, await loadTopic('vault-k8s'), f.deps).up((await loadTopic('vault-k8s')).needs, report);
    const b = new LabDir('k8s-auth');
    const topic = await loadTopic('k8s-auth');
    await expect(new KindPlatform(b, topic, fakeDeps({ clusters: 'vault-lab', pods: ['vault-0'] }).deps).up(topic.needs, report)).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining("the 'vault-k8s' lab already runs Vault") });
    // Once that lab is down, its release is gone and the cluster is free.
    await new KindPlatform(a, await loadTopic('vault-k8s'), f.deps).down();
    await new KindPlatform(b, topic, fakeDeps({ clusters: 'vault-lab', pods: ['vault-0'] }).deps).up(topic.needs, report);
    a.remove();
    b.remove();
  });

  it('nodeAction: kill force-deletes the pod; start waits for the recreated pod and its port-forward', async () => {
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const f = fakeDeps({ clusters: 'vault-lab', pods: ['vault-0', 'vault-1', 'vault-2'] });
    const p = new KindPlatform(lab, topic, f.deps);
    await p.nodeAction('kill', 0);
    expect(lines(f.calls)).toEqual(['kubectl --context kind-vault-lab delete pod vault-0 -n vault --grace-period=0 --force']);
    f.calls.length = 0;
    await p.nodeAction('start', 0);
    // Running, then the container's state: one container running for 12 s counts as back (a first start can lose the
    // Raft lock; a container in back-off is not back).
    expect(lines(f.calls)).toEqual([
      'kubectl --context kind-vault-lab get pods -n vault -l app.kubernetes.io/name=vault,component=server -o json',
      'kubectl --context kind-vault-lab get pod vault-0 -n vault -o jsonpath={.status.containerStatuses[0].state}',
    ]);
    expect(f.daemons.at(-1)![1]).toContain('pod/vault-0');
    lab.remove();
  });

  it('nodeAction: stop deletes the pod gracefully (SIGTERM); reset drops its data PVC with it, and waits for both to come back', async () => {
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const f = fakeDeps({ clusters: 'vault-lab', pods: ['vault-0', 'vault-1', 'vault-2'] });
    const p = new KindPlatform(lab, topic, f.deps);
    await p.nodeAction('stop', 1);
    expect(lines(f.calls)).toEqual(['kubectl --context kind-vault-lab delete pod vault-1 -n vault']);
    f.calls.length = 0;
    await p.nodeAction('reset', 2);
    expect(lines(f.calls).slice(0, 3)).toEqual([
      'kubectl --context kind-vault-lab delete pvc data-vault-2 -n vault --wait=false --ignore-not-found',
      'kubectl --context kind-vault-lab delete pod vault-2 -n vault',
      'kubectl --context kind-vault-lab get pods -n vault -l app.kubernetes.io/name=vault,component=server -o json',
    ]);
    expect(renderKind({ kind: 'node', action: 'stop', node: 0 })).toBe('kubectl --context "$LAB_KUBE_CONTEXT" delete pod vault-0 -n vault');
    lab.remove();
  });

  it('down(): stops the port-forwards and uninstalls the release, keeping the PVCs (data is kept)', async () => {
    const topic = await loadTopic('vault-k8s');
    const lab = new LabDir('vault-k8s');
    const f = fakeDeps({ clusters: 'vault-lab', pods: ['vault-0'] });
    const p = new KindPlatform(lab, topic, f.deps);
    await p.up(topic.needs, report);
    f.calls.length = 0;
    await p.down();
    // Then until no pod of the release is left: the next run's StatefulSet must not meet one (releasePodsGone).
    expect(lines(f.calls)).toEqual(['helm --kube-context kind-vault-lab uninstall vault -n vault --ignore-not-found --wait', 'kubectl --context kind-vault-lab get pods -n vault -l app.kubernetes.io/instance=vault -o name']);
    expect(lab.record()!.processes).toEqual({});
    expect(lab.record()!.facts.released).toBeUndefined();
    // With keys in the lab (an initialised Vault), a rerun keeps the PVCs.
    lab.writeSecret('cluster-keys.json', JSON.stringify({ unseal_keys_b64: ['a2V5a2V5a2V5'], root_token: 's.keepkeepkeepkeepkeepkeep' }));
    f.calls.length = 0;
    await p.up(topic.needs, report);
    expect(lines(f.calls).some((c) => c.includes('delete pvc'))).toBe(false);
    lab.remove();
  });

  it('vaultCli: the token and unseal keys go on stdin, never on the command line', async () => {
    const topic = await loadTopic('vault-k8s');
    const lab = new LabDir('vault-k8s');
    const f = fakeDeps({ pods: ['vault-0'] });
    const p = new KindPlatform(lab, topic, f.deps);
    const token = 's.FAKEtokenFAKEtokenFAKEtoken';
    const key = 'unsealKEY+abc/def=';
    registerSecret(key);
    await p.vaultCli(['operator', 'unseal', key], { env: { VAULT_TOKEN: token } });
    await p.vaultCli(['policy', 'write', 'webapp', '-'], { env: { VAULT_TOKEN: token }, stdin: 'path "x" {}\n' });
    await p.vaultCli(['status'], { node: 2 });
    const [unseal, policy, status] = f.calls;
    expect(unseal!.args.join(' ')).not.toContain(key);
    expect(unseal!.args.join(' ')).not.toContain(token);
    expect(unseal!.args.slice(0, 9)).toEqual(['--context', 'kind-vault-lab', 'exec', '-i', 'vault-0', '-n', 'vault', '--', 'sh']);
    // unseal needs no token: only the key travels.
    expect(unseal!.input).toBe(`${key}\n`);
    expect(policy!.args.join(' ')).not.toContain(token);
    expect(policy!.input).toBe(`${token}\npath "x" {}\n`);
    expect(status!.args).toEqual(['--context', 'kind-vault-lab', 'exec', 'vault-2', '-n', 'vault', '--', 'vault', 'status']);
    expect(status!.input).toBeUndefined();
  });
});

describe('tls on kind (fake runner)', () => {
  it('up(): ingress-nginx with its passthrough patch and the vault-tls Secret before the install; ensureCerts, LAB_TLS_CERT and the ingress address', async () => {
    const topic = await loadTopic('tls');
    const lab = new LabDir('tls');
    const f = fakeDeps({ clusters: 'vault-lab', pods: ['vault-0'] });
    const p = new KindPlatform(lab, topic, f.deps);
    await p.ensureCerts();
    const crt = fs.readFileSync(lab.path('tls', 'vault.crt'), 'utf8');
    await run('openssl', ['verify', '-CAfile', lab.path('tls', 'ca.crt'), lab.path('tls', 'vault.crt')]);
    await p.up(topic.needs, report);
    // The certificate ensureCerts made is the one up() puts in the Secret: no second issue.
    expect(fs.readFileSync(lab.path('tls', 'vault.crt'), 'utf8')).toBe(crt);
    const l = lines(f.calls);
    const at = (s: string) => l.findIndex((c) => c.includes(s));
    expect(at('kubectl --context kind-vault-lab apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml')).toBeGreaterThan(-1);
    expect(at('patch deployment ingress-nginx-controller -n ingress-nginx --type=strategic --patch-file')).toBeGreaterThan(at('ingress-nginx/controller-v1.15.1'));
    expect(at('rollout status deployment/ingress-nginx-controller')).toBeGreaterThan(at('patch deployment'));
    expect(at(`apply -f ${lab.path('kind', 'vault-tls-secret.yaml')}`)).toBeGreaterThan(at('rollout status deployment/ingress-nginx-controller'));
    expect(at('upgrade --install vault hashicorp/vault -n vault')).toBeGreaterThan(at('vault-tls-secret.yaml'));
    const patch = loadYaml<{ spec: { template: { spec: { containers: { args: string[] }[] } } } }>(fs.readFileSync(lab.path('kind', 'ingress-nginx-patch.yaml'), 'utf8'));
    expect(patch.spec.template.spec.containers[0]!.args).toContain('--enable-ssl-passthrough');
    expect(p.ingress).toEqual({ host: '127.0.0.1', port: 443, servername: 'vault.example.com' });
    expect(p.shellEnv()).toMatchObject({ LAB_TLS_CERT: lab.path('tls', 'vault.crt'), VAULT_CACERT: lab.path('tls', 'ca.crt'), VAULT_ADDR: `https://127.0.0.1:${p.localPort(0)}`, LAB_KUBE_CONTEXT: 'kind-vault-lab' });
    // vault status in the pod, with the pod's own VAULT_CACERT (the chart's extraEnvironmentVars).
    f.calls.length = 0;
    await p.vaultCli(['status', '-format=json'], {});
    expect(lines(f.calls)).toEqual(['kubectl --context kind-vault-lab exec vault-0 -n vault -- vault status -format=json']);
    lab.remove();
  });

  it('on a LAB_KUBE_CONTEXT cluster the lab installs no ingress and knows no ingress address; a plain-HTTP topic has none either', async () => {
    const topic = await loadTopic('tls');
    const lab = new LabDir('tls');
    const g = fakeDeps({ pods: ['vault-0'], tools: ['kubectl', 'helm'], env: { LAB_KUBE_CONTEXT: 'my-cluster' } });
    const p = new KindPlatform(lab, topic, g.deps);
    await p.up(topic.needs, report);
    expect(lines(g.calls).some((c) => c.includes('ingress-nginx'))).toBe(false);
    expect(p.ingress).toBeUndefined();
    lab.remove();
    expect(new KindPlatform(new LabDir('vault-k8s'), await loadTopic('vault-k8s'), fakeDeps({ pods: [] }).deps).ingress).toBeUndefined();
  });
});

describe('the seed form of each command (render)', () => {
  it('renders vault, node and set commands as the seed types them', () => {
    expect(renderKind({ kind: 'vault', args: ['operator', 'init', '-key-shares=1', '-key-threshold=1', '-format=json'], stdout: '$LAB_DIR/cluster-keys.json' })).toBe(
      'kubectl --context "$LAB_KUBE_CONTEXT" exec vault-0 -n vault -- vault operator init -key-shares=1 -key-threshold=1 -format=json > "$LAB_DIR/cluster-keys.json"',
    );
    // Keys and tokens reach the pod on stdin, never as kubectl's argv (issue 19, defect 10).
    expect(renderKind({ kind: 'vault', node: 1, args: ['operator', 'unseal', '$VAULT_UNSEAL_KEY_1'] })).toBe(
      `printf '%s\\n' "$VAULT_UNSEAL_KEY_1" | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-1 -n vault -- sh -c 'IFS= read -r VAULT_UNSEAL_KEY_1; export VAULT_UNSEAL_KEY_1; exec vault operator unseal "$VAULT_UNSEAL_KEY_1"'`,
    );
    expect(renderKind({ kind: 'vault', args: ['kv', 'get', 'secret/webapp/config'] })).toBe(
      `printf '%s\\n' "$VAULT_TOKEN" | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-0 -n vault -- sh -c 'IFS= read -r VAULT_TOKEN; export VAULT_TOKEN; exec vault kv get secret/webapp/config'`,
    );
    expect(renderKind({ kind: 'vault', args: ['policy', 'write', 'webapp', '-'], stdin: 'path "a" {}\n' })).toBe(
      `{ printf '%s\\n' "$VAULT_TOKEN"; cat; } <<'EOF' | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-0 -n vault -- sh -c 'IFS= read -r VAULT_TOKEN; export VAULT_TOKEN; exec vault policy write webapp -'\npath "a" {}\nEOF`,
    );
    expect(renderKind({ kind: 'node', action: 'kill', node: 0 })).toBe('kubectl --context "$LAB_KUBE_CONTEXT" delete pod vault-0 -n vault --grace-period=0 --force');
    expect(renderKind({ kind: 'set', name: 'VAULT_TOKEN', file: '$LAB_DIR/cluster-keys.json', jq: '.root_token', export: true })).toBe(`export VAULT_TOKEN=$(jq -r '.root_token' "$LAB_DIR/cluster-keys.json")`);
  });

  it('knows which commands need a token', () => {
    expect(needsToken(['operator', 'init'])).toBe(false);
    expect(needsToken(['operator', 'unseal', 'k'])).toBe(false);
    expect(needsToken(['operator', 'raft', 'join', 'https://vault-0.vault-internal:8200'])).toBe(false);
    expect(needsToken(['status'])).toBe(false);
    expect(needsToken(['write', 'auth/kubernetes/login', 'role=webapp'])).toBe(false);
    expect(needsToken(['write', '-format=json', 'auth/kubernetes/login', 'role=webapp'])).toBe(false);
    expect(needsToken(['write', 'auth/kubernetes/role/webapp'])).toBe(true);
    expect(needsToken(['operator', 'raft', 'list-peers'])).toBe(true);
  });

  it('pure helpers read kubectl JSON', () => {
    expect(schedulableNodes(nodesJson(3))).toBe(3);
    expect(schedulableNodes(nodesJson(0))).toBe(0);
    expect(runningPods(JSON.stringify({ items: [{ metadata: { name: 'vault-0' }, status: { phase: 'Running' } }, { metadata: { name: 'vault-1' }, status: { phase: 'Pending' } }, { metadata: { name: 'vault-2', deletionTimestamp: 'x' }, status: { phase: 'Running' } }] }))).toEqual(['vault-0']);
  });
});

describe('without kind, kubectl or helm (this machine)', () => {
  it('lab run vault-k8s --platform kind fails with exit 3 and an install hint', async () => {
    const saved = process.env.PATH;
    // A PATH with none of the three tools, whatever this machine has.
    process.env.PATH = path.dirname(process.execPath);
    // …and no toolchain of scripts/build-kind.sh either.
    process.env.LAB_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'no-kind-cache-'));
    try {
      const r = await cli('--lang', 'en', 'run', 'vault-k8s', '--platform', 'kind');
      expect(r.code).toBe(3);
      expect(r.stderr + r.stdout).toContain('the kind platform needs programs that are missing: kubectl, helm, kind');
      expect(r.stderr + r.stdout).toContain('https://kind.sigs.k8s.io');
      expect(r.stderr + r.stdout).toContain('https://helm.sh/docs/intro/install/');
      expect(r.stderr + r.stdout).toContain('LAB_KUBE_CONTEXT');
      expect(r.stderr + r.stdout).toContain('scripts/setup.sh --kind');
    } finally {
      process.env.PATH = saved;
      delete process.env.LAB_CACHE_DIR;
    }
    expect(fs.existsSync(path.join(home, 'vault-k8s', 'lab.json'))).toBe(false);
  });

  it('a kind-only topic refuses --platform local with a usage error', async () => {
    // Every shipped topic runs on local now (k8s-auth and vso with the lab's own kube-apiserver): a kind-only one is made here.
    const { createPlatform } = await import('../../src/platforms/index.ts');
    const kindOnly = { ...(await loadTopic('k8s-auth')), platforms: ['kind' as const] };
    await expect(createPlatform('local', kindOnly, new LabDir('k8s-auth'))).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining("topic 'k8s-auth' does not run on local") });
  });
});

describe('kind: node addresses inside a pod (pure)', async () => {
  const { renderKind, inPodArg } = await import('../../src/platforms/kind/exec-plan.ts');
  it('the ha-failover join runs against the in-cluster leader and the mounted CA', async () => {
    const { loadTopic } = await import('../../src/engine/catalogue.ts');
    const topic = await loadTopic('ha-failover');
    const join = topic.steps.find((s) => s.id === 'join')!.commands![0]!;
    const text = renderKind(join);
    expect(text).toContain('kubectl --context "$LAB_KUBE_CONTEXT" exec vault-1 -n vault -- vault operator raft join');
    expect(text).toContain('-leader-ca-cert=@/vault/userconfig/vault-tls/ca.crt');
    expect(text).toContain('https://vault-0.vault-internal:8200');
  });
  it('resolved local addresses and CA paths are mapped back', () => {
    expect(inPodArg('https://127.0.0.1:30000', { addrs: ['https://127.0.0.1:30000'], caFile: '/x/ca.crt' })).toBe('https://vault-0.vault-internal:8200');
    expect(inPodArg('-leader-ca-cert=@/x/ca.crt', { addrs: [], caFile: '/x/ca.crt' })).toBe('-leader-ca-cert=@/vault/userconfig/vault-tls/ca.crt');
  });
});

describe('kind platform: the active label the lines select', () => {
  it("the lab's own cluster with the OpenBao image it built selects openbao-active, also in the learner's shell (LAB_KUBE_CONTEXT set)", async () => {
    useTempLabHome('kind-active-');
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const stop = { kind: 'node', action: 'stop', node: 'active' } as const;
    // A lab started where no Vault image was built: the chart's hashicorp/vault writes vault-active.
    expect(new KindPlatform(lab, topic, fakeDeps({ pods: [] }).deps).render(stop)).toContain('-l vault-active=true');
    // The record made at start keeps the label: `lab env` exports LAB_KUBE_CONTEXT, and the shell's lines must match.
    lab.saveRecord(newLabRecord('ha-failover', 'kind', 18300, { context: 'kind-vault-lab', ownCluster: 'true', activeLabel: 'openbao-active' }));
    const shell = new KindPlatform(lab, topic, fakeDeps({ pods: [], env: { LAB_KUBE_CONTEXT: 'kind-vault-lab' } }).deps);
    expect(shell.render(stop)).toBe('kubectl --context "$LAB_KUBE_CONTEXT" delete pod -l openbao-active=true -n vault');
    expect(shell.render({ kind: 'vault', node: 'active', args: ['status'] })).toContain('get pod -n vault -l openbao-active=true -o name');
  });
});

describe('kind platform: the supervised port-forward loop (sh, with a stand-in kubectl)', () => {
  // The loop's own logic, run for real: a forward started against a pod that is then deleted is started again; one
  // whose deletion watch fails (no permission) is kept. kubectl here is a script logging its calls.
  let lastDir = '';
  const runLoop = async (waitExit: number, seconds: number, forward = 'exec sleep 30'): Promise<string[]> => {
    const dir = (lastDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-loop-')));
    const log = path.join(dir, 'calls.log');
    // port-forward lives until killed; wait --for=delete returns at once with the given status (the pod is deleted, or
    // the watch is refused).
    fs.writeFileSync(path.join(dir, 'kubectl'), `#!/bin/sh\necho "$3 $(date +%s%N)" >> ${log}\ncase "$3" in wait) exit ${waitExit};; *) ${forward};; esac\n`, { mode: 0o755 });
    const lab = new LabDir('vault-k8s');
    const p = new KindPlatform(lab, await loadTopic('vault-k8s'), fakeDeps({ pods: [] }).deps);
    const { args } = p.portForwardCommand(0);
    const child = (await import('node:child_process')).spawn('sh', args, { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, detached: true, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    process.kill(-child.pid!, 'SIGKILL');
    return fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')[0]!);
  };
  /** When each port-forward started, in seconds from the first. */
  const starts = (dir: string): number[] => {
    const t = fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n').filter((l) => l.startsWith('port-forward ')).map((l) => Number(l.split(' ')[1]) / 1e9);
    return t.map((x) => x - t[0]!);
  };
  it('a deleted pod: the forward is started again for the pod that now bears the name', async () => {
    const calls = await runLoop(0, 5);
    expect(calls.filter((c) => c === 'port-forward').length).toBeGreaterThanOrEqual(2);
  }, 20_000);
  it('a deletion watch that fails: the forward is kept, not restarted every second', async () => {
    const calls = await runLoop(1, 5);
    expect(calls.filter((c) => c === 'port-forward')).toHaveLength(1);
  }, 20_000);
  // kubectl exits on the first stream error of any connection ("lost connection to pod"): the lab's reads through it
  // are refused until the loop starts it again.
  it('a forward that ends after running for seconds is started again within about a second; one that fails at start waits a second between tries', async () => {
    await runLoop(1, 8.5, 'sleep 6; exit 1');
    const s = starts(lastDir);
    expect(s.length).toBe(2);
    expect(s[1]! - 6).toBeLessThan(0.95);
    await runLoop(1, 3.5, 'exit 1');
    const f = starts(lastDir);
    expect(f.length).toBeGreaterThanOrEqual(2);
    expect(f.length).toBeLessThanOrEqual(4);
  }, 30_000);
});
