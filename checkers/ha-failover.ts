import type { Checker, LabContext } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { gatherNodes, type NodeState } from './common.ts';
import { handshake, type Handshake } from '../src/tls/probe.ts';
import type { RaftServer } from '../src/vault/client.ts';
import { CANARY, raftTermOf, recordLeader } from '../labs/ha-failover/data.ts';

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
}

export async function gather(ctx: LabContext): Promise<State> {
  // Handshakes need nothing from Vault's answers: run them alongside the API calls.
  const tlsProbe = Promise.all(
    ctx.platform.vaultNodes().map(async (n) => {
      const u = new URL(n.addr);
      const opts = n.caFile ? { caFile: n.caFile } : {};
      const [v11, v12] = await Promise.all([handshake(u.hostname, Number(u.port), 'TLSv1.1', opts), handshake(u.hostname, Number(u.port), 'TLSv1.2', opts)]);
      return { node: n.name, v11, v12 };
    }),
  );
  const nodes = await gatherNodes(ctx);
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
      c.kvGet('secret', CANARY.path).then((r) => r?.data.value, () => undefined),
    ]);
    if (actives.length === 1) recordLeader(ctx, nodes[actives[0]!]!.name, term, (servers ?? []).filter((x) => x.voter).length);
  }
  const tls = await tlsProbe;
  const o = ctx.lab.progress().observations;
  return { nodes, actives, servers, term, baselineTerm: o.baselineTerm as number | undefined, leaders: (o.leaders as string[] | undefined) ?? [], tls, canary, hasToken };
}

const restartFix = (name: string) =>
  msg(
    `'npx lab node ha-failover start ${name}' 로 다시 띄우고 키 3개로 unseal 하세요 (vault operator unseal -address="$VAULT_ADDR_${name.split('-')[1]}" ...). 한 번에 하려면 'npx lab run ha-failover'.`,
    `Start it again with 'npx lab node ha-failover start ${name}' and unseal it with 3 keys (vault operator unseal -address="$VAULT_ADDR_${name.split('-')[1]}" ...). Or converge everything with 'npx lab run ha-failover'.`,
  );

