import type { Cmd, LabContext, Pending, TopicDef } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { LabError } from '../src/engine/errors.ts';
import { health, initCmd, initDone, mountType, rootTokenCmd, setupStep, unsealCmds, unsealKeyVars, waitUntil } from './common.ts';
import { CANARY, failoverLines, observeLeader, raftTerm, raftTermOf, type LeaderChange } from '../labs/ha-failover/data.ts';
import { poll, pollFor } from '../src/engine/poll.ts';
import { inCluster, joinCmd, raftMembers, rejoinNode, restoreQuorum, strayNodes, unsealOrRejoin } from './raft.ts';

const NODES = [0, 1, 2];
export { CANARY };

/** Autopilot waits 10 s by default before promoting a new node to voter; a lab can afford 1 s. */
const autopilotCmd: Cmd = {
  kind: 'vault',
  args: ['operator', 'raft', 'autopilot', 'set-config', '-server-stabilization-time=1s'],
  note: msg('실습용으로 voter 승격 대기를 10초에서 1초로 줄입니다.', 'For the lab: promote new voters after 1 s instead of 10 s.'),
};

async function joined(ctx: LabContext, node: number): Promise<boolean> {
  return (await health(ctx, node))?.initialized === true;
}

type Shell = Record<string, string | undefined>;

/** The lab has seen the whole cluster (3 voters, one leader): the failover baseline is recorded. */
const completeOnce = (ctx: LabContext): boolean => ctx.lab.progress().observations.baselineTerm !== undefined;

/** The root token is in the lab, but the learner's shell does not hold it (the next vault command would answer 403). */
const tokenMissing = (ctx: LabContext, shell: Shell): boolean => {
  const root = ctx.lab.adminToken();
  return root !== undefined && (shell.BAO_TOKEN ?? shell.VAULT_TOKEN) !== root;
};

/** What is left of unsealing the leader: the keys not yet entered (k/n), then the root token and autopilot. */
async function unsealLeaderPending(ctx: LabContext, shell: Shell): Promise<Pending | undefined> {
  // Once the whole cluster has been seen (the failover baseline), this step is history: the rejoin step has the rest.
  if (completeOnce(ctx)) return undefined;
  const name = ctx.platform.vaultNodes()[0]!.name;
  const st = await ctx.vault(0, null).sealStatus().catch(() => undefined);
  if (!st?.initialized) return undefined;
  if (st.sealed) {
    const left = Array.from({ length: Math.max(0, st.t - st.progress) }, (_, j) => st.progress + j);
    return {
      status: [msg(`${name}: ${st.progress}/${st.t} (키 ${st.t - st.progress}개 더)`, `${name}: ${st.progress}/${st.t} (${st.t - st.progress} more key${st.t - st.progress === 1 ? '' : 's'})`)],
      commands: [...left.map((i) => unsealKeyVars(st.t)[i]!), ...left.map((i) => unsealCmds(st.t, 0)[i]!), { kind: 'vault', node: 0, args: ['status'] }, rootTokenCmd, autopilotCmd],
    };
  }
  const commands: Cmd[] = [];
  if (tokenMissing(ctx, shell)) commands.push(rootTokenCmd);
  const a = await ctx.activeVault();
  if (a) {
    const cfg = await a.client.read<{ data?: { server_stabilization_time?: string | number } }>('/sys/storage/raft/autopilot/configuration').catch(() => undefined);
    const t = cfg?.data?.server_stabilization_time;
    if (cfg && t !== '1s' && t !== 1 && t !== 1_000_000_000) commands.push(autopilotCmd);
  }
  return { status: [msg(`${name}: unseal 완료`, `${name}: unsealed`)], commands };
}

/** The keys still to enter on each sealed follower, "vault-1: 1/3" first. */
async function followersPending(ctx: LabContext): Promise<Pending | undefined> {
  if (completeOnce(ctx)) return undefined;
  const status: Pending['status'] = [];
  const commands: Cmd[] = [];
  const vars = new Set<number>();
  const unseal: Cmd[] = [];
  for (const n of [1, 2]) {
    const st = await ctx.vault(n, null).sealStatus().catch(() => undefined);
    if (!st?.initialized || !st.sealed) continue;
    const name = ctx.platform.vaultNodes()[n]!.name;
    status.push(msg(`${name}: ${st.progress}/${st.t}`, `${name}: ${st.progress}/${st.t}`));
    for (let i = st.progress; i < st.t; i++) {
      vars.add(i);
      unseal.push(unsealCmds(st.t, n)[i]!);
    }
  }
  if (!status.length) return undefined;
  commands.push(...[...vars].sort().map((i) => unsealKeyVars(3)[i]!), ...unseal);
  return { status, commands };
}

