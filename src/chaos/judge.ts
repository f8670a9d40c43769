/**
 * The chaos drill's verdict: a pure function of what the drill recorded (writes attempted, what Vault
 * answered, what was read back afterwards). No I/O here, so the judgement is testable on its own.
 */
import type { Msg } from '../engine/i18n.ts';
import { msg } from '../engine/i18n.ts';

/**
 * acked: Vault answered 2xx with a version — it promised the write is durable.
 * refused: Vault (or the network, before any byte reached a server) said no — the write did not happen.
 * unknown: no answer (timeout, reset connection, 5xx mid-flight): the write may or may not have committed,
 * so it can be neither acknowledged nor lost.
 */
export type Outcome = 'acked' | 'refused' | 'unknown';

export interface WriteRecord {
  key: string;
  /** The cas value sent: the version the writer believed current. */
  cas: number;
  value: string;
  outcome: Outcome;
  /** The version Vault acknowledged (acked only). */
  version?: number;
  node: number;
  at: number;
  ms: number;
  /** Why it was not acknowledged (Vault's error or the network's), redacted. */
  error?: string;
  /** The drill phase: `kill-N` or `quorum`. */
  phase: string;
}

export interface ReadBack {
  key: string;
  version: number;
  /** The value stored at that version, undefined when the version is missing or deleted. */
  value: string | undefined;
  /** The read itself failed (after retries): the write could not be verified. */
  error?: string;
}

export interface KillRecord {
  n: number;
  node: number;
  at: number;
  /** ms from the kill to the first write acknowledged by a new active node; undefined if none came. */
  failoverMs?: number;
  newActive?: number;
  /** ms until the killed node was back, unsealed, and the cluster healthy again. */
  recoverMs?: number;
}

export interface QuorumRecord {
  killed: number[];
  /** Writes attempted while two of three nodes were down (also in `writes` with phase 'quorum'). */
  attempts: number;
  acked: number;
  /** The lab's explanation of the first refused write. */
  message?: Msg;
  recoverMs?: number;
}

export interface ClusterState {
  unsealed: number;
  actives: number;
  voters: number;
  healthy: boolean;
}

export interface DrillRecord {
  startedAt: string;
  /** How the active node was taken down: crash = SIGKILL (the default, also for records without it), graceful = SIGTERM. */
  mode?: 'crash' | 'graceful';
  nodes: number;
  writes: WriteRecord[];
  reads: ReadBack[];
  kills: KillRecord[];
  quorum?: QuorumRecord;
  /** Every version present per key at the end (KV v2 metadata), for resolving unknown writes. */
  finalVersions: Record<string, number>;
  cluster: ClusterState;
  durationMs: number;
}

export interface LostWrite {
  key: string;
  version: number;
  expected: string;
  found: string | undefined;
}

export interface DrillVerdict {
  ok: boolean;
  attempted: number;
  acknowledged: number;
  refused: number;
  unknown: number;
  /** Unknown writes whose value was found in the store afterwards (they did commit). */
  unknownCommitted: number;
  lost: number;
  lostWrites: LostWrite[];
  /** Acknowledged writes whose read-back failed: not proven kept, so the drill cannot pass. */
  unverified: number;
  /** Two acknowledged writes claiming the same version of a key: one of them must be lost. */
  duplicateVersions: number;
  failover: { count: number; p50?: number; p95?: number; max?: number; missing: number };
  cluster: ClusterState & { ok: boolean };
  quorum?: { ok: boolean; attempts: number; acked: number; message?: Msg };
  summary: Msg;
}

export function percentile(values: number[], p: number): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

const vkey = (key: string, version: number) => `${key}@${version}`;

