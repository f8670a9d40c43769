/**
 * A real Kubernetes API for the local platform: etcd and kube-apiserver as supervised loopback processes in the
 * topic's port block, with lab-made certificates (a CA, the serving certificate, an admin client certificate in
 * system:masters — no static token file), ServiceAccount signing keys, RBAC, and a kubeconfig in the lab folder.
 * No controller-manager and no scheduler: ServiceAccounts are created by hand, and TokenRequest / TokenReview —
 * all Kubernetes auth needs — are served by the apiserver alone. The `eso` service adds the External Secrets
 * Operator, run out of cluster against this apiserver.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocalAdapter, LocalHost } from '../types.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { run } from '../../exec.ts';
import { newLabRecord } from '../../engine/state.ts';
import { ensureCa, ensureClientCert, ensureServerCert } from '../../tls/certs.ts';
import { ensureKubeBins, kubeBinTool, type KubeBins } from './bin.ts';
import { httpGet } from '../../vault/http.ts';

export const KUBE = {
  context: 'vault-lab-local',
  user: 'lab-admin',
  /** The issuer a cluster's tokens carry by default (kubeadm, kind): the lesson decodes it. */
  issuer: 'https://kubernetes.default.svc.cluster.local',
  serviceCidr: '10.0.0.0/24',
  serviceIp: '10.0.0.1',
  procs: { etcd: 'etcd', apiserver: 'kube-apiserver', eso: 'external-secrets' },
} as const;

export const kubeDir = (p: Pick<LocalHost, 'lab'>, ...parts: string[]): string => p.lab.path('kube', ...parts);
export const kubeApiPort = (p: Pick<LocalHost, 'port'>): number => p.port('api');
export const etcdPort = (p: Pick<LocalHost, 'port'>): number => p.port('etcd');
export const etcdPeerPort = (p: Pick<LocalHost, 'port'>): number => p.port('etcd-peer');
export const kubeApiUrl = (p: LocalHost): string => `https://127.0.0.1:${kubeApiPort(p)}`;
export const kubeconfigPath = (p: Pick<LocalHost, 'lab'>): string => kubeDir(p, 'kubeconfig');
export const kubeCaPath = (p: Pick<LocalHost, 'lab'>): string => kubeDir(p, 'pki', 'ca.crt');

interface Pki {
  ca: string;
  serving: { cert: string; key: string };
  admin: { cert: string; key: string };
  saKey: string;
  saPub: string;
}