async function unsealNode(ctx: LabContext, n: number): Promise<void> {
  for (const c of [...unsealKeyVars(3), ...unsealCmds(3, n)]) await ctx.exec(c);
}

/** Every node that is up but outside the Raft configuration is wiped and joined again (see scenarios/raft.ts). */
async function rejoinStrays(ctx: LabContext): Promise<void> {
  for (const n of await strayNodes(ctx)) await rejoinNode(ctx, n);
}

/**
 * `vault status` on a follower just unsealed: HA Mode standby, and the active node's address. Asking a standby who leads
 * also makes it connect to the active node at once instead of on its next leader check (every 2.5 s in OpenBao): the
 * active node hears from it, and autopilot counts it healthy, 2–3 s sooner (measured: 0.3–0.5 s instead of 2.6–2.8 s).
 */
const followerStatus = (node: number): Cmd => ({ kind: 'vault', node, args: ['status'] });

/**
 * The last key returns while a joining follower still fetches the leader's snapshot: it answers "sealed" (exit 2) for
 * a while longer (seconds under load), and a read through it in the next step would get 503. Wait until it is unsealed.
 */
const waitUnsealed = (node: number): Cmd => ({
  kind: 'wait',
  probe: { kind: 'vault', node, args: ['status'] },
  timeoutSec: 60,
  note: msg('마지막 키를 넣은 뒤에도 합류를 마칠 때까지 잠시 sealed로 보입니다: unseal될 때까지 기다립니다.', 'After the last key a joining node still shows sealed until it finishes its join: wait until it is unsealed.'),
});

/** Read the canary through one node (a standby forwards the read to the active node, as Vault CE does). */
const readThrough = (node: number): Cmd => ({
  kind: 'vault',
  node,
  args: ['kv', 'get', `secret/${CANARY.path}`],
  note: msg('다른 노드(대기 노드)를 통해 읽기: 대기 노드는 요청을 활성 노드로 넘깁니다.', 'Read through another node (a standby): it forwards the request to the active node.'),
});

/**
 * Autopilot's own verdict, asked once per poll: every server a voter and healthy. The configuration lists a voter the
 * moment it is promoted; autopilot also knows it is in contact and caught up, which is what the drill needs.
 */
export async function healthyVoters(ctx: LabContext): Promise<number> {
  const a = await ctx.activeVault();
  if (!a) return 0;
  const r = await a.client.read<{ data?: { servers?: Record<string, { status?: string; healthy?: boolean }> } }>('/sys/storage/raft/autopilot/state');
  return Object.values(r.data?.servers ?? {}).filter((x) => x.status === 'voter' || x.status === 'leader').filter((x) => x.healthy).length;
}

/** Before the drill: autopilot says every server is a healthy voter (a voter that is not caught up cannot take over). */
async function waitHealthyVoters(ctx: LabContext, n: number, timeoutMs = 30_000): Promise<void> {
  await waitUntil(msg(`건강한 Raft voter ${n}개 (raft autopilot state)`, `${n} healthy Raft voters (raft autopilot state)`), async () => (await healthyVoters(ctx)) >= n, timeoutMs, 50);
}

/** The Raft configuration lists n voters (what the voters check judges; a restarted voter never left it). */
async function waitVoters(ctx: LabContext, n: number, timeoutMs = 30_000): Promise<void> {
  await waitUntil(msg(`Raft voter ${n}개`, `${n} Raft voters`), async () => {
    const a = await ctx.activeVault();
    return a !== undefined && (await a.client.raftServers()).filter((s) => s.voter).length >= n;
  }, timeoutMs, 50);
}

