/**
 * `lab doctor --platform kind`: Docker, kind, helm and kubectl with their versions, the host ports the kind config
 * maps, and, when the lab's cluster answers, the known pitfalls judged on its live objects (pitfalls.ts).
 * Gathering is here; judging is pure.
 */
import net from 'node:net';
import path from 'node:path';
import type { Reporter } from '../../engine/reporter.ts';
import { Exit } from '../../engine/errors.ts';
import { msg, type Msg } from '../../engine/i18n.ts';
import { run, type RunOptions, type RunResult } from '../../exec.ts';
import { which } from '../../vault/binary.ts';
import { portOwner } from '../ports.ts';
import { CLUSTER_NAME, DEFAULT_CONTEXT, HOST_ADDR, INGRESS_NGINX, NAMESPACE, NODE_PORT, TLS_SECRET } from './names.ts';
import { TOOL_HINTS } from './kind.ts';
import { findToolchain, type Toolchain } from './toolchain.ts';
import { loadAll } from '../../engine/catalogue.ts';
import type { Cmd, Topic } from '../../engine/types.ts';
import { kubeAdapter, serviceNames } from '../../services/index.ts';
import { judgePitfalls, type ClusterSnapshot, type PitfallStatus, type PodObj } from './pitfalls.ts';

/** `kubectl wait --for=create` in the plan needs kubectl 1.31 or later. */
export const MIN_KUBECTL = [1, 31] as const;

export interface DoctorDeps {
  run: (file: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;
  which: (name: string) => string | undefined;
  /** Does something accept connections on HOST_ADDR:port? */
  listening: (port: number) => Promise<boolean>;
  env: Record<string, string | undefined>;
  /** What scripts/setup.sh --kind built on this machine (node image, the topics' images); absent: not judged. */
  toolchain?: () => Toolchain;
}

/**
 * An image a topic's pods run, on the lab's own cluster from a node image built here: no node can pull, so each must
 * have been built (scripts/setup.sh --kind) and is loaded with `kind load`. Elsewhere the nodes pull them.
 */
export interface ImageRow {
  name: string;
  ref?: string;
  status: 'ok' | 'missing';
  /** The topics whose pods run it. */
  topics: string[];
  hint?: Msg;
}

export interface ToolRow {
  name: string;
  path?: string;
  version?: string;
  status: 'ok' | 'missing' | 'old' | 'optional' | 'down';
  hint?: Msg;
}
export interface PortRow {
  port: number;
  status: 'free' | 'busy' | 'ours';
  owner?: string;
}
export interface DoctorReport {
  context: string;
  tools: ToolRow[];
  images: ImageRow[];
  ports: PortRow[];
  cluster: { reachable: boolean; pitfalls: { id: string; title: Msg; status: PitfallStatus; why?: Msg; fix?: Msg }[] };
}

// ---- version parsing (pure; tested on real outputs) --------------------------------------------------------
export const kindVersion = (out: string): string | undefined => /\bkind (v\d+\.\d+\.\d+\S*)/.exec(out)?.[1];
export const helmVersion = (out: string): string | undefined => /^(v\d+\.\d+\.\d+)/.exec(out.trim())?.[1];
export function kubectlVersion(json: string): { version: string; major: number; minor: number } | undefined {
  try {
    const v = (JSON.parse(json) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? '';
    const m = /^v(\d+)\.(\d+)\./.exec(v);
    // A source build without version stamping says v0.0.0-master: unknown, not old.
    return m && m[1] !== '0' ? { version: v, major: Number(m[1]), minor: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}
export const dockerServerVersion = (out: string): string | undefined => (/^\d+\.\d+/.test(out.trim()) ? out.trim() : undefined);

const realListening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ port, host: HOST_ADDR });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });

const realDeps = (): DoctorDeps => ({ run, which, listening: realListening, env: process.env, toolchain: () => findToolchain(process.env) });

/** Every shell has these, and the rows above (kubectl, helm, kind, docker) and the lab itself (npx) are asked for already. */
const GIVEN = new Set(['cat', 'echo', 'ls', 'printf', 'sh', 'unset', 'kubectl', 'helm', 'kind', 'docker', 'npx']);

