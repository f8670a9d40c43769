/**
 * The chaos drill's gathering half: a writer does continuous KV v2 check-and-set writes while the active node
 * is hard-killed over and over; every answer is recorded, then every version is read back from the active
 * node (standbys may serve stale reads). judge.ts turns the record into the verdict.
 */
import type { LabContext } from '../engine/types.ts';
import type { Msg } from '../engine/i18n.ts';
import { msg } from '../engine/i18n.ts';
import { redact } from '../engine/redact.ts';
import { LabError, Exit } from '../engine/errors.ts';
import { sleep } from '../exec.ts';
import { poll, pollFor } from '../engine/poll.ts';
import { VaultApiError, VaultClient } from '../vault/client.ts';
import type { ClusterState, DrillRecord, KillRecord, Outcome, QuorumRecord, ReadBack, WriteRecord } from './judge.ts';
import { quorumMessage } from './judge.ts';

export const MOUNT = 'chaos-drill';

export type DrillMode = 'crash' | 'graceful';

export interface DrillOptions {
  kills: number;
  /** crash: SIGKILL the active node (Raft must time out and elect); graceful: SIGTERM, as `kubectl delete pod` (it hands leadership over). */
  mode?: DrillMode;
  /** Also take two nodes down at once and show that writes are refused, then bring them back. */
  quorum: boolean;
  keys?: number;
  /** Acknowledged writes to see between recoveries and the next kill, so every epoch is exercised. */
  acksBetweenKills?: number;
  /** How long to keep trying writes without quorum. */
  quorumMs?: number;
  progress?: (m: Msg) => void;
  /** How long the cluster may take to look healthy before the drill gives up (it should already be). */
  readyTimeoutMs?: number;
}

const WRITE_TIMEOUT_MS = 2000;

class Writer {
  readonly writes: WriteRecord[] = [];
  phase = 'warmup';
  stopped = false;
  private target: number | undefined;
  private readonly cur = new Map<string, number | undefined>();
  private seq = 0;
  private readonly ctx: LabContext;
  private readonly clients: VaultClient[];
  private readonly keys: string[];
  private readonly runId: string;
  constructor(ctx: LabContext, clients: VaultClient[], keys: string[], runId: string) {
    this.ctx = ctx;
    this.clients = clients;
    this.keys = keys;
    this.runId = runId;
    for (const k of keys) this.cur.set(k, 0);
  }

  private async findActive(): Promise<number | undefined> {
    const a = await this.ctx.activeVault(null).catch(() => undefined);
    return a?.node;
  }

  /** The version the active node holds now; after an unanswered write the writer cannot know it otherwise. */
  private async resync(key: string): Promise<boolean> {
    const node = await this.findActive();
    if (node === undefined) return false;
    try {
      const r = await this.clients[node]!.read<{ data?: { current_version?: number } }>(`/${MOUNT}/metadata/${key}`);
      this.cur.set(key, r.data?.current_version ?? 0);
      return true;
    } catch (e) {
      if (e instanceof VaultApiError && e.status === 404) {
        this.cur.set(key, 0);
        return true;
      }
      return false;
    }
  }

  /** The workload itself, a loop by design (not a wait): it writes until the drill stops it, every answer recorded. */
  async loop(): Promise<void> {
    let i = 0;
    while (!this.stopped) {
      const key = this.keys[i++ % this.keys.length]!;
      if (this.cur.get(key) === undefined && !(await this.resync(key))) {
        await this.attemptWithoutActive(key);
        continue;
      }
      if (this.target === undefined) this.target = await this.findActive();
      if (this.target === undefined) {
        await this.attemptWithoutActive(key);
        continue;
      }
      const w = await this.write(key, this.cur.get(key)!, this.target);
      if (w.outcome === 'acked') this.cur.set(key, w.version);
      else {
        this.cur.set(key, undefined);
        this.target = undefined;
        await sleep(50);
      }
    }
  }

