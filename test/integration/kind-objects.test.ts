/**
 * The plain Kubernetes objects the kind path makes (not from a chart), applied to a REAL kube-apiserver v1.35.4 with
 * etcd v3.6.16 (built by scripts/build-k8s.sh into ~/.cache/vault-lab/bin; skipped where they are not built):
 * the Namespace, the vault-tls Secret, and the ingress-nginx patch on ingress-nginx's own kind manifest (controller-v1.15.1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { daemon, killDaemon, run } from '../../src/exec.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { kindDryRun } from '../../src/platforms/kind/dry-run.ts';
import { INGRESS_NGINX, SSL_PASSTHROUGH_FLAG } from '../../src/platforms/kind/names.ts';

const home = useTempLabHome('kind-objects-test-');
const bin = path.join(os.homedir(), '.cache', 'vault-lab', 'bin');
const apiserverBin = path.join(bin, 'kube-apiserver-v1.35.4');
const etcdBin = path.join(bin, 'etcd-v3.6.16');
const kubectlBin = path.join(bin, 'kubectl-v1.35.4');
const haveBins = [apiserverBin, etcdBin, kubectlBin].every((f) => fs.existsSync(f));

const base = Number(process.env.TEST_PORT_BASE ?? 38200) + 170;
const [etcdPort, etcdPeer, apiPort] = [base, base + 1, base + 2];
const token = 'kind-objects-test-admin-token';
const pids: number[] = [];
const k = (...args: string[]) => run(kubectlBin, ['--server', `https://127.0.0.1:${apiPort}`, '--token', token, '--insecure-skip-tls-verify', ...args], { timeoutMs: 60_000 });

describe.skipIf(!haveBins)('kind objects on a real kube-apiserver', () => {
  const out = path.join(home, 'plan');
  beforeAll(async () => {
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

function fileURLToPathSafe(rel: string): string {
  return new URL(rel, import.meta.url).pathname;
}