/**
 * The host tools the lines of the kind steps call, with the topics that call each, in the order first met: read from the
 * steps' command data (an exec line's program, a `set` line's jq, the first word of a pipe), so the list cannot drift
 * from the lessons. A checker's fix lines are made at check time and are not read here.
 */
export function hostTools(topics: readonly Topic[]): [string, string[]][] {
  const used = new Map<string, string[]>();
  const add = (tool: string | undefined, topic: string) => {
    if (!tool || GIVEN.has(tool)) return;
    const ts = used.get(tool) ?? [];
    if (!ts.includes(topic)) ts.push(topic);
    used.set(tool, ts);
  };
  const walk = (c: Cmd, topic: string): void => {
    if (c.kind === 'set') add(c.file.endsWith('.json') ? 'jq' : undefined, topic);
    if (c.kind === 'exec') add(c.file, topic);
    if ((c.kind === 'exec' || c.kind === 'vault') && c.pipeFrom) add(c.pipeFrom.trim().split(/\s+/)[0], topic);
    if (c.kind === 'wait') walk(c.probe, topic);
  };
  for (const t of topics.filter((x) => x.platforms.includes('kind'))) {
    for (const s of t.steps.filter((x) => !x.platforms || x.platforms.includes('kind'))) for (const c of s.commands ?? []) walk(c, t.id);
  }
  return [...used];
}

/** The images a cluster from the node image built here needs: the Vault image, and each service's that has one. */
async function imageRows(tc: Toolchain): Promise<ImageRow[]> {
  const topics = await loadAll();
  const setup = msg('bash scripts/setup.sh --kind로 만듭니다 (한 번, 캐시에 남음).', 'bash scripts/setup.sh --kind builds it (once; cached).');
  const vault = tc.archives.find((a) => path.basename(a) === 'vault.tar');
  const rows: ImageRow[] = [{ name: 'vault', ...(vault ? { ref: vault } : {}), status: vault ? 'ok' : 'missing', topics: topics.filter((t) => t.platforms.includes('kind')).map((t) => t.id), ...(vault ? {} : { hint: setup }) }];
  for (const n of serviceNames()) {
    const built = kubeAdapter(n)?.image.built;
    if (!built) continue;
    const ref = tc.images?.[built];
    const needing = topics.filter((t) => t.needs[n] && t.platforms.includes('kind')).map((t) => t.id);
    const hint = n === 'eso' ? msg('bash scripts/build-kind-eso.sh (또는 setup.sh --kind)가 만듭니다. 없으면 vso는 LAB_VSO_OPERATOR=vso로 VSO 차트를 직접 설치하는 길만 남습니다.', 'bash scripts/build-kind-eso.sh (or setup.sh --kind) builds it; without it vso is left only LAB_VSO_OPERATOR=vso, installing the VSO chart yourself.') : setup;
    rows.push({ name: built, ...(ref ? { ref } : {}), status: ref ? 'ok' : 'missing', topics: needing, ...(ref ? {} : { hint }) });
  }
  return rows;
}

const json = <T>(r: RunResult): T | undefined => (r.exitCode === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as T) : undefined);

