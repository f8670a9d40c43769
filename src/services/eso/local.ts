/**
 * The External Secrets Operator, run out of cluster against the local Kubernetes API (the kube service): its CRDs
 * applied with the lab's kubectl, the operator a supervised process with its metrics on this service's port.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocalAdapter, LocalHost } from '../types.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { ensureKubeBins, kubeBinTool } from '../kube/bin.ts';
import { KUBE, kubeDir, kubeconfigPath, labKubectl } from '../kube/local.ts';
import { httpGet } from '../../vault/http.ts';

export const esoMetricsPort = (p: Pick<LocalHost, 'port'>): number => p.port('metrics');

export const esoLocal: LocalAdapter = {
  tools: [kubeBinTool('external-secrets')],
  async up(p: LocalHost, report: Reporter): Promise<void> {
    const bins = await ensureKubeBins(report, true);
    if (p.procAlive(KUBE.procs.eso)) return;
    // Server-side apply: the CRDs' schemas are larger than the annotation client-side apply would write.
    const crds = fs.readdirSync(bins.esoCrds!).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    await labKubectl(p, bins, ['apply', '--server-side', '--force-conflicts', ...crds.flatMap((f) => ['-f', path.join(bins.esoCrds!, f)])]);
    await labKubectl(p, bins, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
    const metrics = esoMetricsPort(p);
    // The lab folder on the command line (as sh's $0) lets procAlive tell this process from a reused pid.
    await p.startProcess(
      KUBE.procs.eso,
      'sh',
      ['-c', '"$@"', kubeDir(p, 'eso'), bins.eso!, `--metrics-addr=127.0.0.1:${metrics}`, '--enable-leader-election=false', '--loglevel=info'],
      { ports: [metrics], what: 'external-secrets', env: { KUBECONFIG: kubeconfigPath(p) } },
    );
    await p.waitFor(KUBE.procs.eso, 'serving metrics', async () => (await httpGet(`http://127.0.0.1:${metrics}/metrics`, { timeoutMs: 3000 })).status === 200, 60_000);
  },
  // ESO runs on this host: the SecretStore's server is Vault's address here.
  env: (p: LocalHost) => ({ ESO_VAULT_ADDR: p.vaultAddr }),
  info(p: LocalHost): Record<string, string> {
    return { 'external-secrets operator (out of cluster)': `metrics http://127.0.0.1:${esoMetricsPort(p)}/metrics, log ${p.lab.path('logs', `${KUBE.procs.eso}.log`)}` };
  },
};
