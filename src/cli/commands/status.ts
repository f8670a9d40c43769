import type { CommandFn } from '../types.ts';
import { openLab } from '../lab.ts';
import { Exit, usageError } from '../../engine/errors.ts';
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
  for (const l of out) {
    a.report.out(a.report.style(`${l.topic} (${l.platform})`, 'bold'));
    const w = Math.max(0, ...l.processes.map((p) => (p.addr ?? '').length));
    for (const p of l.processes) {
      const dot = !p.running ? a.report.style('○', 'red') : p.sealed ? a.report.style('●', 'yellow') : a.report.style('●', 'green');
      const extra = p.role ? ` ${p.role}${p.voter !== undefined ? (p.voter ? ' · voter' : ' · non-voter') : ''}${p.term !== undefined ? ` · term ${p.term}` : ''}` : '';
      a.report.out(`  ${dot} ${p.name.padEnd(10)} ${(p.addr ?? '').padEnd(w)} ${p.pid ? `pid ${p.pid}` : ''}${extra}`.trimEnd());
    }
  }
  return Exit.ok;
};

export const down: CommandFn = async (a) => {
  const ids = a.values.all ? listLabs() : a.positionals.slice(0, 1);
  if (!ids.length && !a.values.all) throw usageError(msg('주제나 --all 을 지정하세요.', 'name a topic or --all.'));
  for (const id of ids) {
    const ctx = await openLab({ ...a, positionals: [id], values: {} });
    await ctx.platform.down();
    a.report.info(a.report.t(msg(`${id}: 정지했습니다 (데이터는 ${ctx.lab.dir} 에 남아 있음).`, `${id}: stopped (data kept in ${ctx.lab.dir}).`)));
  }
  return Exit.ok;
};

export const node: CommandFn = async (a) => {
  const [, action, name] = a.positionals;
  if (action !== 'start' && action !== 'kill') {
    const stop = action === 'stop' || action === 'restart';
    throw usageError(
      msg(`'${action ?? ''}' 는 노드 동작이 아닙니다: start 또는 kill 입니다.${stop ? ' 멈추려면 kill (kill -9 와 같은 강제 종료), 다시 띄우려면 start.' : ''}`, `'${action ?? ''}' is not a node action: start or kill.${stop ? ' To stop a node use kill (a hard kill, like kill -9); start brings it back.' : ''}`),
      msg('사용법: lab node <topic> start|kill <node>', 'usage: lab node <topic> start|kill <node>'),
    );
  }
  const ctx = await openLab(a, { mustExist: true });
  const nodes = ctx.platform.vaultNodes();
  const i = nodes.findIndex((n) => n.name === name || String(nodes.indexOf(n)) === name);
  if (i < 0) throw usageError(msg(`노드 이름: ${nodes.map((n) => n.name).join(', ')}`, `node names: ${nodes.map((n) => n.name).join(', ')}`));
  await ctx.platform.nodeAction(action, i);
  a.report.info(
    a.report.t(
      action === 'kill'
        ? msg(`${nodes[i]!.name}: 강제 종료했습니다.`, `${nodes[i]!.name}: killed.`)
        : msg(`${nodes[i]!.name}: 시작했습니다 (sealed 상태이니 unseal 하세요).`, `${nodes[i]!.name}: started (sealed: unseal it).`),
    ),
  );
  return Exit.ok;
};