  /** No active node: still try a node that answers, so refusals are recorded (what a client would see). */
  private async attemptWithoutActive(key: string): Promise<void> {
    const hs = await Promise.all(this.clients.map((c) => c.health().catch(() => undefined)));
    const live = hs.findIndex((h) => h !== undefined);
    if (live >= 0) await this.write(key, this.cur.get(key) ?? 0, live);
    await sleep(150);
  }

  private async write(key: string, cas: number, node: number): Promise<WriteRecord> {
    const value = `${this.runId}-${++this.seq}`;
    // The phase when the write was sent: one sent before a kill and answered after it belongs to the old phase.
    const phase = this.phase;
    const at = Date.now();
    let outcome: Outcome;
    let version: number | undefined;
    let error: string | undefined;
    try {
      const r = await this.clients[node]!.write<{ data?: { version?: number } }>(`/${MOUNT}/data/${key}`, { options: { cas }, data: { value } });
      version = r.data?.version;
      outcome = version === undefined ? 'unknown' : 'acked';
      if (version === undefined) error = 'answer without a version';
    } catch (e) {
      error = redact(e instanceof Error ? e.message : String(e));
      outcome = classify(e);
    }
    const w: WriteRecord = { key, cas, value, outcome, ...(version !== undefined ? { version } : {}), node, at, ms: Date.now() - at, ...(error ? { error } : {}), phase };
    this.writes.push(w);
    return w;
  }
}

/**
 * Refused only when the answer proves the write did not happen: a 4xx (check-and-set mismatch), sealed or
 * standby (503/429), a node that knows there is no active node, or a connection nobody accepted.
 * Anything else (timeout, reset, 5xx while forwarding or committing) may have committed: unknown.
 */
export function classify(e: unknown): Outcome {
  if (!(e instanceof VaultApiError)) return 'unknown';
  if (e.status === undefined) return /ECONNREFUSED/.test(e.message) ? 'refused' : 'unknown';
  if (e.status >= 400 && e.status < 500) return 'refused';
  if (e.status === 503) return 'refused';
  if (e.errors.some((x) => /active cluster node not found|not active|Vault is sealed|no active/i.test(x)) && !/commit|leadership lost/i.test(e.errors.join(' '))) return 'refused';
  return 'unknown';
}

interface LeaderView {
  leader_address?: string;
  is_self?: boolean;
  raft_committed_index?: number;
  raft_applied_index?: number;
}

/**
 * `healthy` means every standby follows the active node and has applied its log up to `target` (the active's
 * commit index when all nodes were first seen unsealed): a restarted node is a real voter again, not just up.
 */
async function clusterState(ctx: LabContext, clients: VaultClient[], target?: { index: number }): Promise<ClusterState> {
  const hs = await Promise.all(clients.map((c) => c.health().catch(() => undefined)));
  const unsealed = hs.filter((h) => h && h.initialized && !h.sealed).length;
  const activeIdx = hs.flatMap((h, i) => (h && h.initialized && !h.sealed && !h.standby ? [i] : []));
  let voters = 0;
  let healthy = false;
  const a = activeIdx[0];
  if (a !== undefined) {
    const c = ctx.vault(a);
    voters = (await c.raftServers().catch(() => [])).filter((s) => s.voter).length;
    const views = await Promise.all(clients.map((x) => x.read<LeaderView>('/sys/leader').catch(() => undefined)));
    const act = views[a];
    if (target && target.index < 0 && unsealed === clients.length) target.index = act?.raft_committed_index ?? -1;
    const want = target ? target.index : (act?.raft_committed_index ?? 0);
    healthy =
      unsealed === clients.length &&
      want >= 0 &&
      views.every((v, i) => i === a || (v !== undefined && v.leader_address === ctx.platform.vaultNodes()[a]!.addr && (v.raft_applied_index ?? -1) >= want));
  }
  return { unsealed, actives: activeIdx.length, voters, healthy };
}

