import type { Checker, Cmd, LabContext } from '../src/engine/types.ts';
import { msg, type Msg } from '../src/engine/i18n.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { gatherNodes, type NodeState } from './common.ts';
import { handshake, type Handshake } from '../src/tls/probe.ts';
import { dropRetry } from '../src/vault/http.ts';
import type { RaftServer } from '../src/vault/client.ts';
import { CANARY, leaderObserved, raftTermOf } from '../labs/ha-failover/data.ts';

export { CANARY };

export interface State {
  nodes: NodeState[];
  /** Index of every node that answers as active. */
  actives: number[];
  servers: RaftServer[] | undefined;
  term: number | undefined;
  baselineTerm: number | undefined;
  leaders: string[];
  tls: { node: string; v11: Handshake; v12: Handshake }[];
  canary: unknown;
  hasToken: boolean;
  /** Unseal keys entered so far on each sealed, initialised node (sys/seal-status), e.g. 2 of 3. */
  seal?: ({ progress: number; t: number } | undefined)[];
  /** The active node the drill stops (its fix is a `node` command, rendered where the learner is). */
  drill?: { node: string; index: number };
  /** What to remember (the baseline term, leaders, handshakes already made): the engine persists it, gather writes nothing. */
  observed?: Record<string, unknown>;
}

export async function gather(ctx: LabContext): Promise<State> {
  // Handshakes need nothing from Vault's answers: run them alongside the API calls. A listener's TLS settings live as
  // long as its process, so each process is probed once: the refused TLS 1.1 attempts would otherwise fill the node
  // logs the learner is told to read (one line per check, every 2 s under --watch).
  const procs = await ctx.platform.status().catch(() => []);
  const prev = ctx.lab.progress().observations;
  let o: Record<string, unknown> = prev;
  const cached = (prev.tlsProbes ?? {}) as Record<string, { pid: number; v11: Handshake; v12: Handshake }>;
  const tlsProbe = Promise.all(
    ctx.platform.vaultNodes().map(async (n) => {
      const pid = procs.find((p) => p.name === n.name && p.running)?.pid;
      const hit = pid !== undefined ? cached[n.name] : undefined;
      if (hit && hit.pid === pid) return { node: n.name, v11: hit.v11, v12: hit.v12, pid };
      const u = new URL(n.addr);
      const opts = { ...(n.caFile ? { caFile: n.caFile } : {}), ...dropRetry(n) };
      const [v11, v12] = await Promise.all([handshake(u.hostname, Number(u.port), 'TLSv1.1', opts), handshake(u.hostname, Number(u.port), 'TLSv1.2', opts)]);
      return { node: n.name, v11, v12, pid };
    }),
  ).then((all) => {
    const fresh = all.filter((t) => t.pid !== undefined && t.v12.ok && cached[t.node]?.pid !== t.pid);
    return { fresh, tls: all.map(({ node, v11, v12 }) => ({ node, v11, v12 })) };
  });
  const nodes = await gatherNodes(ctx);
  const seal = await Promise.all(
    nodes.map((n, i) => (n.reachable && n.initialized && n.sealed ? ctx.vault(i, null).sealStatus().then((x) => ({ progress: x.progress, t: x.t }), () => undefined) : Promise.resolve(undefined))),
  );
  const actives = nodes.flatMap((n, i) => (n.reachable && n.initialized && !n.sealed && !n.standby ? [i] : []));
  const hasToken = ctx.lab.adminToken() !== undefined;
  let servers: RaftServer[] | undefined;
  let term: number | undefined;
  let canary: unknown;
  if (actives.length && hasToken) {
    const c = ctx.vault(actives[0]);
    [servers, term, canary] = await Promise.all([
      c.raftServers().catch(() => undefined),
      raftTermOf(c).catch(() => undefined),
      // An error is not "absent": a leader elected a moment ago may still refuse reads while it takes over.
      c.kvGet('secret', CANARY.path).then((r) => r?.data.value, (e: unknown) => ({ readError: e instanceof Error ? e.message : String(e) })),
    ]);
    if (actives.length === 1) o = leaderObserved(o, nodes[actives[0]!]!.name, term, (servers ?? []).filter((x) => x.voter).length);
    // Remembered so the data step still counts as done while an election leaves no node to read from.
    if (canary === CANARY.value && o.canarySeen !== true) o = { ...o, canarySeen: true };
  }
  const { fresh, tls } = await tlsProbe;
  if (fresh.length) {
    const c = { ...((o.tlsProbes ?? {}) as Record<string, unknown>) };
    for (const t of fresh) c[t.node] = { pid: t.pid, v11: t.v11, v12: t.v12 };
    o = { ...o, tlsProbes: c };
  }
  const target = actives[0] ?? 0;
  const drill = { node: nodes[target]!.name, index: target };
  return { nodes, actives, servers, term, baselineTerm: o.baselineTerm as number | undefined, leaders: (o.leaders as string[] | undefined) ?? [], tls, canary, hasToken, seal, drill, ...(o !== prev ? { observed: o } : {}) };
}