async function ensurePki(p: LocalHost): Promise<Pki> {
  const dir = kubeDir(p, 'pki');
  const ca = await ensureCa(dir, 'vault-lab kubernetes CA');
  // The names the apiserver answers to in a cluster, and loopback where it runs here.
  const serving = await ensureServerCert(dir, 'apiserver', { dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'], ip: ['127.0.0.1', KUBE.serviceIp] }, ca);
  const admin = await ensureClientCert(dir, 'admin', { cn: KUBE.user, o: 'system:masters' }, ca);
  const saKey = path.join(dir, 'sa.key');
  const saPub = path.join(dir, 'sa.pub');
  if (!fs.existsSync(saKey) || !fs.existsSync(saPub)) {
    await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', saKey]);
    fs.chmodSync(saKey, 0o600);
    await run('openssl', ['pkey', '-in', saKey, '-pubout', '-out', saPub]);
  }
  return { ca: ca.ca, serving, admin, saKey, saPub };
}

export function renderKubeconfig(o: { server: string; ca: string; cert: string; key: string }): string {
  const q = (s: string) => JSON.stringify(s);
  return `apiVersion: v1
kind: Config
clusters:
- name: ${KUBE.context}
  cluster:
    server: ${q(o.server)}
    certificate-authority: ${q(o.ca)}
users:
- name: ${KUBE.user}
  user:
    client-certificate: ${q(o.cert)}
    client-key: ${q(o.key)}
contexts:
- name: ${KUBE.context}
  context:
    cluster: ${KUBE.context}
    user: ${KUBE.user}
current-context: ${KUBE.context}
`;
}

/** The apiserver's flags: envtest's set, with client certificates instead of a token file. */
export function apiserverArgs(o: { port: number; etcd: string; pki: Pki; certDir: string }): string[] {
  return [
    `--etcd-servers=${o.etcd}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${o.port}`,
    `--cert-dir=${o.certDir}`,
    `--tls-cert-file=${o.pki.serving.cert}`,
    `--tls-private-key-file=${o.pki.serving.key}`,
    `--client-ca-file=${o.pki.ca}`,
    `--service-account-issuer=${KUBE.issuer}`,
    `--service-account-key-file=${o.pki.saPub}`,
    `--service-account-signing-key-file=${o.pki.saKey}`,
    `--service-cluster-ip-range=${KUBE.serviceCidr}`,
    '--authorization-mode=RBAC',
    // No controller-manager makes a `default` ServiceAccount in each namespace; the admission plugin would wait for it.
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=false',
    // The `kubernetes` Service's endpoints cannot be a loopback address; without a reconciler the log stays quiet.
    '--endpoint-reconciler-type=none',
    // Priority and fairness queues requests for a busy multi-tenant cluster; one learner needs no queues.
    '--enable-priority-and-fairness=false',
  ];
}

export async function apiserverReady(p: LocalHost): Promise<boolean> {
  const dir = kubeDir(p, 'pki');
  const r = await httpGet(`${kubeApiUrl(p)}/readyz`, { caFile: path.join(dir, 'ca.crt'), clientCert: { cert: path.join(dir, 'admin.crt'), key: path.join(dir, 'admin.key') }, timeoutMs: 3000 });
  return r.status === 200;
}

/** kubectl against the lab's apiserver, for the lab's own setup (CRDs). */
export async function labKubectl(p: LocalHost, bins: Pick<KubeBins, 'kubectl'>, args: string[], opts: { timeoutMs?: number } = {}) {
  return run(bins.kubectl, ['--kubeconfig', kubeconfigPath(p), ...args], { timeoutMs: opts.timeoutMs ?? 120_000 });
}

/** The lab's kubectl (the apiserver's version) goes first on the PATH `lab env` gives: no version skew. */
function ensureKubectlShim(p: LocalHost, bins: KubeBins): void {
  p.linkBins({ kubectl: fs.realpathSync(bins.kubectl) });
}

export const kubeLocal: LocalAdapter = {
  tools: [kubeBinTool('kube-apiserver'), kubeBinTool('etcd')],
  async up(p: LocalHost, report: Reporter): Promise<void> {
    const bins = await ensureKubeBins(report, false);
    const pki = await ensurePki(p);
    fs.writeFileSync(kubeconfigPath(p), renderKubeconfig({ server: kubeApiUrl(p), ca: pki.ca, cert: pki.admin.cert, key: pki.admin.key }), { mode: 0o600 });
    ensureKubectlShim(p, bins);
    const etcdUrl = `http://127.0.0.1:${etcdPort(p)}`;
    if (!p.procAlive(KUBE.procs.etcd)) {
      const peer = `http://127.0.0.1:${etcdPeerPort(p)}`;
      const data = kubeDir(p, 'etcd');
      fs.mkdirSync(data, { recursive: true, mode: 0o700 });
      await p.startProcess(
        KUBE.procs.etcd,
        bins.etcd,
        [
          '--name=lab',
          `--data-dir=${data}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=lab=${peer}`,
          '--log-level=warn',
          // A lab's state is disposable; fsync on every write makes a slow disk the bottleneck of every request.
          '--unsafe-no-fsync',
        ],
        { ports: [etcdPort(p), etcdPeerPort(p)], what: 'etcd' },
      );
      await p.waitFor(KUBE.procs.etcd, 'healthy', async () => (await httpGet(`${etcdUrl}/health`, { timeoutMs: 3000 })).body.includes('"true"'));
    }
    if (!p.procAlive(KUBE.procs.apiserver)) {
      const certDir = kubeDir(p, 'apiserver');
      fs.mkdirSync(certDir, { recursive: true, mode: 0o700 });
      const t0 = Date.now();
      await p.startProcess(KUBE.procs.apiserver, bins.apiserver, apiserverArgs({ port: kubeApiPort(p), etcd: etcdUrl, pki, certDir }), { ports: [kubeApiPort(p)], what: 'kube-apiserver' });
      await p.waitFor(KUBE.procs.apiserver, 'ready (/readyz)', () => apiserverReady(p), 90_000);
      report.debug(`kube-apiserver ready in ${Date.now() - t0} ms`);
      p.lab.updateRecord(
        (r) => {
          r.facts.kubeReadyMs = String(Date.now() - t0);
        },
        () => newLabRecord(p.lab.topic, 'local', p.base),
      );
    }
  },
  env(p: LocalHost): Record<string, string> {
    return { KUBECONFIG: kubeconfigPath(p), LAB_KUBE_CONTEXT: KUBE.context, KUBE_API: kubeApiUrl(p), KUBE_CA: kubeCaPath(p) };
  },
  info(p: LocalHost): Record<string, string> {
    return {
      'kube-apiserver': kubeApiUrl(p),
      etcd: `http://127.0.0.1:${etcdPort(p)}`,
      'kubeconfig (0600, admin in system:masters)': kubeconfigPath(p),
      'kubernetes CA': kubeCaPath(p),
    };
  },
};
