/**
 * Raft membership as live state, and bringing a node back into it. A node that is up but not in the active node's
 * Raft configuration (removed with `raft remove-peer`, or initialised as a cluster of its own) keeps its old Raft
 * data and never rejoins by itself: its data is wiped and it joins afresh.
 */
import type { Cmd, LabContext } from '../src/engine/types.ts';
import { msg, type Msg } from '../src/engine/i18n.ts';
import { PortHeldError } from '../src/engine/errors.ts';
import { health, unsealCmds, unsealKeyVars, waitUntil } from './common.ts';
import { poll } from '../src/engine/poll.ts';
import { VaultClient } from '../src/vault/client.ts';

/** `vault operator raft join` on node n, verifying the leader (node `leader`) with the lab CA. */
export const joinCmd = (node: number, leader = 0): Cmd => ({
  kind: 'vault',
  node,
  args: ['operator', 'raft', 'join', '-leader-ca-cert=@$VAULT_CACERT', `$VAULT_ADDR_${leader}`],
  note: msg('retry_join이 이미 합류시켰다면 이 명령은 생략해도 됩니다.', 'Skip this if retry_join has already joined the node.'),
});

/** Node ids in the active node's Raft configuration; undefined when there is no active node (or no token) to ask. */
export async function raftMembers(ctx: LabContext): Promise<string[] | undefined> {
  const a = await ctx.activeVault();
  if (!a) return undefined;
  const servers = await a.client.raftServers().catch(() => undefined);
  return servers?.map((s) => s.node_id);
}

/**
 * Whether node n is (or is on its way to being) in the cluster: initialised, and either in the configuration or
 * still sealed (a node that has joined is only added when it is unsealed). A node that is down counts when the
 * configuration still lists it (killed in the drill: bringing it back is the rejoin step, not a join). Without an
 * active node to ask, an initialised node counts, as before.
 */
export async function inCluster(ctx: LabContext, n: number, members?: string[]): Promise<boolean> {
  const h = await health(ctx, n);
  const m = members ?? (await raftMembers(ctx));
  const name = ctx.platform.vaultNodes()[n]!.name;
  if (h === undefined) return m?.includes(name) ?? false;
  if (!h.initialized) return false;
  if (!m) return true;
  return h.sealed || m.includes(name);
}

/** An unsealed node outside the configuration: unseal has returned, so a join in progress would show by now. */
export async function strayNodes(ctx: LabContext): Promise<number[]> {
  const members = await raftMembers(ctx);
  if (!members) return [];
  const out: number[] = [];
  const nodes = ctx.platform.vaultNodes();
  for (let n = 0; n < nodes.length; n++) {
    const h = await health(ctx, n);
    if (h?.initialized && !h.sealed && !members.includes(nodes[n]!.name)) out.push(n);
  }
  return out;
}

async function unseal(ctx: LabContext, n: number): Promise<void> {
  const threshold = ctx.lab.clusterKeys()?.unseal_threshold ?? 3;
  for (const c of [...unsealKeyVars(threshold), ...unsealCmds(threshold, n)]) await ctx.exec(c);
}

/** Join node n to the active node's cluster (retry_join usually does it first) and unseal it; waits for a voter. */
export async function joinAndUnseal(ctx: LabContext, n: number): Promise<void> {
  const name = ctx.platform.vaultNodes()[n]!.name;
  const a = await ctx.activeVault();
  if (!a) return;
  // retry_join in the node's config usually joins it within a second or two; a second join would race it.
  await waitUntil(`${name} joined`, async () => (await health(ctx, n))?.initialized === true, 5000, 200).catch(() => undefined);
  if (!(await health(ctx, n))?.initialized) {
    await ctx.exec(joinCmd(n, a.node)).catch(async (e: unknown) => {
      if (!(await health(ctx, n))?.initialized) throw e;
    });
  }
  const shamir = Boolean(ctx.lab.clusterKeys()?.unseal_keys_b64?.length);
  if ((await health(ctx, n))?.sealed !== false && shamir) await unseal(ctx, n);
  // Done when the node itself is unsealed and the leader counts it as a voter; a node that comes out of its join
  // sealed again is unsealed again rather than waited on.
  await waitUntil(`${name} unsealed and a Raft voter`, async () => {
    const h = await health(ctx, n);
    if (h?.initialized && h.sealed && shamir) {
      await unseal(ctx, n).catch(() => undefined);
      return false;
    }
    const act = await ctx.activeVault();
    const servers = act ? await act.client.raftServers() : [];
    return h?.sealed === false && servers.some((s) => s.node_id === name && s.voter);
  }, 30_000, 300);
}