/**
 * The canary write's guard. A KV v2 mount enabled a moment ago answers 400 "Upgrading from non-versioned to versioned
 * data" for about a second: that is no answer yet (the write itself would get the same 400), so it is asked again.
 */
async function canaryWrittenOnceReady(ctx: LabContext): Promise<boolean> {
  const got = await pollFor(
    async () => {
      try {
        return { written: await canaryWritten(ctx) };
      } catch (e) {
        if (/Upgrading from non-versioned/.test(String(e))) return undefined;
        throw e;
      }
    },
    { timeoutMs: 15_000, everyMs: 250, ignoreErrors: false, probeTimesOut: true },
  );
  return got?.written ?? false;
}

/** The canary is there, read from the active node. */
async function canaryWritten(ctx: LabContext): Promise<boolean> {
  const a = await ctx.activeVault();
  return (await a?.client.kvGet('secret', CANARY.path))?.data.value === CANARY.value;
}

/** The baseline is recorded and the last leader the lab saw, a moment ago, is the active node now. */
async function leaderJustRecorded(ctx: LabContext): Promise<boolean> {
  const o = ctx.lab.progress().observations;
  const a = await ctx.activeVault();
  const seenAt = o.leaderSeenAt as number | undefined;
  return a !== undefined && o.baselineTerm !== undefined && seenAt !== undefined && Date.now() - seenAt < 5000 && (o.leaders as string[] | undefined)?.at(-1) === ctx.platform.vaultNodes()[a.node]!.name;
}