async function waitHealthy(ctx: LabContext, clients: VaultClient[], timeoutMs = 60_000): Promise<ClusterState> {
  const n = clients.length;
  const target = { index: -1 };
  let s: ClusterState = { unsealed: 0, actives: 0, voters: 0, healthy: false };
  const ok = await poll(async () => {
    s = await clusterState(ctx, clients, target);
    return s.unsealed === n && s.actives === 1 && s.voters === n && s.healthy;
  }, { timeoutMs, ignoreErrors: false });
  if (ok) return s;
  throw drillStuck(msg(`${timeoutMs / 1000}초 안에 클러스터가 정상으로 돌아오지 않았습니다.`, `the cluster was not healthy again within ${timeoutMs / 1000} s.`), JSON.stringify(s));
}

/** The drill stopped half-way: a typed error that says how to get the cluster back (never "unexpected error"). */
function drillStuck(what: Msg, detail?: string): LabError {
  return new LabError(msg(`장애 훈련을 계속할 수 없습니다: ${what.ko}`, `the drill cannot go on: ${what.en}`), {
    exitCode: Exit.environment,
    hint: msg("'npx lab check ha-failover'로 상태를 보고, 'npx lab run ha-failover'로 클러스터를 되살린 뒤 다시 하세요.", "See the state with 'npx lab check ha-failover'; 'npx lab run ha-failover' brings the cluster back, then try again."),
    ...(detail ? { detail } : {}),
  });
}
const noActive = (when: Msg) => drillStuck(msg(`활성 노드가 없습니다 (${when.ko}).`, `there is no active node (${when.en}).`));

async function bringBack(ctx: LabContext, node: number): Promise<void> {
  await ctx.platform.nodeAction('start', node);
  const keys = ctx.lab.clusterKeys();
  const client = ctx.vault(node, null);
  for (const key of (keys?.unseal_keys_b64 ?? []).slice(0, keys?.unseal_threshold ?? 3)) await client.write('/sys/unseal', { key });
}

