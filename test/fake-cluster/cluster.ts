/**
 * A FAKE kind cluster whose pods are real servers (no kind cluster can run on the build machine). The local platform
 * runs the topic's servers (OpenBao, slapd, MariaDB, the transit OpenBao) in a lab folder of their own; this module
 * plays kubectl against them:
 *  - `exec <pod> -- …` runs the command here, with the pod's view mapped onto those servers: the cluster DNS names
 *    (vault-N.vault-internal, and each service's <name>.vault.svc from its kube adapter), the mounted CA, the pod's
 *    /tmp and audit volume;
 *  - `cp` copies between this machine and the pod's /tmp; `delete pod` kills (or stops) a server and starts it again,
 *    as the StatefulSet would; `get pods` / `get pod … startedAt` / `get statefulset` answer from the servers' processes;
 *  - `port-forward` is a TCP proxy (test/fake-cluster/cli.ts keeps it running);
 *  - helm, kind and kubectl apply/wait/rollout/patch succeed without doing anything.
 * Used in process (test/kind-emulator.ts) and as the `kubectl`/`helm`/`kind` on PATH (cli.ts), so that `lab` itself and
 * the lines a learner pastes from `lab hint` run unchanged.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Platform } from '../../src/engine/types.ts';
import { LabDir } from '../../src/engine/state.ts';
import { NAMESPACE } from '../../src/platforms/kind/names.ts';
import { inCluster, kubeAdapter, serviceNames, type ServiceName } from '../../src/services/index.ts';
import type { KubeAdapter } from '../../src/services/types.ts';
import type { LocalPlatform } from '../../src/platforms/local/local.ts';
import { POD_CA } from '../../src/platforms/kind/exec-plan.ts';
import { run, type RunResult } from '../../src/exec.ts';

/**
 * Every service with a kube adapter, from the registry: a new service is served by this fake with no code here (its
 * Service name, port-forward role, in-cluster address and mounted secret files are the adapter's own data).
 */
const kubeServices = (): [ServiceName, KubeAdapter & { forward: string }][] => serviceNames().flatMap((n) => {
  const k = kubeAdapter(n);
  // One the learner's tools dial (it has a port-forward role); an operator running in the cluster (ESO) is not served here.
  return k?.forward ? [[n, { ...k, forward: k.forward }] as [ServiceName, KubeAdapter & { forward: string }]] : [];
});

/** The lab files a kind lab shares with the "cluster" that was seeded from them: each service's secrets and the CA. */
export function sharedFiles(): string[] {
  const files = new Set<string>(['tls/ca.crt', 'tls/ca.key']);
  for (const [, k] of kubeServices()) k.secrets((f) => (files.add(f), ''));
  return [...files];
}

export interface ClusterConfig {
  topic: string;
  /** LAB_HOME of the servers' lab folder. */
  podsHome: string;
  /** The pods' file system: /tmp and /vault/audit live below it. */
  podRoot: string;
  /** A folder with `vault` (the OpenBao or Vault binary), first on the pods' PATH. */
  binDir: string;
}

export const ok = (command: string, stdout = ''): RunResult => ({ command, exitCode: 0, stdout, stderr: '' });
const podIndex = (name: string) => Number(/^(?:pod\/)?vault-(\d+)$/.exec(name)?.[1] ?? -1);

/** A port-forward: bytes both ways. Closing it drops its open connections too (clients keep theirs alive). */
export function proxy(listen: number, target: { host: string; port: number }): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const up = net.connect(target, () => {
      c.pipe(up);
      up.pipe(c);
    });
    const end = () => {
      c.destroy();
      up.destroy();
    };
    c.on('error', end);
    up.on('error', end);
    for (const x of [c, up]) {
      sockets.add(x);
      x.on('close', () => sockets.delete(x));
    }
  });
  const close = server.close.bind(server);
  server.close = (cb) => {
    for (const x of sockets) x.destroy();
    return close(cb);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen, '127.0.0.1', () => resolve(server));
  });
}

export class FakeCluster {
  readonly cfg: ClusterConfig;
  readonly pods: Platform;
  readonly podsLab: LabDir;
  constructor(cfg: ClusterConfig, pods: Platform) {
    this.cfg = cfg;
    this.pods = pods;
    this.podsLab = new LabDir(cfg.topic, cfg.podsHome);
    fs.mkdirSync(path.join(cfg.podRoot, 'tmp'), { recursive: true });
    fs.mkdirSync(path.join(cfg.podRoot, 'vault', 'audit'), { recursive: true });
  }

  /** A service's port here: the pods' local platform serves it on its role's port of the pods' block. */
  private localPort(name: ServiceName, k: KubeAdapter & { forward: string }): number {
    return (this.pods as LocalPlatform).hostFor(name).port(k.forward);
  }
  /** A service's address here, in the form its adapter writes (ldap://…, host:port). */
  localAddress(name: ServiceName): string {
    const [, k] = kubeServices().find(([n]) => n === name)!;
    return k.address(`127.0.0.1:${this.localPort(name, k)}`);
  }
  get ldapUrl(): string | undefined {
    return this.pods.runEnv().LDAP_URL ? this.localAddress('ldap') : undefined;
  }