const KEYS_FILE = '$LAB_DIR/cluster-keys.json';
/** The lesson's unseal lines for keys `from`..`to` (1-based): the key from cluster-keys.json, then sys/unseal with it on stdin. */
function unsealLines(node: number, from: number, to: number): Cmd[] {
  const ks = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return [
    ...ks.map((k): Cmd => ({ kind: 'set', name: `VAULT_UNSEAL_KEY_${k}`, file: KEYS_FILE, jq: `.unseal_keys_b64[${k - 1}]` })),
    ...ks.map((k): Cmd => ({ kind: 'vault', node, args: ['write', 'sys/unseal', 'key=-'], stdinVar: `VAULT_UNSEAL_KEY_${k}` })),
  ];
}
export interface Fix {
  note?: Msg;
  cmds: Cmd[];
}
const restartFix = (name: string, node: number): Fix => ({
  note: msg(`${name}를 다시 띄우고 키 3개로 봉인을 푸세요. 모두 한 번에 맞추려면 'npx lab run ha-failover'.`, `Start ${name} again and unseal it with 3 keys. Or converge everything with 'npx lab run ha-failover'.`),
  cmds: [{ kind: 'node', action: 'start', node }, ...unsealLines(node, 1, 3)],
});

const keys = (s: State, i: number): string => {
  const k = s.seal?.[i];
  return k ? `${s.nodes[i]!.name}: ${k.progress}/${k.t}` : s.nodes[i]!.name;
};
/** The keys still missing, assuming the lesson's order (key 1, 2, 3): the note says so, for a learner who went another way. */
const unsealFix = (s: State, i: number): Fix => {
  const k = s.seal?.[i];
  const t = k?.t ?? 3;
  const more = k ? k.t - k.progress : 3;
  return {
    note: msg(
      `${s.nodes[i]!.name}에 아직 쓰지 않은 키 ${more}개가 더 필요합니다 (수업 순서대로 넣었다면 아래 줄들).`,
      `${s.nodes[i]!.name} needs ${more} more key${more === 1 ? '' : 's'} not used yet (the lines below, if you went in the lesson's order).`,
    ),
    cmds: unsealLines(i, t - more + 1, t),
  };
};
const joinCmd = (node: number): Cmd => ({ kind: 'vault', node, args: ['operator', 'raft', 'join', '-leader-ca-cert=@$VAULT_CACERT', '$VAULT_ADDR_0'] });
const majority = (s: State) => Math.floor(s.nodes.length / 2) + 1;

/**
 * The phase the cluster is in, as the learner passes through them: not initialised, the leader sealed (k of n keys),
 * followers not joined yet, followers sealed. Undefined once every node is up and unsealed.
 */
