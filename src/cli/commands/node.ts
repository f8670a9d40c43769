/** `lab node <topic> start|stop|kill|reset <node>`: one Vault node, as an operator would handle it. */
import { defineCommand } from '../define.ts';
import { noWait, topicRequired } from '../args.ts';
import { openLab } from '../lab.ts';
import { Exit, envError, usageError } from '../../engine/errors.ts';
import type { NodeAction } from '../../engine/types.ts';
import { msg } from '../../engine/i18n.ts';

const NODE_ACTIONS: readonly NodeAction[] = ['start', 'stop', 'kill', 'reset'];
const isNodeAction = (s: string | undefined): s is NodeAction => NODE_ACTIONS.includes(s as NodeAction);

export default defineCommand({
  meta: { name: 'node', usage: 'lab node <topic> start|stop|kill|reset <node>' },
  args: {
    topic: topicRequired,
    action: { type: 'positional', description: msg('start | stop (SIGTERM) | kill (SIGKILL) | reset (데이터를 지우고 재합류)', 'start | stop (SIGTERM) | kill (SIGKILL) | reset (wipe and rejoin)') },
    node: { type: 'positional', description: msg('노드 이름 (vault-0…), 번호, 또는 active (지금의 리더; stop/kill)', 'node name (vault-0…), index, or active (the leader now; stop/kill)') },
    'no-wait': noWait,
  },
  changes: true,
  run: async (a) => {
    const { action, node: name } = a.args;
    if (!isNodeAction(action)) {
      throw usageError(
        msg(`'${action ?? ''}'는 노드 동작이 아닙니다: start, stop (SIGTERM), kill (SIGKILL), reset (데이터를 지우고 다시 합류).`, `'${action ?? ''}' is not a node action: start, stop (SIGTERM), kill (SIGKILL), reset (wipe and rejoin).`),
        msg('사용법: lab node <topic> start|stop|kill|reset <node>', 'usage: lab node <topic> start|stop|kill|reset <node>'),
      );
    }
    const ctx = await openLab(a, { mustExist: true });
    const nodes = ctx.platform.vaultNodes();
    // `active`: whichever node leads now (the drill's line), found as the vault-active relay and Service find it.
    if (name === 'active' && (action === 'start' || action === 'reset')) {
      throw usageError(msg(`'${action} active'는 없습니다: 활성 노드는 멈추거나(stop) 죽일(kill) 수만 있습니다. 노드 이름을 쓰세요.`, `there is no '${action} active': only stop and kill take the active node. Name the node.`));
    }
    const active = name === 'active' ? await ctx.activeVault(null) : undefined;
    if (name === 'active' && !active) {
      throw envError(msg('활성 노드가 없습니다: 멈출 리더가 없습니다.', 'no active node: there is no leader to stop.'), msg(`'npx lab check ${ctx.topic.id}'으로 봉인된 노드를 확인하세요.`, `See which nodes are sealed with 'npx lab check ${ctx.topic.id}'.`));
    }
    const i = active ? active.node : nodes.findIndex((n) => n.name === name || String(nodes.indexOf(n)) === name);
    if (i < 0) throw usageError(msg(`노드 이름: ${nodes.map((n) => n.name).join(', ')}, active`, `node names: ${nodes.map((n) => n.name).join(', ')}, active`));
    const r = ctx.report;
    const n = nodes[i]!.name;
    if (action === 'reset') {
      if (!ctx.topic.resetNode) throw usageError(msg(`'${ctx.topic.id}' 주제에는 노드 reset이 없습니다 (Raft 클러스터 주제 전용: ha-failover).`, `'${ctx.topic.id}' has no node reset (it is for Raft cluster topics: ha-failover).`));
      // Wiping the only copy of a cluster's data is not a fix: a Raft node is reset only while the others carry on.
      const a2 = await ctx.activeVault();
      if (!a2 || a2.node === i) {
        throw envError(
          msg(`${n} 노드를 초기화하지 않았습니다: 데이터를 이어받을 다른 활성 노드가 없습니다.`, `${n} was not reset: no other active node holds the cluster's data.`),
          msg(`reset은 Raft 클러스터의 한 노드를 다시 합류시킬 때만 씁니다. 클러스터를 먼저 살리세요 ('npx lab run ${ctx.topic.id}'), 모두 처음부터 하려면 'npx lab reset ${ctx.topic.id}'.`, `reset rejoins one node of a Raft cluster that is otherwise up. Bring the cluster up first ('npx lab run ${ctx.topic.id}'), or start over with 'npx lab reset ${ctx.topic.id}'.`),
        );
      }
      await ctx.topic.resetNode(ctx, i);
      r.info(r.t(msg(`${n}: 데이터를 지우고 다시 합류시켜 봉인을 풀었습니다 (voter).`, `${n}: wiped, joined again and unsealed (a voter).`)));
      return Exit.ok;
    }
    await ctx.platform.nodeAction(action, i);
    const done = {
      start: msg(`${n}: 시작했습니다 (sealed 상태: 봉인을 푸세요).`, `${n}: started (sealed: unseal it).`),
      stop: msg(`${n}: 정상 종료했습니다 (SIGTERM, kubectl delete pod와 같음).`, `${n}: stopped gracefully (SIGTERM, as kubectl delete pod).`),
      kill: msg(`${n}: 강제 종료했습니다 (SIGKILL, 장애).`, `${n}: killed (SIGKILL, a crash).`),
    } as const;
    r.info(r.t(done[action]));
    return Exit.ok;
  },
});