  /** What a name in a pod is here. */
  inPod(s: string): string {
    let out = s;
    this.pods.vaultNodes().forEach((n, i) => {
      for (const scheme of ['https', 'http']) out = out.split(`${scheme}://vault-${i}.vault-internal:8200`).join(n.addr);
    });
    for (const [name, k] of kubeServices()) out = out.split(inCluster(k, NAMESPACE)).join(this.localAddress(name));
    const ca = this.pods.vaultNodes()[0]?.caFile;
    if (ca) out = out.split(POD_CA).join(ca);
    out = out.replace(/(^|[\s'"=>])\/vault\/audit\//g, `$1${this.cfg.podRoot}/vault/audit/`);
    // The pod's /tmp/<file> (a snapshot copied in or out); a longer /tmp/… path is a folder of this machine.
    return out.replace(/(^|[\s'"=>:])\/tmp\/([\w.-]+)(?=$|[\s'";])/g, `$1${this.cfg.podRoot}/tmp/$2`);
  }

  /** Where a port-forward target is served here. */
  forwardTarget(target: string): { host: string; port: number } {
    const i = podIndex(target);
    if (i >= 0) return { host: '127.0.0.1', port: Number(new URL(this.pods.vaultNodes()[i]!.addr).port) };
    const svc = kubeServices().find(([, k]) => target === `svc/${k.name}`);
    if (svc) return { host: '127.0.0.1', port: this.localPort(svc[0], svc[1]) };
    throw new Error(`nothing to forward to for ${target}`);
  }

  async kubectl(args: string[], input?: string): Promise<RunResult> {
    const line = `kubectl ${args.join(' ')}`;
    const a = args[0] === '--context' ? args.slice(2) : args;
    const verb = a[0];
    const nodes = this.pods.vaultNodes();
    if (verb === 'exec') {
      const dash = a.indexOf('--');
      const head = a.slice(1, dash);
      const target = head.find((x, i) => !x.startsWith('-') && head[i - 1] !== '-n')!;
      let argv = a.slice(dash + 1);
      const env: Record<string, string> = { PATH: `${this.cfg.binDir}:${process.env.PATH}`, HOME: this.cfg.podRoot };
      if (target === 'vault-transit-0') {
        // The production topic's transit release: the servers' own transit OpenBao already seals the "pods", so the
        // bootstrap script's calls are answered as a fresh transit Vault would (init keys, a token), and nothing else.
        const all = argv.join(' ');
        if (all.includes('operator init')) return ok(line, JSON.stringify({ unseal_keys_b64: ['ZmFrZS10cmFuc2l0LWtleQ=='], root_token: 's.faketransitrootfaketransit' }));
        if (all.includes('token create')) return ok(line, 's.faketransittokenfaketransit');
        return ok(line);
      }
      const svc = kubeServices().find(([, k]) => target === `deploy/${k.name}`);
      if (svc) {
        // In the service's own pod: its port on the pod's loopback and the secret files mounted into it.
        const [name, k] = svc;
        const here = this.localAddress(name);
        const files = Object.entries(k.podFiles ?? {});
        argv = argv.map((x) => files.reduce((s, [pod, file]) => s.split(pod).join(this.podsLab.path(file)), x.split(k.address(`127.0.0.1:${k.port}`)).join(here)));
      } else {
        const n = nodes[podIndex(target)];
        if (!n) return { command: line, exitCode: 1, stdout: '', stderr: `Error from server (NotFound): pods "${target}" not found\n` };
        // The chart sets VAULT_ADDR (and VAULT_CACERT with TLS) in the server container.
        Object.assign(env, { VAULT_ADDR: n.addr, BAO_ADDR: n.addr, ...(n.caFile ? { VAULT_CACERT: n.caFile, BAO_CACERT: n.caFile } : {}) });
        argv = argv.map((x) => this.inPod(x));
      }
      return run(argv[0]!, argv.slice(1), { env, reject: false, timeoutMs: 120_000, ...(input !== undefined ? { input } : {}) });
    }
    if (verb === 'cp') {
      const [from, to] = a.slice(1).filter((x) => !x.startsWith('-'));
      const here = (p: string) => (/^[\w-]+\/vault-\d+:/.test(p) ? this.inPod(p.slice(p.indexOf(':') + 1)) : p);
      fs.copyFileSync(here(from!), here(to!));
      return ok(line);
    }
    if (verb === 'get' && a[1] === 'pods') {
      // The servers are the main release's pods; another release (the transit one) has none once helm took it down.
      const instance = a.find((x) => x.startsWith('app.kubernetes.io/instance='))?.split('=')[1];
      const st = instance === undefined || instance === 'vault' ? await this.pods.status() : [];
      const items = st.filter((p) => podIndex(p.name) >= 0 && p.running).map((p) => ({ metadata: { name: p.name }, status: { phase: 'Running' } }));
      return ok(line, a.includes('name') ? items.map((i) => `pod/${i.metadata.name}\n`).join('') : JSON.stringify({ items }));
    }
    // The servers run from the start: their StatefulSet is there as long as one of them is.
    if (verb === 'get' && a[1] === 'statefulset') {
      const up = (await this.pods.status()).some((p) => podIndex(p.name) >= 0 && p.running);
      return ok(line, up && a.includes('name') ? 'statefulset.apps/vault\n' : '');
    }
    if (verb === 'get' && a[1] === 'pod') {
      const t = await this.pods.nodeStartedAt(podIndex(a[2]!));
      return ok(line, t ? t.toISOString() : '');
    }
    if (verb === 'get' && a[1] === 'nodes') {
      const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
      return ok(line, JSON.stringify({ items: [{ metadata: { name: 'cp', labels: { 'ingress-ready': 'true' } }, spec: { taints: [{ effect: 'NoSchedule' }] }, status: ready }, ...[1, 2, 3].map((w) => ({ metadata: { name: `w${w}` }, spec: {}, status: ready }))] }));
    }
    if (verb === 'delete' && a[1] === 'pod') {
      const i = podIndex(a[2]!);
      // The StatefulSet brings the pod back: the server starts again on its data (sealed, or auto-unsealed by transit).
      await this.pods.nodeAction(a.includes('--force') ? 'kill' : 'stop', i);
      await this.pods.nodeAction('start', i);
      return ok(line);
    }
    return ok(line);
  }
}
