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
import net from 'node:net';
import path from 'node:path';
import type { LabContext, Platform, Topic } from '../src/engine/types.ts';
import { LabDir } from '../src/engine/state.ts';
import { Reporter } from '../src/engine/reporter.ts';
import { createContext } from '../src/engine/context.ts';
import { loadTopic } from '../src/engine/catalogue.ts';
import { createPlatform } from '../src/platforms/index.ts';
import { KindPlatform, type KindDeps } from '../src/platforms/kind/kind.ts';
import { IN_CLUSTER } from '../src/platforms/kind/names.ts';
import { POD_CA } from '../src/platforms/kind/exec-plan.ts';
import { LDAP } from '../src/platforms/ldap-directory.ts';
import { run, sleep, type RunOptions, type RunResult } from '../src/exec.ts';
import { findVaultBinary } from '../src/vault/binary.ts';
import { VaultClient } from '../src/vault/client.ts';

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

const ok = (command: string, stdout = ''): RunResult => ({ command, exitCode: 0, stdout, stderr: '' });

/** A port-forward: bytes both ways. Closing it drops its open connections too (clients keep theirs alive). */
function proxy(listen: number, target: { host: string; port: number }): Promise<net.Server> {
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
  const podEnv = pods.runEnv();
  const nodes = pods.vaultNodes();
  const podRoot = path.join(o.home, 'pod-fs');
  fs.mkdirSync(path.join(podRoot, 'tmp'), { recursive: true });
  fs.mkdirSync(path.join(podRoot, 'vault', 'audit'), { recursive: true });
  const binDir = path.join(o.home, 'pod-bin');
  fs.mkdirSync(binDir, { recursive: true });
  if (!fs.existsSync(path.join(binDir, 'vault'))) fs.symlinkSync((await findVaultBinary()).path, path.join(binDir, 'vault'));

  // The kind lab shares the directory's and the database's passwords (the "cluster" was seeded with them) and the CA.
  const lab = new LabDir(topicId);
  lab.ensure();
  const share = [...Object.values(LDAP.files), 'mariadb-admin.password', 'tls/ca.crt', 'tls/ca.key'];
  for (const f of share) {
    if (!fs.existsSync(podsLab.path(f))) continue;
    fs.mkdirSync(path.dirname(lab.path(f)), { recursive: true, mode: 0o700 });
    fs.copyFileSync(podsLab.path(f), lab.path(f));
    fs.chmodSync(lab.path(f), 0o600);
  }

  // What a name in the pod is here.
  const ldapUrl = podEnv.LDAP_URL;
  const mariadb = podEnv.MARIADB_PORT ? `127.0.0.1:${podEnv.MARIADB_PORT}` : undefined;
  const inPod = (s: string): string => {
    let out = s;
    nodes.forEach((n, i) => {
      for (const scheme of ['https', 'http']) out = out.split(`${scheme}://vault-${i}.vault-internal:8200`).join(n.addr);
    });
    if (ldapUrl) out = out.split(IN_CLUSTER.ldapUrl).join(ldapUrl);
    if (mariadb) out = out.split(IN_CLUSTER.mariadb).join(mariadb);
    if (nodes[0]?.caFile) out = out.split(POD_CA).join(nodes[0].caFile);
    out = out.replace(/(^|[\s'"=>])\/vault\/audit\//g, `$1${podRoot}/vault/audit/`);
    // The pod's /tmp/<file> (a snapshot copied in or out); a longer /tmp/… path is a folder of this machine.
    out = out.replace(/(^|[\s'"=>])\/tmp\/([\w.-]+)(?=$|[\s'";])/g, `$1${podRoot}/tmp/$2`);
    return out;
  };

  const calls: string[] = [];
  const started = new Map<number, net.Server>();
  let nextPid = 900_000;
  const podIndex = (name: string) => Number(/^vault-(\d+)$/.exec(name)?.[1] ?? -1);

  const kubectl = async (args: string[], opts: RunOptions): Promise<RunResult> => {
    const line = `kubectl ${args.join(' ')}`;
    const a = args[0] === '--context' ? args.slice(2) : args;
    const verb = a[0];
    if (verb === 'exec') {
      const dash = a.indexOf('--');
      const head = a.slice(1, dash);
      const target = head.find((x, i) => !x.startsWith('-') && head[i - 1] !== '-n')!;
      let argv = a.slice(dash + 1);
      const env: Record<string, string> = { PATH: `${binDir}:${process.env.PATH}`, HOME: podRoot };
      if (target === `deploy/openldap`) {
        if (!ldapUrl) throw new Error('no directory in this lab');
        argv = argv.map((x) => x.split('ldap://127.0.0.1:389').join(ldapUrl).split('/run/secrets/openldap-admin/password').join(podsLab.path(LDAP.files.bind!)));
      } else {
        const i = podIndex(target);
        const n = nodes[i];
        if (!n) throw new Error(`no pod ${target}`);
        // The chart sets VAULT_ADDR (and VAULT_CACERT with TLS) in the server container.
        Object.assign(env, { VAULT_ADDR: n.addr, BAO_ADDR: n.addr, ...(n.caFile ? { VAULT_CACERT: n.caFile, BAO_CACERT: n.caFile } : {}) });
        argv = argv.map(inPod);
      }
      const r = await run(argv[0]!, argv.slice(1), { env, reject: false, ...(opts.input !== undefined ? { input: opts.input } : {}), timeoutMs: opts.timeoutMs ?? 60_000 });
      if (r.exitCode !== 0 && opts.reject !== false) throw Object.assign(new Error(`${line}: exit ${r.exitCode}\n${r.stderr}`), { result: r });
      return r;
    }
    if (verb === 'get' && a[1] === 'pods') {
      const st = await pods.status();
      const items = st.filter((p) => podIndex(p.name) >= 0 && p.running).map((p) => ({ metadata: { name: p.name }, status: { phase: 'Running' } }));
      return ok(line, JSON.stringify({ items }));
    }
    if (verb === 'get' && a[1] === 'pod') {
      const t = await pods.nodeStartedAt(podIndex(a[2]!));
      return ok(line, t ? t.toISOString() : '');
    }
    if (verb === 'get' && a[1] === 'nodes') {
      const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
      return ok(line, JSON.stringify({ items: [{ metadata: { name: 'cp', labels: { 'ingress-ready': 'true' } }, spec: { taints: [{ effect: 'NoSchedule' }] }, status: ready }, ...[1, 2, 3].map((w) => ({ metadata: { name: `w${w}` }, spec: {}, status: ready }))] }));
    }
    if (verb === 'delete' && a[1] === 'pod') {
      const i = podIndex(a[2]!);
      // The StatefulSet brings the pod back: the server starts again on its data (sealed, or auto-unsealed by transit).
      await pods.nodeAction(a.includes('--force') ? 'kill' : 'stop', i);
      await pods.nodeAction('start', i);
      return ok(line);
    }
    return ok(line);
  };

  const deps: Partial<KindDeps> = {
    run: async (file, args, opts = {}) => {
      calls.push([file, ...args].join(' '));
      if (process.env.LAB_TEST_ECHO) process.stderr.write(`[emulated] ${[file, ...args].join(' ').slice(0, 200)}\n`);
      if (file === 'kubectl') return kubectl([...args], opts);
      if (file === 'kind' && args[0] === 'get') return ok('kind get clusters', 'vault-lab\n');
      return ok(`${file} ${args.join(' ')}`);
    },
    which: (n) => `/emulated/${n}`,
    daemon: (_file, args) => {
      // sh -c 'while :; do kubectl … port-forward -n NS TARGET LOCAL:REMOTE …' → a proxy to the real server.
      const m = / port-forward -n \S+ (\S+) (\d+):(\d+)/.exec(args[1] ?? '');
      if (!m) throw new Error(`not a port-forward: ${args.join(' ')}`);
      const [target, local] = [m[1]!, Number(m[2])];
      let to: { host: string; port: number };
      if (target.startsWith('pod/')) to = { host: '127.0.0.1', port: Number(new URL(nodes[podIndex(target.slice(4))]!.addr).port) };
      else if (target === 'svc/openldap') to = { host: '127.0.0.1', port: Number(new URL(ldapUrl!).port) };
      else to = { host: '127.0.0.1', port: Number(podEnv.MARIADB_PORT) };
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

