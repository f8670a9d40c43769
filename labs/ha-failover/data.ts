/**
 * The ha-failover topic's data and observations, shared by its steps (scenarios/ha-failover.ts) and its checks
 * (checkers/ha-failover.ts): the canary written before the failure, and the leader/Raft-term record over time.
 */
import type { LabContext } from '../../src/engine/types.ts';
import { msg, type Msg } from '../../src/engine/i18n.ts';
import type { VaultClient } from '../../src/vault/client.ts';

export const CANARY = { path: 'ha/canary', value: 'written-before-failover' };

/** The highest Raft term any server reports (autopilot state); a leader change raises it. */
export async function raftTermOf(client: VaultClient): Promise<number | undefined> {
  const r = await client.read<{ data?: { servers?: Record<string, { last_term?: number }> } }>('/sys/storage/raft/autopilot/state');
  const terms = Object.values(r.data?.servers ?? {}).map((s) => s.last_term ?? 0);
  return terms.length ? Math.max(...terms) : undefined;
}

export async function raftTerm(ctx: LabContext): Promise<number | undefined> {
  const a = await ctx.activeVault();
  return a ? raftTermOf(a.client) : undefined;
}

/**
 * The leader and Raft term over time, so the drill can be judged from live state even when the learner stops the node
 * by hand: the first full-cluster observation is the baseline. Pure: returns the next observations.
 */
export function leaderObserved(prev: Record<string, unknown>, leader: string, term: number | undefined, voters: number, now = Date.now()): Record<string, unknown> {
  const o = { ...prev };
  if (o.baselineTerm === undefined && term !== undefined && voters >= 3) {
    o.baselineTerm = term;
    o.baselineLeader = leader;
  }
  const leaders = [...((o.leaders as string[] | undefined) ?? [])];
  const last = leaders.at(-1);
  if (last !== leader) {
    leaders.push(leader);
    // The gap between the last sighting of the old leader and the first of the new: an upper bound on the failover,
    // as fine as the observations (`lab check --watch`, `lab solve`) were frequent.
    const seen = o.leaderSeenAt as number | undefined;
    if (last !== undefined && seen !== undefined) o.failovers = [...((o.failovers as LeaderChange[] | undefined) ?? []), { from: last, to: leader, at: new Date(now).toISOString(), withinMs: now - seen }].slice(-10);
  }
  o.leaderSeenAt = now;
  o.leaders = leaders.slice(-20);
  return o;
}

/** The same, written to progress.json: for the steps `lab solve` runs (they hold the lab's lock). */
export function recordLeader(ctx: LabContext, leader: string, term: number | undefined, voters: number): void {
  ctx.lab.updateProgress((p) => {
    p.observations = leaderObserved(p.observations, leader, term, voters);
  });
}

/** A leader change as recorded in progress.json (observations.failovers); `lab check --watch` and the ending show it. */
export interface LeaderChange {
  from: string;
  to: string;
  at: string;
  withinMs: number;
}

export async function observeLeader(ctx: LabContext): Promise<void> {
  const a = await ctx.activeVault();
  if (!a) return;
  const [term, servers] = await Promise.all([raftTermOf(a.client).catch(() => undefined), a.client.raftServers().catch(() => [])]);
  recordLeader(ctx, ctx.platform.vaultNodes()[a.node]!.name, term, servers.filter((s) => s.voter).length);
}

/** The dashboard's line: the last leader change the lab saw and within how long, else the leaders seen in turn. */
export function failoverLines(o: Record<string, unknown>): Msg[] {
  const c = ((o.failovers as LeaderChange[] | undefined) ?? []).at(-1);
  if (c) {
    const t = new Date(c.at).toLocaleTimeString('en-GB', { hour12: false });
    const s = (c.withinMs / 1000).toFixed(1);
    return [msg(`마지막 리더 교체: ${c.from} → ${c.to} (${t}, ${s}초 이내)`, `last leader change: ${c.from} → ${c.to} (${t}, within ${s}s)`)];
  }
  const leaders = (o.leaders as string[] | undefined) ?? [];
  return leaders.length > 1 ? [msg(`관찰한 리더 교체: ${leaders.join(' → ')}`, `leader changes observed: ${leaders.join(' → ')}`)] : [];
}
