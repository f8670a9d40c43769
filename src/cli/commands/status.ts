/** `lab status [topic]`: every lab (or one), its processes and each Vault node's role. Reads only. */
import { defineCommand } from '../define.ts';
import { json, topicOptional } from '../args.ts';
import { loadTopic } from '../../engine/catalogue.ts';
import { openLab } from '../lab.ts';
import { Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { listLabs } from '../../engine/state.ts';
import { nodeRows, roleOf } from '../dashboard.ts';

export default defineCommand({
  meta: { name: 'status', usage: 'lab status [<topic>] [--json]' },
  args: { topic: topicOptional, json },
  run: async (a) => {
    // A topic named is checked like everywhere else (unknown → a suggestion, exit 2), then shown alone.
    const only = a.args.topic ? (await loadTopic(a.args.topic)).id : undefined;
    const labs = listLabs().filter((id) => !only || id === only);
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
  },
});