export const topic: TopicDef = {
  id: 'ha-failover',
  dashboard: failoverLines,
  title: msg('Vault HA: Raft 3노드와 리더 장애 전환', 'Vault HA: 3-node Raft and leader failover'),
  summary: msg(
    'TLS로 보호되는 Raft 통합 스토리지 3노드 클러스터를 만들고, 활성 노드를 멈췄을 때(kubectl delete pod와 같은 정상 종료) 대기 노드가 이어받는 것을 확인합니다.',
    'Build a 3-node integrated-Raft cluster behind TLS, stop the active node (gracefully, as kubectl delete pod does) and watch a standby take over.',
  ),
  platforms: ['local', 'kind'],
  needs: { vault: { nodes: 3, storage: 'raft', tls: { minVersion: 'tls12' }, performanceMultiplier: 1, activeAddr: true } },
  steps: [
    setupStep('cluster', msg('Vault 3노드 시작 (TLS, Raft, retry_join)', 'Start 3 Vault nodes (TLS, Raft, retry_join)')),
    {
      id: 'init',
      kind: 'task',
      title: msg('vault-0 초기화: 키 5개, 임계값 3', 'Initialise vault-0: 5 key shares, threshold 3'),
      task: msg('vault-0을 키 조각 5개, 임계값 3으로 초기화하고 결과를 $LAB_DIR/cluster-keys.json에 저장하세요.', 'Initialise vault-0 with 5 key shares and threshold 3; save the output to $LAB_DIR/cluster-keys.json.'),
      hint: msg('초기화는 한 노드에서 한 번만 합니다. 나머지 노드는 합류(join)합니다.', 'Initialise one node, once; the others join it.'),
      commands: [initCmd(5, 3)],
      done: initDone,
      checks: ['all-unsealed'],
    },
    {
      id: 'unseal-leader',
      kind: 'task',
      title: msg('vault-0 unseal (키 3개)', 'Unseal vault-0 (3 keys)'),
      task: msg('키 3개로 vault-0의 봉인을 푸세요. 다른 노드보다 먼저 해야 합니다.', 'Unseal vault-0 with 3 keys, before the other nodes.'),
      commands: [...unsealKeyVars(3), ...unsealCmds(3, 0), { kind: 'vault', node: 0, args: ['status'] }, rootTokenCmd, autopilotCmd],
      done: async (ctx) => (await health(ctx, 0))?.sealed === false,
      pending: unsealLeaderPending,
      // Once the whole cluster has been seen, a sealed or dead vault-0 is the drill's revived node: the rejoin step's.
      heldFor: async (ctx) => completeOnce(ctx),
      solveWhy: "After a failover or `lab down` vault-0 may hold data the lab's keys cannot open (then it is wiped and rejoined), and a restarted vault-0 alone is no quorum, so only a brand-new cluster waits for it to lead before autopilot is tuned.",
      solve: async (ctx) => {
        // After a failover vault-0 is a follower like the others: one whose data the keys cannot open is rejoined.
        await unsealOrRejoin(ctx, 0, async () => {
          for (const c of [...unsealKeyVars(3), ...unsealCmds(3, 0)]) await ctx.exec(c);
        });
        await ctx.exec(rootTokenCmd);
        // After `lab down` every node comes back sealed but already joined: vault-0 alone is no quorum, so it cannot
        // become active until a follower is unsealed too (the next steps). Only a brand-new cluster waits here.
        if ((await health(ctx, 1))?.initialized || (await health(ctx, 2))?.initialized) return;
        await waitUntil(msg('vault-0이 활성 노드가 되기', 'vault-0 to become active'), async () => (await ctx.activeVault()) !== undefined, 30_000);
        await ctx.exec(autopilotCmd);
      },
      checks: ['one-active'],
    },
    {
      id: 'join',
      kind: 'task',
      title: msg('vault-1, vault-2를 Raft에 합류', 'Join vault-1 and vault-2 to Raft'),
      task: msg('vault-1과 vault-2를 vault-0의 Raft 클러스터에 합류시키세요 (리더 CA로 검증).', 'Join vault-1 and vault-2 to vault-0\'s Raft cluster, verifying the leader with the lab CA.'),
      hint: msg(
        '설정의 retry_join 덕분에 리더의 봉인이 풀리면 보통 스스로 합류합니다. 합류 전에는 봉인을 풀 수 없습니다. Shamir 봉인에서 합류는 두 단계입니다: join은 Joined true를 돌려주지만, 그 노드는 봉인을 푼 뒤에야 raft list-peers에 나타납니다. raft remove-peer로 뺀 노드는 옛 Raft 데이터 때문에 다시 join 되지 않습니다: npx lab node ha-failover reset <노드>로 데이터를 지우고 합류시키세요.',
        'With retry_join in the config they usually join by themselves once the leader is unsealed; a node cannot be unsealed before it joins. With Shamir seals a join has two phases: join answers Joined true, but the node shows in raft list-peers only once it is unsealed. A node taken out with raft remove-peer will not join again over its old Raft data: wipe and rejoin it with npx lab node ha-failover reset <node>.',
      ),
      commands: [joinCmd(1), joinCmd(2)],
      solveWhy: 'Before the joins it restores a quorum (every sealed member unsealed at once), wipes and rejoins nodes outside the Raft configuration (a removed peer, a cluster of its own) and joins against whichever node is active: repairs of what the learner broke, not lesson lines.',
      solve: async (ctx) => {
        // No leader while members sit sealed (one stopped and restarted, another wiped): unseal them first, or the
        // join below has no one to ask for its challenge.
        await restoreQuorum(ctx, -1);
        // A node still holding the Raft data of a cluster it is no longer part of never rejoins by itself.
        await rejoinStrays(ctx);
        // A join asks the leader for its challenge: with none elected yet it fails ("failed to get raft challenge").
        await waitUntil('an active node', async () => (await ctx.activeVault()) !== undefined, 30_000).catch(() => undefined);
        const a = await ctx.activeVault();
        for (const n of NODES) {
          if (n === a?.node) continue;
          // retry_join usually wins the race; joining twice is an error, so only join what has not joined.
          if (!(await joined(ctx, n))) await ctx.exec(joinCmd(n, a?.node ?? 0)).catch(async (e) => {
            if (!(await joined(ctx, n))) throw e;
          });
        }
      },
      // Live membership, not "the join ran once": a removed peer is initialised and unsealed, yet outside.
      done: async (ctx) => {
        const members = await raftMembers(ctx);
        for (const n of NODES) if (!(await inCluster(ctx, n, members))) return false;
        return true;
      },
    },
    {
      id: 'unseal-followers',
      kind: 'task',
      title: msg('vault-1, vault-2 unseal', 'Unseal vault-1 and vault-2'),
      task: msg('합류한 두 노드도 같은 키 3개로 봉인을 푸세요.', 'Unseal both joined nodes with the same 3 keys.'),
      commands: [...unsealKeyVars(3), ...unsealCmds(3, 1), ...unsealCmds(3, 2), waitUnsealed(1), waitUnsealed(2), followerStatus(1), followerStatus(2)],
      solveWhy: "Both followers are unsealed side by side (a node still joining cannot hold the other's unseal), one whose data the lab's keys cannot open is wiped and joined again, and a node left outside the configuration once unsealed is rejoined.",
      solve: async (ctx) => {
        for (const c of unsealKeyVars(3)) await ctx.exec(c);
        // The same commands, the two nodes side by side: each node's three keys stay in order.
        await Promise.all([1, 2].map(async (n) => {
          if ((await health(ctx, n))?.sealed !== false) {
            await unsealOrRejoin(ctx, n, async () => {
              for (const c of unsealCmds(3, n)) await ctx.exec(c);
            });
          }
          // The last key returns while the node still finishes its join; its status is worth asking once it is a standby.
          await ctx.exec(waitUnsealed(n));
          await ctx.exec(followerStatus(n));
        }));
        // A sealed node looked joined until now; unsealed, one still outside the configuration is a stray.
        await rejoinStrays(ctx);
      },
      done: async (ctx) => (await health(ctx, 1))?.sealed === false && (await health(ctx, 2))?.sealed === false && (await strayNodes(ctx)).length === 0,
      pending: followersPending,
      heldFor: async (ctx) => completeOnce(ctx),
      checks: ['all-unsealed'],
    },
    {
      id: 'peers',
      kind: 'task',
      title: msg('Raft 피어 확인: voter 3개', 'Raft peers: 3 voters'),
      task: msg('root 토큰으로 로그인하고 raft list-peers로 voter 3개(leader 1, follower 2)를 확인하세요.', 'Log in with the root token and see 3 voters (1 leader, 2 followers) with raft list-peers.'),
      hint: msg('새 노드는 잠시 non-voter 였다가 autopilot이 voter로 올립니다. 몇 초 뒤 다시 보세요.', 'New nodes start as non-voters until autopilot promotes them; look again after a few seconds.'),
      commands: [{ kind: 'vault', args: ['operator', 'raft', 'list-peers'] }],
      // Without the root token in the shell, list-peers answers 403: say which command logs in, not just "log in".
      pending: async (ctx, shell) => (tokenMissing(ctx, shell) ? { status: [msg('이 셸에 root 토큰(VAULT_TOKEN)이 없습니다: list-peers가 403으로 거절됩니다.', 'this shell holds no root token (VAULT_TOKEN): list-peers is refused with 403.')], commands: [rootTokenCmd, { kind: 'vault', args: ['operator', 'raft', 'list-peers'] }] } : undefined),
      solveWhy: 'With no leader (members sealed after a restart) it restores the quorum, unseals sealed nodes outside the configuration and rejoins strays, then waits until autopilot counts 3 healthy voters and records that leader as the drill baseline; list-peers goes to the active node.',
      solve: async (ctx) => {
        // No leader: a sealed member is missing from the quorum (vault-0 restarted while a removed peer is unsealed
        // makes "some node is unsealed" true); unseal every sealed node, at once and each with a deadline, so one still
        // joining cannot hold the rest (scenarios/raft.ts). A removed peer only shows as a stray once a leader is elected.
        await restoreQuorum(ctx, -1);
        await waitUntil('an active node', async () => (await ctx.activeVault()) !== undefined, 30_000);
        // A sealed node outside the configuration looks like one still joining until it is unsealed.
        const members = (await raftMembers(ctx)) ?? [];
        for (const n of NODES) {
          const h = await health(ctx, n);
          if (h?.initialized && h.sealed && !members.includes(ctx.platform.vaultNodes()[n]!.name)) await unsealOrRejoin(ctx, n, () => unsealNode(ctx, n));
        }
        await rejoinStrays(ctx);
        await waitHealthyVoters(ctx, 3);
        // Asked of the active node: vault-0 may be down or sealed after a failover.
        const a = await ctx.activeVault();
        await ctx.exec({ kind: 'vault', node: a?.node ?? 0, args: ['operator', 'raft', 'list-peers'] });
        await observeLeader(ctx);
      },
      done: async (ctx) => {
        const a = await ctx.activeVault();
        return a !== undefined && (await a.client.raftServers()).filter((s) => s.voter).length === 3;
      },
      // Mid-drill (an election, no active node) the hint keeps the last complete view: the baseline is recorded only
      // once 3 voters and a leader were seen.
      heldFor: async (ctx) => completeOnce(ctx) && (await ctx.activeVault()) === undefined,
      checks: ['voters'],
    },
    {
      id: 'data',
      kind: 'task',
      title: msg('장애 전에 데이터 쓰기', 'Write data before the failure'),
      task: msg('secret/ 에 KV v2를 켜고, 장애 뒤에도 남아 있어야 할 값을 써 두세요.', 'Enable KV v2 at secret/ and write a value that must survive the failure.'),
      // No node named: VAULT_ADDR follows the active node (vault-0 may be down or still joining after a rerun). A rerun
      // skips what is already so: enabling a mount twice is an error, and the value is written once.
      commands: [
        { kind: 'vault', args: ['secrets', 'enable', '-path=secret', 'kv-v2'], unless: async (ctx) => (await mountType(ctx, 'secret'))?.version === '2' },
        { kind: 'vault', args: ['kv', 'put', `secret/${CANARY.path}`, `value=${CANARY.value}`], unless: canaryWrittenOnceReady },
        readThrough(1),
      ],
      done: canaryWritten,
      heldFor: async (ctx) => ctx.lab.progress().observations.canarySeen === true && (await ctx.activeVault()) === undefined,
      // Disabling the mount deletes what was written in it; the lab forgets it saw the value.
      cleanup: { commands: [{ kind: 'vault', args: ['secrets', 'disable', 'secret'] }], forget: ['canarySeen'] },
      checks: ['data-survives'],
    },
    {
      id: 'failover',
      kind: 'task',
      title: msg('장애 훈련: 활성 노드 정상 종료 (kubectl delete pod와 같은 SIGTERM)', 'Drill: stop the active node (SIGTERM, as kubectl delete pod does)'),
      task: msg(
        '활성 노드(처음엔 vault-0)를 정상 종료(SIGTERM)하고, 남은 노드 중 하나가 활성 노드가 되는지 보세요. 강제 종료(SIGKILL)와의 차이는 npx lab chaos ha-failover --mode crash --kills 1로 봅니다.',
        'Stop the active node (vault-0 at first) with SIGTERM and watch a remaining node become active. See how a crash (SIGKILL) differs with npx lab chaos ha-failover --mode crash --kills 1.',
      ),
      hint: msg(
        '정상 종료하는 리더는 물러나면서 가장 앞선 follower에게 리더 자리를 넘기므로 새 활성 노드가 1초 안에 나옵니다. 강제 종료면 남은 노드가 하트비트가 끊긴 것을 알아채고 선거를 치러야 해서 몇 초 걸립니다.',
        'A leader that stops gracefully steps down and hands leadership to the most up-to-date follower, so a new active node answers within a second. After a crash the others must notice the missing heartbeats and hold an election: seconds.',
      ),
      // Aimed at whichever node leads now (vault-0 only on a first run): each platform renders how its learner finds the
      // leader (local: the vault-active relay and `lab node … active`; kind: the chart's vault-active Service and label).
      commands: [
        {
          kind: 'exec',
          file: 'npx',
          args: ['lab', 'check', 'ha-failover'],
          mayFail: true,
          note: msg('먼저 점검을 한 번: 랩이 지금의 리더와 Raft term을 기록합니다 (실패 항목이 남아 있어도 괜찮습니다).', 'Check once first: the lab records the current leader and Raft term (failures at this point are fine).'),
          // What this line is for is already so when the lab has just recorded this very leader (observe.before below).
          unless: leaderJustRecorded,
        },
        { kind: 'vault', node: 'active', args: ['status'], note: msg('지금의 활성 노드: HA Mode가 active입니다.', 'The active node now: its HA Mode is active.') },
        { kind: 'node', action: 'stop', node: 'active', note: msg('활성 노드에 kubectl delete pod처럼 SIGTERM을 보냅니다: 리더가 자리를 넘기고 끝납니다.', 'Sends the active node SIGTERM, as kubectl delete pod does: the leader hands over, then exits.') },
        {
          kind: 'wait',
          probe: { kind: 'vault', node: 'active', args: ['kv', 'get', `secret/${CANARY.path}`] },
          timeoutSec: 60,
          note: msg('새 리더가 뽑혀 장애 전에 쓴 값을 읽어 줄 때까지 기다립니다.', 'Wait until a new leader is elected and reads back the value written before the failure.'),
        },
        { kind: 'vault', node: 'active', args: ['status'] },
      ],
      // Observation, not action: the leader and Raft term just before the stop, then the handover the lab saw.
      observe: {
        before: async (ctx) => {
          if (!(await ctx.activeVault())) throw new LabError(msg('종료할 활성 노드가 없습니다: 먼저 클러스터를 완성하세요.', 'no active node to stop: finish the cluster first.'));
          await observeLeader(ctx);
        },
        after: async (ctx) => {
          await observeLeader(ctx);
          const c = (ctx.lab.progress().observations.failovers as LeaderChange[] | undefined)?.at(-1);
          if (c) ctx.report.info(`    ${c.from} → ${c.to} ${ctx.report.style(`≤ ${(c.withinMs / 1000).toFixed(1)}s`, 'dim')}`);
        },
      },
      done: async (ctx) => {
        const term = await raftTerm(ctx).catch(() => undefined);
        const base = ctx.lab.progress().observations.baselineTerm as number | undefined;
        return term !== undefined && base !== undefined && term > base;
      },
      checks: ['failover-observed'],
    },
    {
      id: 'rejoin',
      kind: 'task',
      title: msg('멈춘 노드 복귀: 재시작 후 unseal', 'Bring the stopped node back: restart and unseal'),
      task: msg(
        '멈춘 노드를 다시 시작하고 키 3개로 봉인을 푸세요. 대기 노드로 돌아와야 합니다 (kind에서는 StatefulSet이 Pod를 다시 만들고, 봉인 해제는 여러분 몫입니다).',
        'Start the stopped node again and unseal it with 3 keys; it must come back as a standby (on kind the StatefulSet recreates the pod; the unseal is yours).',
      ),
      commands: [{ kind: 'node', action: 'start', node: 0 }, ...unsealKeyVars(3), ...unsealCmds(3, 0), { kind: 'vault', node: 0, args: ['status'] }],
      solveWhy: 'It brings back whichever node the drill stopped (not always vault-0) and any other node down or sealed, wipes and rejoins one whose data the keys cannot open, then waits for 3 unsealed nodes with one active and 3 voters.',
      solve: async (ctx) => {
        for (const n of NODES) {
          if ((await health(ctx, n)) === undefined) await ctx.exec({ kind: 'node', action: 'start', node: n });
          if ((await health(ctx, n))?.sealed !== false) {
            await unsealOrRejoin(ctx, n, async () => {
              for (const c of [...unsealKeyVars(3), ...unsealCmds(3, n)]) await ctx.exec(c);
            });
          }
        }
        await waitUntil(msg('세 노드 봉인 해제, 활성 노드 하나', '3 unsealed nodes with one active'), async () => {
          const hs = await Promise.all(NODES.map((n) => health(ctx, n)));
          return hs.every((h) => h && !h.sealed) && hs.filter((h) => h && !h.standby).length === 1;
        }, 30_000, 50);
        await waitVoters(ctx, 3);
        // A leader elected seconds ago may still answer its KV and autopilot reads with errors while it takes over
        // (seen on real kind: the self-check right after read the canary as absent and no Raft term). Give it until
        // both answer; not fatal: the check then says what it reads.
        await poll(async () => {
          const a = await ctx.activeVault();
          if (!a) return false;
          await a.client.kvGet('secret', CANARY.path); // absent is an answer (404); an error is not
          return (await raftTermOf(a.client)) !== undefined;
        }, { timeoutMs: 30_000, everyMs: 250 });
      },
      done: async (ctx) => {
        const hs = await Promise.all(NODES.map((n) => health(ctx, n)));
        return hs.every((h) => h && !h.sealed);
      },
      checks: ['all-unsealed', 'voters', 'one-active'],
    },
  ],
  resetNode: (ctx, n) => rejoinNode(ctx, n),
};