export const checks: Checker<State>['checks'] = [
  {
    id: 'all-unsealed',
    title: msg('세 노드 모두 살아 있고 unseal 됨', 'All three nodes up and unsealed'),
    hint: msg('노드는 재시작할 때마다 sealed 로 돌아옵니다. 죽였다 살린 노드의 unseal 을 잊기 쉽습니다.', 'A restarted node comes back sealed; the revived node is easy to forget.'),
    judge: (s) => {
      const down = s.nodes.find((n) => !n.reachable);
      if (down) return fail(msg(`${down.name} 이(가) 응답하지 않습니다 (프로세스가 죽었나요?).`, `${down.name} does not answer (is its process dead?).`), restartFix(down.name));
      const notInit = s.nodes.find((n) => !n.initialized);
      if (notInit) return fail(msg(`${notInit.name} 이(가) 아직 클러스터에 합류하지 않았습니다.`, `${notInit.name} has not joined the cluster yet.`), msg('리더(vault-0)를 먼저 초기화·unseal 하고, 나머지를 raft join 한 뒤 unseal 하세요.', 'Initialise and unseal the leader (vault-0) first, then raft join the others and unseal them.'));
      const sealed = s.nodes.find((n) => n.sealed);
      if (sealed) return fail(msg(`${sealed.name} 이(가) sealed 상태입니다.`, `${sealed.name} is sealed.`), msg(`vault operator unseal -address="$VAULT_ADDR_${sealed.name.split('-')[1]}" 을 서로 다른 키로 3번 하세요.`, `Run vault operator unseal -address="$VAULT_ADDR_${sealed.name.split('-')[1]}" with 3 different keys.`));
      return pass();
    },
  },
  {
    id: 'one-active',
    title: msg('active 노드가 정확히 하나', 'Exactly one active node'),
    hint: msg('노드마다 operator init 을 따로 하면 서로 다른 클러스터가 셋 생깁니다.', 'Running operator init on every node makes three separate clusters.'),
    judge: (s) =>
      s.actives.length === 1
        ? pass()
        : s.actives.length === 0
          ? fail(msg('active 노드가 없습니다: 과반이 unseal 되어 있지 않거나 리더 선출 중입니다.', 'no active node: no unsealed majority, or an election is under way.'), msg('노드 2개 이상을 unseal 하고 몇 초 기다리세요.', 'Unseal at least 2 nodes and wait a few seconds.'))
          : fail(msg(`active 노드가 ${s.actives.length}개입니다 (split brain).`, `${s.actives.length} nodes claim to be active (split brain).`), msg('서로 다른 클러스터를 따로 초기화하지 않았는지 확인하세요: 초기화는 한 노드에서 한 번만.', 'Check you did not initialise separate clusters: init once, on one node.')),
  },
  {
    id: 'voters',
    title: msg('Raft voter 3개', 'Three Raft voters'),
    hint: msg('합류(join) 전에 follower 를 unseal 하려 하면 실패합니다: join 이 먼저입니다.', 'Unsealing a follower before it joins fails: join first.'),
    judge: (s) => {
      if (!s.servers) return fail(msg('Raft 구성을 읽을 수 없습니다 (active 노드나 토큰이 없음).', 'cannot read the Raft configuration (no active node or token).'), msg('cluster-keys.json 의 root 토큰이 필요합니다: 초기화 출력을 $LAB_DIR/cluster-keys.json 에 저장하세요.', 'The root token from cluster-keys.json is needed: save the init output to $LAB_DIR/cluster-keys.json.'));
      const voters = s.servers.filter((x) => x.voter);
      if (voters.length === 3 && s.servers.length === 3) return pass();
      const missing = s.nodes.filter((n) => !s.servers!.some((x) => x.node_id === n.name));
      const why = msg(
        `voter ${voters.length}개 / 서버 ${s.servers.length}개${missing.length ? ` (빠진 노드: ${missing.map((n) => n.name).join(', ')})` : ''}.`,
        `${voters.length} voters of ${s.servers.length} servers${missing.length ? ` (missing: ${missing.map((n) => n.name).join(', ')})` : ''}.`,
      );
      // Up and unsealed yet outside the configuration (raft remove-peer): its old Raft data keeps it out for good.
      const stray = missing.find((n) => n.reachable && n.initialized && !n.sealed);
      if (stray)
        return fail(
          why,
          msg(
            `${stray.name} 은(는) 살아 있지만 Raft 구성원이 아닙니다 (remove-peer 로 빠짐). 옛 Raft 데이터 때문에 스스로 돌아오지 못합니다: 'npx lab node ha-failover reset ${stray.name}' 로 데이터를 지우고 다시 합류·unseal 하세요 ('npx lab run ha-failover' 도 같은 일을 합니다).`,
            `${stray.name} is up but not a Raft member (removed with remove-peer); its old Raft data keeps it out for good. Run 'npx lab node ha-failover reset ${stray.name}' to wipe it, join and unseal it again ('npx lab run ha-failover' does the same).`,
          ),
        );
      return fail(why, msg('빠진 노드는 raft join 후 unseal 하세요. non-voter 는 autopilot 이 몇 초 뒤 voter 로 올립니다.', 'Join and unseal missing nodes; autopilot promotes non-voters after a few seconds.'));
    },
  },
  {
    id: 'tls-min-12',
    title: msg('TLS 1.2 이상만 허용 (실제 핸드셰이크)', 'TLS 1.2+ only (real handshakes)'),
    hint: msg('tls_min_version 을 빼면 서버 기본값에 맡기게 됩니다. 명시적으로 tls12 를 두세요.', 'Leaving out tls_min_version trusts the server default; set tls12 explicitly.'),
    judge: (s) => {
      const reachable = s.tls.filter((t) => t.v12.ok || t.v11.ok);
      if (!reachable.length) return fail(msg('어느 노드와도 TLS 핸드셰이크를 할 수 없습니다.', 'no node completes a TLS handshake.'), msg('노드가 떠 있는지 확인하세요 (npx lab status).', 'Check the nodes are up (npx lab status).'));
      const weak = reachable.find((t) => t.v11.ok);
      if (weak) return fail(msg(`${weak.node} 이(가) TLS 1.1 연결을 받아 줍니다.`, `${weak.node} accepts TLS 1.1.`), msg('listener "tcp" 에 tls_min_version = "tls12" 를 두고 재시작하세요.', 'Set tls_min_version = "tls12" in the tcp listener and restart.'));
      const no12 = reachable.find((t) => !t.v12.ok);
      if (no12) return fail(msg(`${no12.node} 이(가) TLS 1.2 를 거부합니다.`, `${no12.node} refuses TLS 1.2.`), msg('tls13 만 허용하면 오래된 클라이언트가 못 붙습니다: tls12 를 최소로 두세요.', 'tls13-only locks out older clients: make tls12 the minimum.'));
      const unverified = reachable.find((t) => t.v12.ok && !t.v12.authorized);
      if (unverified) return fail(msg(`${unverified.node} 의 인증서가 랩 CA 로 검증되지 않습니다: ${unverified.v12.authorizationError}`, `${unverified.node}'s certificate does not verify against the lab CA: ${unverified.v12.authorizationError}`), msg('랩 CA 로 서명한 인증서를 쓰세요 (npx lab reset ha-failover).', 'Use a certificate signed by the lab CA (npx lab reset ha-failover).'));
      return pass();
    },
  },
  {
    id: 'failover-observed',
    title: msg('리더 장애 조치를 관찰함', 'Leader failover observed'),
    hint: msg('graceful 종료(SIGTERM)는 리더십을 넘기고 끝납니다. 장애 훈련은 kill -9 로 합니다.', 'A graceful stop (SIGTERM) hands leadership over; the drill uses kill -9.'),
    judge: (s) => {
      if (s.baselineTerm === undefined)
        return fail(msg('아직 기준 상태(3 voter, 리더 1)를 본 적이 없습니다.', 'the lab has not yet seen the baseline (3 voters, one leader).'), msg("클러스터를 완성한 뒤 'npx lab check ha-failover' 를 한 번 실행해 기준을 기록하고, active 노드를 kill -9 하세요.", "Finish the cluster, run 'npx lab check ha-failover' once to record the baseline, then kill -9 the active node."));
      const changed = new Set(s.leaders).size > 1;
      if (s.term !== undefined && s.term > s.baselineTerm && changed) return pass();
      return fail(
        msg(`리더 교체가 아직 없습니다 (Raft term ${s.term ?? '?'}, 기준 ${s.baselineTerm}).`, `no leader change yet (Raft term ${s.term ?? '?'}, baseline ${s.baselineTerm}).`),
        msg('active 노드를 찾아(vault status 의 HA Mode) kill -9 "$(cat "$LAB_DIR/logs/vault-0.pid")" 처럼 강제 종료하고, 다른 노드가 active 가 되면 다시 점검하세요.', 'Find the active node (HA Mode in vault status), hard-kill it, e.g. kill -9 "$(cat "$LAB_DIR/logs/vault-0.pid")", and check again once another node is active.'),
      );
    },
  },
  {
    id: 'data-survives',
    title: msg('장애 전에 쓴 KV 데이터가 남아 있음', 'KV data written before the failure is still there'),
    hint: msg('KV v1 로 켜거나 standby 에서 바로 읽으면 값이 없거나 오래된 값일 수 있습니다.', 'KV v1, or reading a standby right after a write, can show nothing or a stale value.'),
    judge: (s) => {
      if (s.actives.length === 0 || !s.hasToken) return fail(msg('active 노드가 없어서 데이터를 읽을 수 없습니다.', 'no active node to read from.'), msg('노드를 unseal 하세요.', 'Unseal the nodes.'));
      return s.canary === CANARY.value
        ? pass()
        : fail(msg(`secret/${CANARY.path} 의 value 가 '${CANARY.value}' 가 아닙니다 (${s.canary === undefined ? '없음' : String(s.canary)}).`, `secret/${CANARY.path} value is not '${CANARY.value}' (${s.canary === undefined ? 'absent' : String(s.canary)}).`), msg(`vault kv put secret/${CANARY.path} value=${CANARY.value} (KV v2 가 secret/ 에 있어야 합니다)`, `vault kv put secret/${CANARY.path} value=${CANARY.value} (needs KV v2 at secret/)`));
    },
  },
];

export const checker = defineChecker<State>({ gather, checks });
