import type { CommandFn } from '../types.ts';
import { openLab } from '../lab.ts';
import { Exit, envError, usageError } from '../../engine/errors.ts';
import type { NodeAction } from '../../engine/types.ts';
import { msg } from '../../engine/i18n.ts';
import { listLabs } from '../../engine/state.ts';
import { nodeRows, roleOf } from '../dashboard.ts';

export const status: CommandFn = async (a) => {
  const labs = listLabs();
  const out: { topic: string; platform: string; processes: { name: string; running: boolean; pid?: number; addr?: string; role?: string; sealed?: boolean; keys?: string; voter?: boolean; term?: number }[] }[] = [];
  for (const id of labs) {
    const ctx = await openLab({ ...a, positionals: [id], values: {} });
    const [procs, rows] = await Promise.all([ctx.platform.status(), nodeRows(ctx).catch(() => [])]);
    // A process that runs is not a Vault that serves: say whether each node is leader, standby or sealed (k/n).
    const processes = procs.map((p) => {
      const n = rows.find((x) => x.name === p.name);
      if (!n || !p.running) return p;
      return { ...p, role: a.report.t(roleOf(n, rows.length > 1)), sealed: n.sealed, ...(n.keys ? { keys: n.keys } : {}), ...(n.voter !== undefined ? { voter: n.voter } : {}), ...(n.term !== undefined ? { term: n.term } : {}) };
    });
    out.push({ topic: id, platform: ctx.platform.name, processes });
  }
  if (a.json) {
    a.report.out(JSON.stringify(out, null, 2));
    return Exit.ok;
  }
  if (!out.length) a.report.out(a.report.t(msg('만든 랩이 없습니다.', 'no labs.')));
  // One set of columns for every lab: names (kube-apiserver is longer than vault-0), addresses, pids.
  const all = out.flatMap((l) => l.processes);
  const nw = Math.max(10, ...all.map((p) => p.name.length));
  const w = Math.max(0, ...all.map((p) => (p.addr ?? '').length));
  const pw = Math.max(0, ...all.map((p) => (p.pid ? `pid ${p.pid}` : '').length));
  for (const l of out) {
    a.report.out(a.report.style(`${l.topic} (${l.platform})`, 'bold'));
    for (const p of l.processes) {
      const dot = !p.running ? a.report.style('○', 'red') : p.sealed ? a.report.style('●', 'yellow') : a.report.style('●', 'green');
      const extra = p.role ? ` ${p.role}${p.voter !== undefined ? (p.voter ? ' · voter' : ' · non-voter') : ''}${p.term !== undefined ? ` · term ${p.term}` : ''}` : '';
      a.report.out(`  ${dot} ${p.name.padEnd(nw)} ${(p.addr ?? '').padEnd(w)} ${(p.pid ? `pid ${p.pid}` : '').padEnd(pw)}${extra}`.trimEnd());
    }
  }
  return Exit.ok;
};

export const down: CommandFn = async (a) => {
  const ids = a.values.all ? listLabs() : a.positionals.slice(0, 1);
  if (!ids.length && !a.values.all) throw usageError(msg('주제나 --all을 지정하세요.', 'name a topic or --all.'));
  for (const id of ids) {
    const ctx = await openLab({ ...a, positionals: [id], values: {} });
    await ctx.platform.down();
    a.report.info(a.report.t(msg(`${id}: 정지했습니다 (데이터는 ${ctx.lab.dir}에 남아 있음).`, `${id}: stopped (data kept in ${ctx.lab.dir}).`)));
  }
  return Exit.ok;
};

const NODE_ACTIONS: readonly NodeAction[] = ['start', 'stop', 'kill', 'reset'];
const isNodeAction = (s: string | undefined): s is NodeAction => NODE_ACTIONS.includes(s as NodeAction);

export const node: CommandFn = async (a) => {
  const [, action, name] = a.positionals;
  if (!isNodeAction(action)) {
    throw usageError(
      msg(`'${action ?? ''}'는 노드 동작이 아닙니다: start, stop (SIGTERM), kill (SIGKILL), reset (데이터를 지우고 다시 합류).`, `'${action ?? ''}' is not a node action: start, stop (SIGTERM), kill (SIGKILL), reset (wipe and rejoin).`),
      msg('사용법: lab node <topic> start|stop|kill|reset <node>', 'usage: lab node <topic> start|stop|kill|reset <node>'),
    );
  }
  const ctx = await openLab(a, { mustExist: true });
  const nodes = ctx.platform.vaultNodes();
  const i = nodes.findIndex((n) => n.name === name || String(nodes.indexOf(n)) === name);
  if (i < 0) throw usageError(msg(`노드 이름: ${nodes.map((n) => n.name).join(', ')}`, `node names: ${nodes.map((n) => n.name).join(', ')}`));
  const r = ctx.report;
  const n = nodes[i]!.name;
  if (action === 'reset') {
    if (!ctx.topic.resetNode) throw usageError(msg(`'${ctx.topic.id}' 에는 노드 reset이 없습니다 (Raft 클러스터 주제 전용: ha-failover).`, `'${ctx.topic.id}' has no node reset (it is for Raft cluster topics: ha-failover).`));
    // Wiping the only copy of a cluster's data is not a fix: a Raft node is reset only while the others carry on.
    const a2 = await ctx.activeVault();
    if (!a2 || a2.node === i) {
      throw envError(
        msg(`${n} 을(를) 초기화하지 않았습니다: 데이터를 이어받을 다른 active 노드가 없습니다.`, `${n} was not reset: no other active node holds the cluster's data.`),
        msg(`reset은 Raft 클러스터의 한 노드를 다시 합류시킬 때만 씁니다. 클러스터를 먼저 살리세요 ('npx lab run ${ctx.topic.id}'), 모두 처음부터 하려면 'npx lab reset ${ctx.topic.id}'.`, `reset rejoins one node of a Raft cluster that is otherwise up. Bring the cluster up first ('npx lab run ${ctx.topic.id}'), or start over with 'npx lab reset ${ctx.topic.id}'.`),
      );
    }
    await ctx.topic.resetNode(ctx, i);
    r.info(r.t(msg(`${n}: 데이터를 지우고 다시 합류시켜 unseal 했습니다 (voter).`, `${n}: wiped, joined again and unsealed (a voter).`)));
    return Exit.ok;
  }
  await ctx.platform.nodeAction(action, i);
  const done = {
    start: msg(`${n}: 시작했습니다 (sealed 상태: unseal 하세요).`, `${n}: started (sealed: unseal it).`),
    stop: msg(`${n}: 정상 종료했습니다 (SIGTERM, kubectl delete pod와 같음).`, `${n}: stopped gracefully (SIGTERM, as kubectl delete pod).`),
    kill: msg(`${n}: 강제 종료했습니다 (SIGKILL, 장애).`, `${n}: killed (SIGKILL, a crash).`),
  } as const;
  r.info(r.t(done[action]));
  return Exit.ok;
};
