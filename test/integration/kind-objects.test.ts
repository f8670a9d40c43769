/**
 * The plain Kubernetes objects the kind path makes (not from a chart), applied to a REAL kube-apiserver v1.35.4 with
 * etcd v3.6.16 (built by scripts/build-k8s.sh into ~/.cache/vault-lab/bin; skipped where they are not built):
 * the Namespace, the vault-tls Secret, and the ingress-nginx patch on ingress-nginx's own kind manifest (controller-v1.15.1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPortBase, useTempLabHome } from '../helpers.ts';
import { daemon, killDaemon, run } from '../../src/exec.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { kindDryRun } from '../../src/platforms/kind/dry-run.ts';
import { INGRESS_NGINX, SSL_PASSTHROUGH_FLAG } from '../../src/platforms/kind/names.ts';
import { kindDoctor } from '../../src/platforms/kind/doctor.ts';
import { helmValues, serverHcl, tlsSecretManifest, toYaml } from '../../src/platforms/kind/config.ts';
import { ensureCa, ensureServerCert } from '../../src/tls/certs.ts';

const home = useTempLabHome('kind-objects-test-');
const bin = path.join(os.homedir(), '.cache', 'vault-lab', 'bin');
const apiserverBin = path.join(bin, 'kube-apiserver-v1.35.4');
const etcdBin = path.join(bin, 'etcd-v3.6.16');
const kubectlBin = path.join(bin, 'kubectl-v1.35.4');
const haveBins = [apiserverBin, etcdBin, kubectlBin].every((f) => fs.existsSync(f));

const base = testPortBase() + 170;
const [etcdPort, etcdPeer, apiPort] = [base, base + 1, base + 2];
const token = 'kind-objects-test-admin-token';
const pids: number[] = [];
const k = (...args: string[]) => run(kubectlBin, ['--server', `https://127.0.0.1:${apiPort}`, '--token', token, '--insecure-skip-tls-verify', ...args], { timeoutMs: 60_000 });

const out = path.join(home, 'plan');

// One apiserver for the whole file.
beforeAll(async () => {
  if (!haveBins) return;
  const d = path.join(home, 'k8s');
  fs.mkdirSync(d, { recursive: true });
  await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(d, 'sa.key')]);
  await run('openssl', ['pkey', '-in', path.join(d, 'sa.key'), '-pubout', '-out', path.join(d, 'sa.pub')]);
  fs.writeFileSync(path.join(d, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  pids.push(
    daemon(etcdBin, ['--name', 'default', '--data-dir', path.join(d, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`, '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-cluster', `default=http://127.0.0.1:${etcdPeer}`, '--listen-metrics-urls', ''], { logFile: path.join(d, 'etcd.log') }),
  );
  pids.push(
    daemon(apiserverBin, [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`, `--secure-port=${apiPort}`, '--bind-address=127.0.0.1', `--cert-dir=${path.join(d, 'certs')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-account-key-file=${path.join(d, 'sa.pub')}`, `--service-account-signing-key-file=${path.join(d, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24', '--authorization-mode=RBAC', `--token-auth-file=${path.join(d, 'tokens.csv')}`, '--disable-admission-plugins=ServiceAccount',
    ], { logFile: path.join(d, 'apiserver.log') }),
  );
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await run(kubectlBin, ['--server', `https://127.0.0.1:${apiPort}`, '--token', token, '--insecure-skip-tls-verify', 'get', '--raw', '/readyz'], { reject: false, timeoutMs: 10_000 });
    if (r.exitCode === 0 && r.stdout.trim() === 'ok') break;
    if (Date.now() > deadline) throw new Error(`kube-apiserver not ready: ${r.stderr}\n${fs.readFileSync(path.join(d, 'apiserver.log'), 'utf8').split('\n').slice(-15).join('\n')}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
  await kindDryRun(await loadTopic('ha-failover'), { out, env: {}, lang: 'en' });
  for (const t of ['ldap', 'mcp']) await kindDryRun(await loadTopic(t), { out: path.join(home, t), env: {}, lang: 'en' });
});
afterAll(async () => {
  for (const pid of pids.reverse()) await killDaemon(pid);
});

describe.skipIf(!haveBins)('kind objects on a real kube-apiserver', () => {
  it('the Namespace and the vault-tls Secret are accepted as written, and read back with tls.crt, tls.key and ca.crt', async () => {
    await k('apply', '--server-side', '-f', path.join(out, 'namespace.yaml'));
    await k('apply', '--server-side', '-f', path.join(out, 'vault-tls-secret.yaml'));
    const s = JSON.parse((await k('get', 'secret', 'vault-tls', '-n', 'vault', '-o', 'json')).stdout) as { type: string; data: Record<string, string> };
    expect(s.type).toBe('Opaque');
    expect(Object.keys(s.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(Buffer.from(s.data['ca.crt']!, 'base64').toString()).toBe(fs.readFileSync(path.join(out, 'tls', 'ca.crt'), 'utf8'));
  });

  it('the in-cluster OpenLDAP and MariaDB (Secrets, Deployments, Services) are accepted as written', async () => {
    await k('apply', '--server-side', '-f', path.join(out, 'namespace.yaml'));
    for (const t of ['ldap', 'mcp']) {
      const r = await k('apply', '--server-side', '-f', path.join(home, t, 'services.yaml'));
      expect(r.stdout).toMatch(/deployment.apps\/(openldap|mariadb) serverside-applied/);
    }
    const d = JSON.parse((await k('get', 'deployment', 'openldap', '-n', 'vault', '-o', 'json')).stdout) as { spec: { template: { spec: { volumes: { secret?: { secretName: string } }[] } } } };
    expect(d.spec.template.spec.volumes.map((v) => v.secret?.secretName)).toEqual(['openldap-admin', 'openldap-seed']);
    const seed = JSON.parse((await k('get', 'secret', 'openldap-seed', '-n', 'vault', '-o', 'json')).stdout) as { data: Record<string, string> };
    expect(Buffer.from(seed.data['50-vault-lab.ldif']!, 'base64').toString()).toContain('dn: uid=alice,ou=users,dc=example,dc=com');
    expect((await k('get', 'service', 'mariadb', '-n', 'vault', '-o', 'jsonpath={.spec.ports[0].port}')).stdout).toBe('3306');
  });

  it('the ingress-nginx patch on the real kind manifest: the flag added, every shipped arg kept, pinned to ingress-ready, idempotent', async () => {
    await k('apply', '--server-side', '-f', fileURLToPathSafe('../fixtures/ingress-nginx-controller-v1.15.1/deploy-kind.yaml'));
    const args = async () => {
      const d = JSON.parse((await k('get', 'deployment', INGRESS_NGINX.deployment, '-n', INGRESS_NGINX.namespace, '-o', 'json')).stdout) as { spec: { template: { spec: { nodeSelector: Record<string, string>; containers: { name: string; args: string[] }[] } } } };
      return { nodeSelector: d.spec.template.spec.nodeSelector, args: d.spec.template.spec.containers.find((c) => c.name === INGRESS_NGINX.container)!.args };
    };
    const shipped = await args();
    expect(shipped.args).toEqual(INGRESS_NGINX.args);
    expect(shipped.args).not.toContain(SSL_PASSTHROUGH_FLAG);
    const patch = ['patch', 'deployment', INGRESS_NGINX.deployment, '-n', INGRESS_NGINX.namespace, '--type=strategic', '--patch-file', path.join(out, 'ingress-nginx-patch.yaml')];
    await k(...patch);
    const once = await args();
    expect(once.args).toEqual([...INGRESS_NGINX.args, SSL_PASSTHROUGH_FLAG]);
    expect(once.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'ingress-ready': 'true' });
    await k(...patch);
    expect(await args()).toEqual(once);
  });
});

describe.skipIf(!haveBins)('lab doctor --platform kind gathering from a real kube-apiserver', () => {
  it('reads the release objects with kubectl and judges them: a Pending pod, a certificate without vault-internal, passthrough without the flag', async () => {
    // A kubeconfig with a context for this apiserver, and `kubectl` on PATH as the doctor calls it.
    const kubeconfig = path.join(home, 'kubeconfig');
    const kc = (...args: string[]) => run(kubectlBin, ['--kubeconfig', kubeconfig, 'config', ...args]);
    await kc('set-cluster', 'lab-test', `--server=https://127.0.0.1:${apiPort}`, '--insecure-skip-tls-verify=true');
    await kc('set-credentials', 'admin', `--token=${token}`);
    await kc('set-context', 'lab-test', '--cluster=lab-test', '--user=admin');
    const binDir = path.join(home, 'doctor-bin');
    fs.mkdirSync(binDir, { recursive: true });
    fs.symlinkSync(kubectlBin, path.join(binDir, 'kubectl'));

    // What a half-broken HA release leaves in the API: config, a TLS secret whose certificate lacks the internal names,
    // the chart's Ingress with SSL passthrough, ingress-nginx as shipped (no flag), and a pod the scheduler could not place.
    const spec = (await loadTopic('ha-failover')).needs.vault;
    const dir = path.join(home, 'badcert');
    const ca = await ensureCa(dir);
    const cert = await ensureServerCert(dir, 'vault', { dns: ['vault.example.com'], ip: ['127.0.0.1'] }, ca);
    const ingress = (helmValues(spec).server as { ingress: { annotations: Record<string, string> } }).ingress;
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vault' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vault-config', namespace: 'vault' }, data: { 'extraconfig-from-values.hcl': `${serverHcl(spec)}\ndisable_mlock = true` } },
      tlsSecretManifest({ crt: fs.readFileSync(cert.cert, 'utf8'), key: fs.readFileSync(cert.key, 'utf8'), ca: fs.readFileSync(ca.ca, 'utf8') }),
      {
        apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'vault', namespace: 'vault', annotations: ingress.annotations },
        spec: { ingressClassName: 'nginx', rules: [{ host: 'vault.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'vault-active', port: { number: 8200 } } } }] } }] },
      },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'vault-2', namespace: 'vault', labels: { 'app.kubernetes.io/name': 'vault', component: 'server' } }, spec: { containers: [{ name: 'vault', image: 'hashicorp/vault:1.20.4' }] } },
    ];
    const file = path.join(home, 'release.yaml');
    fs.writeFileSync(file, objects.map((o) => toYaml(o)).join('---\n'));
    // ingress-nginx as shipped (the other test patched it), without its admission webhook (no controller answers it here).
    await k('apply', '--server-side', '--force-conflicts', '-f', fileURLToPathSafe('../fixtures/ingress-nginx-controller-v1.15.1/deploy-kind.yaml'));
    await k('delete', 'validatingwebhookconfiguration', 'ingress-nginx-admission', '--ignore-not-found');
    await k('apply', '--server-side', '--force-conflicts', '-f', file);
    await k('patch', 'deployment', INGRESS_NGINX.deployment, '-n', INGRESS_NGINX.namespace, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/args', value: INGRESS_NGINX.args }]));
    const message = "0/2 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.";
    await k('patch', 'pod', 'vault-2', '-n', 'vault', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] } }));

    const saved = { KUBECONFIG: process.env.KUBECONFIG, PATH: process.env.PATH };
    process.env.KUBECONFIG = kubeconfig;
    process.env.PATH = `${binDir}:${saved.PATH}`;
    try {
      const r = await kindDoctor({ run, which: (n) => (n === 'kubectl' || n === 'helm' ? path.join(binDir, 'kubectl') : undefined), listening: async () => false, env: { LAB_KUBE_CONTEXT: 'lab-test' } });
      expect(r.cluster.reachable).toBe(true);
      const by = Object.fromEntries(r.cluster.pitfalls.map((p) => [p.id, p.status]));
      expect(by).toEqual({
        'anti-affinity-pending': 'warn',
        'sealed-not-ready': 'ok',
        'tls-disable-mismatch': 'ok',
        'cert-internal-sans': 'warn',
        'tls-secret-ca': 'ok',
        'join-before-leader-unsealed': 'ok',
        'passthrough-flag': 'warn',
      });
    } finally {
      process.env.KUBECONFIG = saved.KUBECONFIG;
      process.env.PATH = saved.PATH;
      if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
    }
  });
});

function fileURLToPathSafe(rel: string): string {
  return new URL(rel, import.meta.url).pathname;
}