export function clusterPhase(s: State): { why: Msg; fix: Fix } | undefined {
  const down = s.nodes.findIndex((n) => !n.reachable);
  if (down >= 0) return { why: msg(`${s.nodes[down]!.name} 노드가 응답하지 않습니다 (프로세스가 죽었나요?).`, `${s.nodes[down]!.name} does not answer (is its process dead?).`), fix: restartFix(s.nodes[down]!.name, down) };
  const inited = s.nodes.flatMap((n, i) => (n.initialized ? [i] : []));
  if (!inited.length)
    return {
      why: msg('클러스터가 아직 초기화되지 않았습니다 (세 노드 모두 초기화 전).', 'the cluster is not initialised yet (no node is).'),
      fix: {
        note: msg('vault-0에서 한 번만 하세요:', 'Once, on vault-0:'),
        cmds: [{ kind: 'vault', node: 0, args: ['operator', 'init', '-key-shares=5', '-key-threshold=3', '-format=json'], stdout: KEYS_FILE, keep: true }],
      },
    };
  const unsealed = inited.filter((i) => !s.nodes[i]!.sealed);
  const notJoined = s.nodes.filter((n) => !n.initialized);
  if (!unsealed.length) {
    if (inited.length === 1) {
      const i = inited[0]!;
      const early = notJoined.length ? msg(` ${notJoined.map((n) => n.name).join(', ')} 노드는 이 노드의 봉인이 풀린 뒤에 합류합니다 (그 전에 raft join 하면 'failed to get raft challenge').`, ` ${notJoined.map((n) => n.name).join(', ')} can join only after it is unsealed (a raft join before that fails with 'failed to get raft challenge').`) : msg('', '');
      return { why: msg(`${keys(s, i)} — 아직 sealed입니다.${early.ko}`, `${keys(s, i)} — still sealed.${early.en}`), fix: unsealFix(s, i) };
    }
    // A cluster that was complete and restarted (lab down/up): every node is sealed; a majority must be unsealed.
    const first = inited.find((i) => (s.seal?.[i]?.progress ?? 0) > 0) ?? inited[0]!;
    return {
      why: msg(`모든 노드가 sealed입니다 (${inited.map((i) => keys(s, i)).join(', ')}): 리더를 뽑으려면 ${majority(s)}개 이상의 봉인을 풀어야 합니다.`, `every node is sealed (${inited.map((i) => keys(s, i)).join(', ')}): a leader needs ${majority(s)} or more unsealed.`),
      fix: unsealFix(s, first),
    };
  }
  if (notJoined.length) {
    const n = notJoined[0]!;
    return {
      why: msg(`${n.name} 노드가 아직 Raft에 합류하지 않았습니다 (retry_join은 리더가 봉인이 풀린 뒤 몇 초 안에 합류시킵니다).`, `${n.name} has not joined Raft yet (retry_join joins it within seconds once the leader is unsealed).`),
      fix: { note: msg('몇 초 뒤에도 그대로면:', 'If it stays so after a few seconds:'), cmds: [joinCmd(s.nodes.indexOf(n))] },
    };
  }
  const sealed = s.nodes.findIndex((n) => n.sealed);
  if (sealed >= 0) return { why: msg(`${keys(s, sealed)} — 합류했지만 아직 sealed입니다.`, `${keys(s, sealed)} — joined but still sealed.`), fix: unsealFix(s, sealed) };
  return undefined;
}