export function judgeDrill(r: DrillRecord): DrillVerdict {
  const acked = r.writes.filter((w) => w.outcome === 'acked');
  const refused = r.writes.filter((w) => w.outcome === 'refused').length;
  const unknowns = r.writes.filter((w) => w.outcome === 'unknown');
  const reads = new Map(r.reads.map((x) => [vkey(x.key, x.version), x]));

  const seen = new Map<string, number>();
  for (const w of acked) {
    const k = vkey(w.key, w.version ?? -1);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const duplicateVersions = [...seen.values()].reduce((n, c) => n + (c > 1 ? c - 1 : 0), 0);

  const lostWrites: LostWrite[] = [];
  let unverified = 0;
  for (const w of acked) {
    const rb = w.version === undefined ? undefined : reads.get(vkey(w.key, w.version));
    if (!rb) {
      unverified++;
      continue;
    }
    if (rb.error !== undefined) {
      unverified++;
      continue;
    }
    if (rb.value !== w.value) lostWrites.push({ key: w.key, version: w.version!, expected: w.value, found: rb.value });
  }

  const storedValues = new Set(r.reads.filter((x) => x.value !== undefined).map((x) => `${x.key}=${x.value}`));
  const unknownCommitted = unknowns.filter((w) => storedValues.has(`${w.key}=${w.value}`)).length;

  const times = r.kills.flatMap((k) => (k.failoverMs === undefined ? [] : [k.failoverMs]));
  const failover = {
    count: times.length,
    missing: r.kills.length - times.length,
    ...(times.length ? { p50: percentile(times, 50)!, p95: percentile(times, 95)!, max: Math.max(...times) } : {}),
  };
  const clusterOk = r.cluster.unsealed === r.nodes && r.cluster.actives === 1 && r.cluster.voters === r.nodes;
  const quorum = r.quorum
    ? { ok: r.quorum.acked === 0 && r.quorum.attempts > 0 && r.quorum.message !== undefined, attempts: r.quorum.attempts, acked: r.quorum.acked, ...(r.quorum.message ? { message: r.quorum.message } : {}) }
    : undefined;

  const lost = lostWrites.length;
  const ok = lost === 0 && unverified === 0 && duplicateVersions === 0 && clusterOk && failover.missing === 0 && (quorum?.ok ?? true);
  const u = unknowns.length;
  const summary = msg(
    `쓰기 ${r.writes.length}건: 확인(ack) ${acked.length}, 거부 ${refused}, 불명 ${u}${u ? ` (응답 없음 — 그중 ${unknownCommitted}건은 실제로 저장됨; 확인도 유실도 아님)` : ''}, 유실 ${lost}` +
      (unverified ? `, 검증 불가 ${unverified}` : '') +
      (r.mode === 'graceful' ? `. 정상 종료(SIGTERM) ${r.kills.length}회` : `. 강제 종료(SIGKILL) ${r.kills.length}회`) +
      (failover.p50 !== undefined ? `, 장애 전환 p50 ${(failover.p50 / 1000).toFixed(1)}초 / p95 ${(failover.p95! / 1000).toFixed(1)}초` : '') +
      `. 클러스터: unseal ${r.cluster.unsealed}/${r.nodes}, active ${r.cluster.actives}, voter ${r.cluster.voters}.`,
    `${r.writes.length} writes: ${acked.length} acknowledged, ${refused} refused, ${u} unknown${u ? ` (no answer — ${unknownCommitted} of them did commit; neither acknowledged nor lost)` : ''}, ${lost} lost` +
      (unverified ? `, ${unverified} unverified` : '') +
      (r.mode === 'graceful' ? `. ${r.kills.length} graceful stops (SIGTERM)` : `. ${r.kills.length} hard kills (SIGKILL)`) +
      (failover.p50 !== undefined ? `, failover p50 ${(failover.p50 / 1000).toFixed(1)} s / p95 ${(failover.p95! / 1000).toFixed(1)} s` : '') +
      `. Cluster: ${r.cluster.unsealed}/${r.nodes} unsealed, ${r.cluster.actives} active, ${r.cluster.voters} voters.`,
  );
  return {
    ok,
    attempted: r.writes.length,
    acknowledged: acked.length,
    refused,
    unknown: u,
    unknownCommitted,
    lost,
    lostWrites,
    unverified,
    duplicateVersions,
    failover,
    cluster: { ...r.cluster, ok: clusterOk },
    ...(quorum ? { quorum } : {}),
    summary,
  };
}

/** The lab's explanation when a write fails with too few nodes up: Raft needs a majority to commit. */
export function quorumMessage(up: number, total: number): Msg {
  const need = Math.floor(total / 2) + 1;
  return msg(
    `쓰기가 거부되었습니다: Raft 과반수(quorum) 상실 — voter ${total}개 중 ${up}개만 살아 있고, 커밋하려면 ${need}개가 필요합니다. 죽은 노드를 다시 시작하고 봉인을 풀면 쓰기가 돌아옵니다.`,
    `write refused: Raft quorum lost — only ${up} of ${total} voters are up and a commit needs ${need}. Restart and unseal the dead nodes and writes come back.`,
  );
}