/** Wipe node n's data, start it uninitialised, join it to the active node's cluster and unseal it. */
export async function rejoinNode(ctx: LabContext, n: number, why?: Msg): Promise<void> {
  const name = ctx.platform.vaultNodes()[n]!.name;
  const reason =
    why ??
    msg(
      `${name} 노드는 Raft 구성원(member)이 아닙니다 (raft remove-peer로 빠졌거나 따로 초기화됨)`,
      `${name} is not a member of the Raft cluster (removed with raft remove-peer, or initialised on its own)`,
    );
  ctx.report.info(ctx.report.t(msg(`    ${reason.ko}: 옛 Raft 데이터를 지우고 다시 합류시킵니다.`, `    ${reason.en}: wiping its old Raft data and joining it again.`)));
  await ctx.platform.nodeAction('reset', n);
  await joinAndUnseal(ctx, n);
}

/**
 * No active node while members sit sealed (restarted after a crash or `lab down`): unseal them, node n too, until a
 * leader is elected. All at once, each with a deadline: a node still joining (wiped, its retry_join holding a
 * challenge from an unsealed standby) answers exactly like a restarted member, but its unseal only returns through a
 * leader, so unsealed alone or first it holds the command for a minute (seed 633672, sequence 2: vault-1 joining,
 * vault-0 restarted; seed 826305, sequence 11: vault-0 joining, vault-2 restarted). The members' unseals elect a
 * leader, and the joining node's unseal then finishes through it.
 */
export async function restoreQuorum(ctx: LabContext, n: number): Promise<void> {
  const keys = ctx.lab.clusterKeys();
  const shares = keys?.unseal_keys_b64 ?? [];
  if (!shares.length || (await ctx.activeVault())) return;
  const nodes = ctx.platform.vaultNodes();
  const sealed: number[] = [];
  for (let m = 0; m < nodes.length; m++) {
    const h = await health(ctx, m);
    if (h?.initialized && h.sealed) sealed.push(m);
  }
  if (!sealed.length) return;
  ctx.report.debug(`restoring the quorum: unsealing ${sealed.map((m) => nodes[m]!.name).join(', ')}${n >= 0 ? ` (for ${nodes[n]!.name})` : ''}`);
  let settledAt: number | undefined;
  void Promise.allSettled(
    sealed.map(async (m) => {
      const client = new VaultClient({ addr: nodes[m]!.addr, ...(nodes[m]!.caFile ? { caFile: nodes[m]!.caFile } : {}), timeoutMs: 10_000 });
      for (const key of shares.slice(0, keys?.unseal_threshold ?? 3)) {
        if ((await client.write<{ sealed?: boolean }>('/sys/unseal', { key })).sealed === false) return;
      }
    }),
  ).then(() => {
    settledAt = Date.now();
  });
  // A leader once a majority is unsealed (a Raft election: seconds); none when too few members are left.
  await poll(async () => (await ctx.activeVault()) !== undefined || (settledAt !== undefined && Date.now() - settledAt > 15_000), { timeoutMs: 40_000, everyMs: 250 });
}

/**
 * Unseal node n; if the lab's keys cannot unseal it while another node is active, its data is not the running
 * cluster's (a join cut short by a stop, a cluster of its own): the active node holds every committed entry, so
 * the node is wiped and joined again.
 */
export async function unsealOrRejoin(ctx: LabContext, n: number, unseal: () => Promise<void>): Promise<void> {
  await restoreQuorum(ctx, n);
  try {
    await unseal();
  } catch (e) {
    // Ctrl-C, or a port held by another process: wiping the node's data would not help.
    if ((e as Error).name === 'AbortError' || e instanceof PortHeldError) throw e;
    const a = await ctx.activeVault();
    if (!a || a.node === n) throw e;
    const name = ctx.platform.vaultNodes()[n]!.name;
    await rejoinNode(ctx, n, msg(`${name}: 랩의 키로 봉인이 풀리지 않습니다 (합류가 중간에 끊겼거나 다른 클러스터의 데이터)`, `${name} does not unseal with the lab's keys (a join cut short, or another cluster's data)`));
  }
}