export async function kindDoctor(d: DoctorDeps): Promise<DoctorReport> {
  const own = !d.env.LAB_KUBE_CONTEXT;
  const context = d.env.LAB_KUBE_CONTEXT || DEFAULT_CONTEXT;
  const q = (file: string, args: string[]) => d.run(file, args, { reject: false, timeoutMs: 15_000 });
  const tools: ToolRow[] = [];
  const tool = async (name: string, needed: boolean, version: () => Promise<{ version?: string | undefined; status?: ToolRow['status'] }>): Promise<void> => {
    const p = d.which(name);
    if (!p) {
      tools.push({ name, status: needed ? 'missing' : 'optional', ...(TOOL_HINTS[name] ? { hint: TOOL_HINTS[name] } : {}) });
      return;
    }
    const v = await version();
    tools.push({ name, path: p, status: v.status ?? 'ok', ...(v.version ? { version: v.version } : {}) });
  };
  await tool('docker', own, async () => {
    const v = dockerServerVersion((await q('docker', ['version', '--format', '{{.Server.Version}}'])).stdout);
    return v ? { version: v } : { status: own ? 'down' : 'optional' };
  });
  await tool('kind', own, async () => ({ version: kindVersion((await q('kind', ['version'])).stdout) }));
  await tool('helm', true, async () => ({ version: helmVersion((await q('helm', ['version', '--short'])).stdout) }));
  await tool('kubectl', true, async () => {
    const v = kubectlVersion((await q('kubectl', ['version', '--client', '-o', 'json'])).stdout);
    const old = v && (v.major < MIN_KUBECTL[0] || (v.major === MIN_KUBECTL[0] && v.minor < MIN_KUBECTL[1]));
    return { version: v?.version, ...(old ? { status: 'old' as const } : {}) };
  });
  // The learner's own lines on kind run these on this machine (Vault's CLI runs in the pod): not needed to start a lab.
  for (const [name, topics] of hostTools(await loadAll())) {
    const p = d.which(name);
    const list = topics.join(', ');
    tools.push(p ? { name, path: p, status: 'ok' } : { name, status: 'optional', hint: msg(`${list} 실습에서 여러분이 입력하는 명령이 씁니다.`, `the commands you type in ${list} use it.`) });
  }
  const docker = tools.find((t) => t.name === 'docker');
  if (docker?.status === 'down') docker.hint = msg('Docker 데몬이 응답하지 않습니다. Docker Desktop을 켜거나 sudo systemctl start docker.', 'the Docker daemon does not answer: start Docker Desktop or sudo systemctl start docker.');
  const kubectl = tools.find((t) => t.name === 'kubectl');
  if (kubectl?.status === 'old') kubectl.hint = msg(`kubectl ${MIN_KUBECTL.join('.')} 이상이 필요합니다 (kubectl wait --for=create).`, `kubectl ${MIN_KUBECTL.join('.')} or later is needed (kubectl wait --for=create).`);

  const has = (n: string) => tools.some((t) => t.name === n && t.path);
  // The cluster's own node container holds the mapped ports once it exists.
  const clusterExists = own && has('kind') && (await q('kind', ['get', 'clusters'])).stdout.split('\n').map((s) => s.trim()).includes(CLUSTER_NAME);
  const ports: PortRow[] = [];
  if (own) {
    for (const port of [80, 443, NODE_PORT]) {
      if (clusterExists) {
        ports.push({ port, status: 'ours' });
        continue;
      }
      const busy = await d.listening(port);
      const owner = busy ? portOwner(port) : undefined;
      ports.push({ port, status: busy ? 'busy' : 'free', ...(owner ? { owner: `${owner.command} (pid ${owner.pid})` } : {}) });
    }
  }

  const tc = own ? d.toolchain?.() : undefined;
  const images = tc?.nodeImage ? await imageRows(tc) : [];
  const report: DoctorReport = { context, tools, images, ports, cluster: { reachable: false, pitfalls: [] } };
  if (!has('kubectl')) return report;
  const contexts = (await q('kubectl', ['config', 'get-contexts', '-o', 'name'])).stdout.split('\n').map((s) => s.trim());
  if (!contexts.includes(context)) return report;
  const k = (...args: string[]) => q('kubectl', ['--context', context, ...args]);
  const podsRes = await k('get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/name=vault,component=server', '-o', 'json');
  if (podsRes.exitCode !== 0) return report;
  const pods = json<{ items?: PodObj[] }>(podsRes)?.items ?? [];
  const logs: Record<string, string> = {};
  for (const p of pods) {
    const n = p.metadata?.name;
    if (n && p.status?.phase === 'Running') logs[n] = (await k('logs', n, '-n', NAMESPACE, '-c', 'vault', '--tail=400')).stdout;
  }
  const config = json<ClusterSnapshot['config']>(await k('get', 'configmap', 'vault-config', '-n', NAMESPACE, '-o', 'json'));
  const tlsSecret = json<ClusterSnapshot['tlsSecret']>(await k('get', 'secret', TLS_SECRET, '-n', NAMESPACE, '-o', 'json'));
  const ingresses = json<{ items?: ClusterSnapshot['ingresses'] }>(await k('get', 'ingress', '-n', NAMESPACE, '-o', 'json'))?.items ?? [];
  const ingressController = json<ClusterSnapshot['ingressController']>(await k('get', 'deployment', INGRESS_NGINX.deployment, '-n', INGRESS_NGINX.namespace, '-o', 'json'));
  const ingressLeftOut = !!tc?.nodeImage && d.env.LAB_KIND_INGRESS !== '1';
  const snapshot: ClusterSnapshot = { pods, ingresses, logs, ingressLeftOut, ...(config ? { config } : {}), ...(tlsSecret ? { tlsSecret } : {}), ...(ingressController ? { ingressController } : {}) };
  report.cluster = { reachable: true, pitfalls: judgePitfalls(snapshot) };
  return report;
}