export const checks: Checker<State>['checks'] = [
  {
    id: 'tls-min-12',
    title: msg('TLS 1.2 이상만 허용 (실제 핸드셰이크)', 'TLS 1.2+ only (real handshakes)'),
    hint: msg('tls_min_version을 빼면 서버 기본값에 맡기게 됩니다. 명시적으로 tls12를 두세요.', 'Leaving out tls_min_version trusts the server default; set tls12 explicitly.'),
    judge: (s) => {
      const reachable = s.tls.filter((t) => t.v12.ok || t.v11.ok);
      if (!reachable.length) return fail(msg('어느 노드와도 TLS 핸드셰이크를 할 수 없습니다.', 'no node completes a TLS handshake.'), msg('노드가 떠 있는지 확인하세요 (npx lab status).', 'Check the nodes are up (npx lab status).'));
      const weak = reachable.find((t) => t.v11.ok);
      if (weak) return fail(msg(`${weak.node} 노드가 TLS 1.1 연결을 받아 줍니다.`, `${weak.node} accepts TLS 1.1.`), msg('listener "tcp"에 tls_min_version = "tls12"를 두고 재시작하세요.', 'Set tls_min_version = "tls12" in the tcp listener and restart.'));
      const no12 = reachable.find((t) => !t.v12.ok);
      if (no12) return fail(msg(`${no12.node} 노드가 TLS 1.2를 거부합니다.`, `${no12.node} refuses TLS 1.2.`), msg('tls13만 허용하면 오래된 클라이언트가 못 붙습니다: tls12를 최소로 두세요.', 'tls13-only locks out older clients: make tls12 the minimum.'));
      const unverified = reachable.find((t) => t.v12.ok && !t.v12.authorized);
      if (unverified) return fail(msg(`${unverified.node}의 인증서가 랩 CA로 검증되지 않습니다: ${unverified.v12.authorizationError}`, `${unverified.node}'s certificate does not verify against the lab CA: ${unverified.v12.authorizationError}`), msg('랩 CA로 서명한 인증서를 쓰세요 (npx lab reset ha-failover).', 'Use a certificate signed by the lab CA (npx lab reset ha-failover).'));
      return pass();
    },
  },
  {
    id: 'all-unsealed',
    title: msg('세 노드 모두 살아 있고 봉인 해제됨', 'All three nodes up and unsealed'),
    hint: msg('노드는 재시작할 때마다 sealed로 돌아옵니다. 죽였다 살린 노드의 unseal을 잊기 쉽습니다.', 'A restarted node comes back sealed; the revived node is easy to forget.'),
    judge: (s) => {
      const p = clusterPhase(s);
      return p ? fail(p.why, p.fix.note, p.fix.cmds) : pass();
    },
  },
  {
    id: 'one-active',
    title: msg('활성 노드가 정확히 하나', 'Exactly one active node'),
    hint: msg('노드마다 operator init을 따로 하면 서로 다른 클러스터가 셋 생깁니다.', 'Running operator init on every node makes three separate clusters.'),
    judge: (s) => {
      if (s.actives.length === 1) return pass();
      if (s.actives.length > 1)
        return fail(msg(`활성 노드가 ${s.actives.length}개입니다 (split brain).`, `${s.actives.length} nodes claim to be active (split brain).`), msg('서로 다른 클러스터를 따로 초기화하지 않았는지 확인하세요: 초기화는 한 노드에서 한 번만.', 'Check you did not initialise separate clusters: init once, on one node.'));
      const unsealed = s.nodes.filter((n) => n.reachable && n.initialized && !n.sealed).length;
      const members = s.nodes.filter((n) => n.initialized).length;
      if (unsealed === 0) return { ...fail(msg('활성 노드가 없습니다: 봉인이 풀린 노드가 없습니다.', 'no active node: no node is unsealed.'), msg('위 항목대로 봉인을 푸세요.', 'Unseal as the item above says.')), after: 'all-unsealed' };
      if (unsealed < majority(s) && members > 1)
        return { ...fail(msg(`활성 노드가 없습니다: 봉인이 풀린 노드 ${unsealed}/${s.nodes.length}로는 과반수(${majority(s)})이 안 됩니다.`, `no active node: ${unsealed}/${s.nodes.length} unsealed is short of a majority (${majority(s)}).`), msg('노드 하나의 봉인을 더 푸세요.', 'Unseal one more node.')), after: 'all-unsealed' };
      return fail(msg('리더 선출 중입니다 (아직 활성 노드가 없음).', 'an election is under way (no active node yet).'), msg('몇 초 뒤 다시 점검하세요.', 'Check again in a few seconds.'));
    },
  },
  {
    id: 'voters',
    title: msg('Raft voter 3개', 'Three Raft voters'),
    hint: msg('합류(join) 전에 follower의 봉인을 풀려 하면 실패합니다: join이 먼저입니다.', 'Unsealing a follower before it joins fails: join first.'),
    judge: (s) => {
      if (!s.servers) {
        if (s.actives.length !== 1) return { ...fail(msg('활성 노드가 없어 Raft 구성을 읽을 수 없습니다.', 'no active node to read the Raft configuration from.'), msg('위 항목을 먼저 해결하세요.', 'Fix the item above first.')), after: 'one-active' };
        if (!s.hasToken) return fail(msg('Raft 구성을 읽을 root 토큰이 없습니다 ($LAB_DIR/cluster-keys.json 없음).', 'no root token to read the Raft configuration with ($LAB_DIR/cluster-keys.json is missing).'), msg('초기화 출력을 $LAB_DIR/cluster-keys.json에 저장해야 랩이 토큰을 압니다.', 'The lab knows the token from the init output saved as $LAB_DIR/cluster-keys.json.'));
        return fail(msg('Raft 구성을 읽을 수 없습니다.', 'cannot read the Raft configuration.'), msg("'npx lab status'와 노드 로그를 보세요.", "Look at 'npx lab status' and the node logs."));
      }
      const voters = s.servers.filter((x) => x.voter);
      if (voters.length === 3 && s.servers.length === 3) return pass();
      const missing = s.nodes.filter((n) => !s.servers!.some((x) => x.node_id === n.name));
      const removed = missing.find((n) => n.reachable && n.initialized);
      if (removed)
        return fail(
          msg(`${removed.name} 노드는 Raft 구성에서 제거되었습니다 (remove-peer): 옛 Raft 데이터 때문에 스스로 다시 합류하지 않습니다.`, `${removed.name} was removed from Raft (remove-peer): its old Raft data keeps it out for good.`),
          msg(
            `'npx lab node ha-failover reset ${removed.name}'로 그 노드의 데이터만 지우고 다시 합류시키고 봉인을 푸세요 ('npx lab run ha-failover'도 같은 일을 합니다).`,
            `Run 'npx lab node ha-failover reset ${removed.name}' to wipe that node alone, join and unseal it again ('npx lab run ha-failover' does the same).`,
          ),
        );
      const absent = missing.find((n) => !n.initialized);
      if (absent) return { ...fail(msg(`voter ${voters.length}개 / 서버 ${s.servers.length}개: ${absent.name} 노드가 아직 합류하지 않았습니다.`, `${voters.length} voters of ${s.servers.length} servers: ${absent.name} has not joined yet.`), undefined, [joinCmd(s.nodes.indexOf(absent))]), after: 'all-unsealed' };
      const nonVoter = s.servers.find((x) => !x.voter);
      return fail(
        msg(`voter ${voters.length}개 / 서버 ${s.servers.length}개${nonVoter ? `: ${nonVoter.node_id}는 아직 non-voter` : ''}.`, `${voters.length} voters of ${s.servers.length} servers${nonVoter ? `: ${nonVoter.node_id} is still a non-voter` : ''}.`),
        msg('autopilot이 server_stabilization_time 뒤 voter로 올립니다 (기본 10초). 실습은 1초로 줄여 둡니다:', 'Autopilot promotes it after server_stabilization_time (10 s by default); the lab makes it 1 s:'),
        [{ kind: 'vault', args: ['operator', 'raft', 'autopilot', 'set-config', '-server-stabilization-time=1s'] }],
      );
    },
  },
  {
    id: 'data-survives',
    title: msg('장애 전에 쓴 KV 데이터가 남아 있음', 'KV data written before the failure is still there'),
    hint: msg('KV v1로 켜거나 대기 노드에서 바로 읽으면 값이 없거나 오래된 값일 수 있습니다.', 'KV v1, or reading a standby right after a write, can show nothing or a stale value.'),
    judge: (s) => {
      if (s.actives.length !== 1) return { ...fail(msg('활성 노드가 없어서 데이터를 읽을 수 없습니다.', 'no active node to read from.'), msg('위 항목을 먼저 해결하세요.', 'Fix the item above first.')), after: 'one-active' };
      if (!s.hasToken) return { ...fail(msg('데이터를 읽을 root 토큰이 없습니다.', 'no root token to read with.'), msg('위 항목을 먼저 해결하세요.', 'Fix the item above first.')), after: 'voters' };
      if (s.canary === CANARY.value) return pass();
      const readError = typeof s.canary === 'object' && s.canary !== null && 'readError' in s.canary ? String(s.canary.readError) : undefined;
      if (readError !== undefined) {
        return fail(
          msg(`활성 노드가 secret/${CANARY.path} 읽기에 오류로 답했습니다: ${readError}`, `the active node answered the read of secret/${CANARY.path} with an error: ${readError}`),
          msg('막 선출된 리더는 몇 초 동안 읽기를 거절할 수 있습니다: 잠시 뒤 다시 점검하세요.', 'A leader elected a moment ago can refuse reads for a few seconds: check again shortly.'),
        );
      }
      return fail(msg(`secret/${CANARY.path}의 value가 '${CANARY.value}'가 아닙니다 (${s.canary === undefined ? '없음' : String(s.canary)}).`, `secret/${CANARY.path} value is not '${CANARY.value}' (${s.canary === undefined ? 'absent' : String(s.canary)}).`), msg('secret/ 에 KV v2가 있어야 합니다:', 'With KV v2 at secret/:'), [{ kind: 'vault', args: ['kv', 'put', `secret/${CANARY.path}`, `value=${CANARY.value}`] }]);
    },
  },
  {
    id: 'failover-observed',
    title: msg('리더 장애 전환을 관찰함', 'Leader failover observed'),
    hint: msg(
      '훈련은 학습 노트처럼 활성 노드를 정상 종료(SIGTERM, kubectl delete pod)합니다: 리더가 자리를 넘기고 끝납니다. 강제 종료(SIGKILL)는 선거를 기다려야 하니 npx lab chaos ha-failover --mode crash --kills 1로 비교해 보세요.',
      'The drill stops the active node gracefully (SIGTERM, kubectl delete pod), as the study note does: the leader hands over, then exits. A crash (SIGKILL) waits for an election: compare with npx lab chaos ha-failover --mode crash --kills 1.',
    ),
    judge: (s) => {
      if (s.baselineTerm === undefined)
        return {
          after: 'voters',
          ...fail(msg('아직 기준 상태(3 voter, 리더 1)를 본 적이 없습니다.', 'the lab has not yet seen the baseline (3 voters, one leader).'), msg("클러스터를 완성한 뒤 'npx lab check ha-failover'를 한 번 실행해 기준을 기록하고, 활성 노드를 정상 종료하세요.", "Finish the cluster, run 'npx lab check ha-failover' once to record the baseline, then stop the active node.")),
        };
      const changed = new Set(s.leaders).size > 1;
      if (s.term !== undefined && s.term > s.baselineTerm && changed) return pass();
      const d = s.drill;
      const why = msg(`리더 교체가 아직 없습니다 (Raft term ${s.term ?? '?'}, 기준 ${s.baselineTerm}).`, `no leader change yet (Raft term ${s.term ?? '?'}, baseline ${s.baselineTerm}).`);
      if (!d) return fail(why, msg("활성 노드(HA Mode가 active인 노드)를 'npx lab node ha-failover stop <노드>'로 정상 종료하고, 다른 노드가 활성 노드가 되면 다시 점검하세요.", "Stop the active node (the one whose HA Mode is active) with 'npx lab node ha-failover stop <node>' and check again once another node is active."));
      // The graceful stop first (the study note's drill), the crash as the alternative: each rendered where the learner is.
      return fail(
        why,
        msg(
          `활성 노드 ${d.node}를 정상 종료하고, 다른 노드가 활성 노드가 되면 다시 점검하세요 (강제 종료와 비교하려면 첫 줄 대신 둘째 줄):`,
          `Stop the active node ${d.node} and check again once another node is active (to crash it instead, the second line in place of the first):`,
        ),
        [
          { kind: 'node', action: 'stop', node: d.index },
          { kind: 'node', action: 'kill', node: d.index },
        ],
      );
    },
  },
];

export const checker = defineChecker<State>({ gather, checks, observed: (s) => s.observed });