async function ensureMount(ctx: LabContext): Promise<void> {
  const a = await ctx.activeVault();
  if (!a) throw noActive(msg('드릴용 마운트를 만들 때', 'creating the drill\'s mount'));
  if (!(await a.client.mounts())[`${MOUNT}/`]) await a.client.write(`/sys/mounts/${MOUNT}`, { type: 'kv', options: { version: '2' }, description: 'lab chaos drill' });
  // KV v2 keeps 10 versions by default; the drill reads back every acknowledged version.
  let last: unknown;
  const ok = await poll(async () => {
    try {
      await a.client.write(`/${MOUNT}/config`, { max_versions: 100000 });
      return true;
    } catch (e) {
      last = e;
      return false;
    }
  }, { timeoutMs: 20_000, everyMs: 200 });
  if (!ok) throw last;
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

export async function readBack(ctx: LabContext, writes: WriteRecord[], keys: string[]): Promise<{ reads: ReadBack[]; finalVersions: Record<string, number> }> {
  const active = await ctx.activeVault();
  if (!active) throw noActive(msg('쓴 값을 다시 읽을 때', 'reading the writes back'));
  const c = active.client;
  const finalVersions: Record<string, number> = {};
  const wanted = new Set<string>();
  for (const k of keys) {
    const r = await c.read<{ data?: { current_version?: number } }>(`/${MOUNT}/metadata/${k}`).catch(() => undefined);
    finalVersions[k] = r?.data?.current_version ?? 0;
    for (let v = 1; v <= finalVersions[k]!; v++) wanted.add(`${k}\n${v}`);
  }
  for (const w of writes) if (w.outcome === 'acked' && w.version !== undefined) wanted.add(`${w.key}\n${w.version}`);
  const reads: ReadBack[] = [];
  await pool([...wanted], 8, async (kv) => {
    const [key, v] = kv.split('\n') as [string, string];
    const version = Number(v);
    let lastErr = '';
    // A read that errs (not a 404: that is an answer) is asked again for a second; each request has its own timeout.
    const got = await pollFor<ReadBack>(async () => {
      try {
        const r = await c.read<{ data?: { data?: { value?: string } | null } }>(`/${MOUNT}/data/${key}?version=${version}`);
        return { key, version, value: r.data?.data?.value };
      } catch (e) {
        if (e instanceof VaultApiError && e.status === 404) return { key, version, value: undefined };
        lastErr = redact(String(e));
        return undefined;
      }
    }, { timeoutMs: 1000, everyMs: 200, probeTimesOut: true });
    reads.push(got ?? { key, version, value: undefined, error: lastErr });
  });
  return { reads, finalVersions };
}

const acksSince = (ws: WriteRecord[], t: number) => ws.filter((w) => w.outcome === 'acked' && w.at >= t).length;

/** The writer's record shows `fn` within the time (the writer runs meanwhile; `what` names it for a reader). */
async function waitFor(what: string, fn: () => boolean, timeoutMs: number): Promise<boolean> {
  void what;
  return poll(fn, { timeoutMs, everyMs: 25 });
}

export async function gatherDrill(ctx: LabContext, o: DrillOptions): Promise<DrillRecord> {
  const t0 = Date.now();
  const mode = o.mode ?? 'crash';
  const say = o.progress ?? (() => undefined);
  const nodes = ctx.platform.vaultNodes();
  const token = ctx.lab.adminToken();
  const notReady = (detail: string) =>
    new LabError(msg('장애 훈련을 시작할 수 없습니다: ha-failover 클러스터가 완성된 상태가 아닙니다.', 'cannot start the drill: the ha-failover cluster is not in its solved state.'), {
      exitCode: Exit.environment,
      hint: msg("먼저 'npx lab run ha-failover'로 3노드를 모두 봉인이 풀린 상태로 만드세요.", "Run 'npx lab run ha-failover' first, so all 3 nodes are up and unsealed."),
      detail,
    });
  if (!token) throw notReady('no root/admin token in the lab folder');
  const clients = nodes.map((n) => new VaultClient({ addr: n.addr, caFile: n.caFile, token, timeoutMs: WRITE_TIMEOUT_MS }));
  await waitHealthy(ctx, clients, o.readyTimeoutMs ?? 20_000).catch((e: unknown) => {
    if ((e as Error).name === 'AbortError') throw e;
    throw notReady((e as Error).message);
  });
  await ensureMount(ctx);
  const runId = `r${t0.toString(36)}`;
  const keys = Array.from({ length: o.keys ?? 4 }, (_, i) => `${runId}/k${i}`);
  const writer = new Writer(ctx, clients, keys, runId);
  const kills: KillRecord[] = [];
  let quorum: QuorumRecord | undefined;
  const writing = writer.loop();
  const between = o.acksBetweenKills ?? 5;
  try {
    for (let n = 1; n <= o.kills; n++) {
      const healthyAt = Date.now();
      if (!(await waitFor('acks', () => acksSince(writer.writes, healthyAt) >= between, 30_000))) throw drillStuck(msg('정상 클러스터에서 30초 동안 쓰기 확인(ack)이 하나도 없었습니다.', 'the writer got no acknowledgement for 30 s on a healthy cluster.'));
      const a = await ctx.activeVault();
      if (!a) throw noActive(msg(`${n}번째 종료 직전`, `before stop ${n}`));
      writer.phase = `kill-${n}`;
      const killAt = Date.now();
      await ctx.platform.nodeAction(mode === 'graceful' ? 'stop' : 'kill', a.node);
      const rec: KillRecord = { n, node: a.node, at: killAt };
      kills.push(rec);
      // An ack from the killed node itself can only be a write that beat the SIGKILL: not a failover.
      const isFailover = (w: WriteRecord) => w.outcome === 'acked' && w.at >= killAt && w.node !== a.node;
      await waitFor('failover', () => writer.writes.some(isFailover), 30_000);
      const first = writer.writes.find(isFailover);
      if (first) {
        rec.failoverMs = first.at + first.ms - killAt;
        rec.newActive = first.node;
      }
      await bringBack(ctx, a.node);
      await waitHealthy(ctx, clients);
      rec.recoverMs = Date.now() - killAt;
      say(
        msg(
          `  [${n}/${o.kills}] ${nodes[a.node]!.name} ${mode === 'graceful' ? '정상 종료' : '강제 종료'} → ${rec.newActive !== undefined ? nodes[rec.newActive]!.name : '?'}가 ${rec.failoverMs !== undefined ? (rec.failoverMs / 1000).toFixed(1) : '?'}초 만에 쓰기 응답, ${(rec.recoverMs / 1000).toFixed(1)}초 만에 3노드 복구 (쓰기 ack ${acksSince(writer.writes, 0)})`,
          `  [${n}/${o.kills}] ${mode === 'graceful' ? 'stopped' : 'killed'} ${nodes[a.node]!.name} → ${rec.newActive !== undefined ? nodes[rec.newActive]!.name : '?'} answered a write after ${rec.failoverMs !== undefined ? (rec.failoverMs / 1000).toFixed(1) : '?'} s, 3 nodes healthy after ${(rec.recoverMs / 1000).toFixed(1)} s (${acksSince(writer.writes, 0)} writes acknowledged)`,
        ),
      );
    }
    if (o.quorum) {
      const healthyAt = Date.now();
      await waitFor('acks', () => acksSince(writer.writes, healthyAt) >= between, 30_000);
      const a = await ctx.activeVault();
      if (!a) throw noActive(msg('과반수 상실 훈련 직전', 'before the quorum-loss phase'));
      const victims = [a.node, (a.node + 1) % nodes.length];
      say(msg(`  과반수 상실: ${victims.map((v) => nodes[v]!.name).join(', ')} 두 노드를 강제 종료합니다 …`, `  losing quorum: hard-killing ${victims.map((v) => nodes[v]!.name).join(' and ')} …`));
      for (const v of victims) await ctx.platform.nodeAction('kill', v);
      const killAt = Date.now();
      writer.phase = 'quorum';
      await waitFor('refusals', () => Date.now() - killAt >= (o.quorumMs ?? 4000) && writer.writes.some((w) => w.phase === 'quorum' && w.outcome !== 'acked'), (o.quorumMs ?? 4000) + 15_000);
      const qw = writer.writes.filter((w) => w.phase === 'quorum');
      const up = (await Promise.all(clients.map((c) => c.health().catch(() => undefined)))).filter((h) => h && !h.sealed).length;
      quorum = { killed: victims, attempts: qw.length, acked: qw.filter((w) => w.outcome === 'acked').length, ...(qw.some((w) => w.outcome !== 'acked') ? { message: quorumMessage(up, nodes.length) } : {}) };
      if (quorum.message) say(msg(`  ${quorum.message.ko}`, `  ${quorum.message.en}`));
      writer.phase = 'quorum-recovery';
      for (const v of victims) await bringBack(ctx, v);
      await waitHealthy(ctx, clients);
      quorum.recoverMs = Date.now() - killAt;
      const back = Date.now();
      await waitFor('acks', () => acksSince(writer.writes, back) >= between, 30_000);
      say(msg(`  두 노드 복귀, ${(quorum.recoverMs / 1000).toFixed(1)}초 만에 클러스터 수렴`, `  both nodes back; the cluster converged after ${(quorum.recoverMs / 1000).toFixed(1)} s`));
    }
  } finally {
    writer.stopped = true;
    await writing.catch(() => undefined);
  }
  const cluster = await waitHealthy(ctx, clients).catch(() => clusterState(ctx, clients));
  say(msg(`  확인된 쓰기를 활성 노드에서 버전별로 다시 읽습니다 …`, `  reading every acknowledged write back, by version, from the active node …`));
  const { reads, finalVersions } = await readBack(ctx, writer.writes, keys);
  return { startedAt: new Date(t0).toISOString(), mode, nodes: nodes.length, writes: writer.writes, reads, kills, ...(quorum ? { quorum } : {}), finalVersions, cluster, durationMs: Date.now() - t0 };
}
