/**
 * The ha-failover topic's data and observations, shared by its steps (scenarios/ha-failover.ts) and its checks
 * (checkers/ha-failover.ts): the canary written before the failure, and the leader/Raft-term record over time.
 */
import type { LabContext } from '../../src/engine/types.ts';
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
 * Records the leader and Raft term over time in progress.json, so the drill can be judged from live state
 * even when the learner kills the node by hand: the first full-cluster observation is the baseline.
 */
export function recordLeader(ctx: LabContext, leader: string, term: number | undefined, voters: number): void {
  ctx.lab.updateProgress((p) => {
    const o = p.observations;
    if (o.baselineTerm === undefined && term !== undefined && voters >= 3) {
      o.baselineTerm = term;
      o.baselineLeader = leader;
    }
    const leaders = (o.leaders as string[] | undefined) ?? [];
    if (leaders.at(-1) !== leader) leaders.push(leader);
    o.leaders = leaders.slice(-20);
  });
}

export async function observeLeader(ctx: LabContext): Promise<void> {
  const a = await ctx.activeVault();
  if (!a) return;
  const [term, servers] = await Promise.all([raftTermOf(a.client).catch(() => undefined), a.client.raftServers().catch(() => [])]);
  recordLeader(ctx, ctx.platform.vaultNodes()[a.node]!.name, term, servers.filter((s) => s.voter).length);
}
