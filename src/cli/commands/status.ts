import type { CommandFn } from '../types.ts';
import { openLab } from '../lab.ts';
import { Exit, usageError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { listLabs } from '../../engine/state.ts';

export const status: CommandFn = async (a) => {
  const labs = listLabs();
  const out: { topic: string; platform: string; processes: { name: string; running: boolean; pid?: number; addr?: string }[] }[] = [];
  for (const id of labs) {
    const ctx = await openLab({ ...a, positionals: [id], values: {} });
    out.push({ topic: id, platform: ctx.platform.name, processes: await ctx.platform.status() });
  }
  if (a.json) {
    a.report.out(JSON.stringify(out, null, 2));
    return Exit.ok;
  }
  if (!out.length) a.report.out(a.report.t(msg('만든 랩이 없습니다.', 'no labs.')));
  for (const l of out) {
    a.report.out(a.report.style(`${l.topic} (${l.platform})`, 'bold'));
    for (const p of l.processes) a.report.out(`  ${p.running ? a.report.style('●', 'green') : a.report.style('○', 'red')} ${p.name.padEnd(10)} ${p.addr ?? ''} ${p.pid ? `pid ${p.pid}` : ''}`);
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
  if (action !== 'start' && action !== 'kill') throw usageError(msg('사용법: lab node <topic> start|kill <node>', 'usage: lab node <topic> start|kill <node>'));
  const ctx = await openLab(a, { mustExist: true });
  const nodes = ctx.platform.vaultNodes();
  const i = nodes.findIndex((n) => n.name === name || String(nodes.indexOf(n)) === name);
  if (i < 0) throw usageError(msg(`노드 이름: ${nodes.map((n) => n.name).join(', ')}`, `node names: ${nodes.map((n) => n.name).join(', ')}`));
  await ctx.platform.nodeAction(action, i);
  a.report.info(`${nodes[i]!.name}: ${action === 'kill' ? 'killed' : 'started (sealed: unseal it)'}`);
  return Exit.ok;
};
