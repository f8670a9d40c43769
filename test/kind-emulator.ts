/**
 * A FAKE kind cluster, for tests: no kind cluster can run on the build machine (no image registry). What it fakes is
 * only Kubernetes; the servers are real. The "pods" are the local platform's servers (OpenBao, slapd, MariaDB, the
 * transit OpenBao) started in a lab folder of their own, and the runner plays kubectl:
 *  - `exec <pod> -- …` runs the command here, with the pod's view mapped onto those servers: the cluster DNS names
 *    (vault-N.vault-internal, openldap.vault.svc, mariadb.vault.svc), the mounted CA, the pod's /tmp and audit volume;
 *  - `delete pod` kills (or stops) the server and starts it again, as the StatefulSet would;
 *  - `get pods` / `get pod … startedAt` answer from the servers' processes;
 *  - port-forwards are TCP proxies in this process;
 *  - helm, kind and kubectl apply/wait/rollout/patch succeed without doing anything.
 * So everything the kind platform does between the learner and Vault is exercised for real: the in-pod scripts, the
 * secrets on stdin, the rewritten addresses and files, and every checker's gathering through the kind platform.
 */
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import type { LabContext, Platform, Topic } from '../src/engine/types.ts';
import { LabDir } from '../src/engine/state.ts';
import { Reporter } from '../src/engine/reporter.ts';
import { createContext } from '../src/engine/context.ts';
import { loadTopic } from '../src/engine/catalogue.ts';
import { createPlatform } from '../src/platforms/index.ts';
import { KindPlatform, type KindDeps } from '../src/platforms/kind/kind.ts';
import { sleep } from '../src/exec.ts';
import { findVaultBinary } from '../src/vault/binary.ts';
import { VaultClient } from '../src/vault/client.ts';
import { FakeCluster, ok, proxy, sharedFiles } from './fake-cluster/cluster.ts';

export interface EmulatedKind {
  topic: Topic;
  kind: KindPlatform;
  /** The real servers behind the fake cluster. */
  pods: Platform;
  ctx: LabContext;
  /** Every kubectl/helm/kind call the kind platform made, one line each. */
  calls: string[];
  close(): Promise<void>;
}


/** The lab's pods as the local platform runs them, under `<home>/pods`, on ports `podsPortOffset` above the kind lab's. */
export async function emulatedKind(topicId: string, o: { home: string; podsPortOffset?: number; lang?: 'en' | 'ko' }): Promise<EmulatedKind> {
  const topic = await loadTopic(topicId);
  const sink = { write: () => undefined };
  const echo = process.env.LAB_TEST_ECHO ? process.stderr : sink;
  const report = new Reporter({ lang: o.lang ?? 'en', color: false, verbose: Boolean(process.env.LAB_TEST_ECHO), stdout: echo, stderr: echo });

  // The pods: the local platform in its own lab folder and port block.
  const podsLab = new LabDir(topicId, path.join(o.home, 'pods'));
  const savedBase = process.env.LAB_PORT_BASE;
  process.env.LAB_PORT_BASE = String(Number(savedBase ?? 18200) + (o.podsPortOffset ?? 400));
  let pods: Platform;
  try {
    pods = await createPlatform('local', topic, podsLab);
    await pods.up(topic.needs, report);
  } finally {
    if (savedBase === undefined) delete process.env.LAB_PORT_BASE;
    else process.env.LAB_PORT_BASE = savedBase;
  }
  const cluster = await startPods(topicId, o.home, pods);
  // The kind lab shares the directory's and the database's passwords (the "cluster" was seeded with them) and the CA.
  const lab = new LabDir(topicId);
  lab.ensure();
  for (const f of sharedFiles()) {
    if (!fs.existsSync(podsLab.path(f))) continue;
    fs.mkdirSync(path.dirname(lab.path(f)), { recursive: true, mode: 0o700 });
    fs.copyFileSync(podsLab.path(f), lab.path(f));
    fs.chmodSync(lab.path(f), 0o600);
  }

  const ldapUrl = cluster.ldapUrl;
  const calls: string[] = [];
  const started = new Map<number, net.Server>();
  let nextPid = 900_000;

  const deps: Partial<KindDeps> = {
    run: async (file, args, opts = {}) => {
      calls.push([file, ...args].join(' '));
      if (process.env.LAB_TEST_ECHO) process.stderr.write(`[emulated] ${[file, ...args].join(' ').slice(0, 200)}\n`);
      if (file === 'kubectl') {
        const r = await cluster.kubectl([...args], opts.input);
        if (r.exitCode !== 0 && opts.reject !== false) throw Object.assign(new Error(`${r.command}: exit ${r.exitCode}\n${r.stderr}`), { result: r });
        return r;
      }
      if (file === 'kind' && args[0] === 'get') return ok('kind get clusters', 'vault-lab\n');
      // The transit bootstrap leaves its keys in the lab folder, as the real script does (the kind platform keys on them).
      if (file === 'bash' && args[0]?.endsWith('transit-bootstrap.sh')) fs.writeFileSync(path.join(path.dirname(args[0]), 'transit-keys.json'), '{}\n', { mode: 0o600 });
      return ok(`${file} ${args.join(' ')}`);
    },
    which: (n) => `/emulated/${n}`,
    daemon: (_file, args) => {
      // sh -c 'while :; do kubectl … port-forward -n NS TARGET LOCAL:REMOTE …' → a proxy to the real server.
      const m = / port-forward -n \S+ (\S+) (\d+):(\d+)/.exec(args[1] ?? '');
      if (!m) throw new Error(`not a port-forward: ${args.join(' ')}`);
      const [target, local] = [m[1]!, Number(m[2])];
      const to = cluster.forwardTarget(target);
      const pid = nextPid++;
      void proxy(local, to).then((s) => started.set(pid, s));
      return pid;
    },
    isAlive: (pid) => started.has(pid),
    kill: async (pid) => {
      await new Promise((r) => started.get(pid)?.close(r) ?? r(undefined));
      started.delete(pid);
    },
    reachable: async (n) => {
      await new VaultClient({ addr: n.addr, caFile: n.caFile, timeoutMs: 2000 }).health();
      return true;
    },
    sleep: (ms) => sleep(Math.min(ms, 200)),
    env: {},
  };
  // The emulated cluster's DNS is the mapping above: the Service URL a Vault in it stores is the directory's address here.
  class EmulatedKindPlatform extends KindPlatform {
    override get ldap() {
      const l = super.ldap;
      return l && ldapUrl ? { ...l, url: ldapUrl } : l;
    }
  }
  const kind = new EmulatedKindPlatform(lab, topic, deps);
  const ctx = createContext(topic, kind, lab, report, o.lang ?? 'en');
  return {
    topic,
    kind,
    pods,
    ctx,
    calls,
    close: async () => {
      await kind.down();
      for (const s of started.values()) s.close();
      started.clear();
      await pods.down();
    },
  };
}


/** The pods' file system and `vault`, beside the servers the local platform runs. */
export async function startPods(topicId: string, home: string, pods: Platform): Promise<FakeCluster> {
  const binDir = path.join(home, 'pod-bin');
  fs.mkdirSync(binDir, { recursive: true });
  if (!fs.existsSync(path.join(binDir, 'vault'))) fs.symlinkSync((await findVaultBinary()).path, path.join(binDir, 'vault'));
  return new FakeCluster({ topic: topicId, podsHome: path.join(home, 'pods'), podRoot: path.join(home, 'pod-fs'), binDir }, pods);
}