export function doctorExit(r: DoctorReport): number {
  if (r.tools.some((t) => t.status === 'missing' || t.status === 'old' || t.status === 'down') || r.images.some((i) => i.status === 'missing') || r.ports.some((p) => p.status === 'busy')) return Exit.environment;
  return r.cluster.pitfalls.some((p) => p.status === 'warn') ? Exit.checksFailed : Exit.ok;
}

export function doctorLines(r: DoctorReport, t: (m: Msg) => string): string[] {
  const mark = { ok: '✓', free: '✓', ours: '✓', info: 'i', optional: '-', warn: '!', busy: '✗', missing: '✗', old: '✗', down: '✗' } as const;
  const out: string[] = [t(msg(`kind 플랫폼 (context ${r.context})`, `kind platform (context ${r.context})`))];
  for (const x of r.tools) {
    const state = x.path ? `${x.version ?? t(msg('버전 모름', 'version unknown'))}  ${x.path}` : t(msg('없음', 'missing'));
    out.push(`${mark[x.status]} ${x.name.padEnd(8)} ${state}${x.hint ? `  → ${t(x.hint)}` : ''}`);
  }
  if (r.images.length) out.push(t(msg('이 기계에서 만든 노드 이미지: 어느 노드도 이미지를 받아 올 수 없어, 주제의 이미지를 여기서 만들어 kind load로 넣습니다.', 'node image built on this machine: no node can pull, so the topics\' images are built here and put in with kind load.')));
  for (const i of r.images) {
    out.push(`${mark[i.status]} ${t(msg('이미지', 'image'))} ${i.name.padEnd(10)} ${i.ref ?? t(msg('없음', 'missing'))}  [${i.topics.join(', ')}]${i.hint ? `  → ${t(i.hint)}` : ''}`);
  }
  for (const p of r.ports) {
    const what =
      p.status === 'ours'
        ? t(msg(`kind 클러스터 ${CLUSTER_NAME}가 사용 중`, `held by the kind cluster ${CLUSTER_NAME}`))
        : p.status === 'free'
          ? t(msg('비어 있음', 'free'))
          : t(msg(`사용 중${p.owner ? `: ${p.owner}` : ''} → 그 프로그램을 멈추세요 (kind 설정이 이 포트를 씁니다)`, `busy${p.owner ? `: ${p.owner}` : ''} → stop it (the kind config maps this port)`));
    out.push(`${mark[p.status]} ${t(msg('포트', 'port'))} ${p.port}  ${what}`);
  }
  if (!r.cluster.reachable) {
    out.push(`- ${t(msg(`클러스터 ${r.context}에 Vault가 없어 함정 점검을 건너뜁니다.`, `no Vault on ${r.context}: the pitfall checks are skipped.`))}`);
    return out;
  }
  for (const p of r.cluster.pitfalls) {
    out.push(`${mark[p.status]} ${t(p.title)}`);
    if (p.why) out.push(`    ${t(p.why)}`);
    if (p.fix) out.push(`    → ${t(p.fix)}`);
  }
  return out;
}

/** `lab doctor --platform kind` (the CLI hands in what it parsed; a platform imports nothing of the CLI). */
export const kindDoctorCmd = async (a: { json: boolean; report: Reporter }): Promise<number> => {
  const r = await kindDoctor(realDeps());
  if (a.json) a.report.out(JSON.stringify(r, null, 2));
  else for (const l of doctorLines(r, (m) => a.report.t(m))) a.report.out(l);
  return doctorExit(r);
};
