/** `lab dev check`: for developers, prove every topic's content (steps, checks, shown commands). */
import { renderFor } from '../../platforms/render.ts';
import { defineCommand } from '../define.ts';
import { loadAll, topicIds } from '../../engine/catalogue.ts';
import { auditAll, solveShown } from '../../engine/content.ts';
import { Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';

const check = defineCommand({
  meta: { name: 'check', summary: msg('모든 주제의 콘텐츠 점검 (단계, 점검, 보여 주는 명령)', "prove every topic's content (steps, checks, shown commands)"), usage: 'lab dev check' },
  args: {},
  run: async (a) => {
    const topics = await loadAll();
    const problems = await auditAll(topics, renderFor);
    const missing = topicIds.filter((id) => !topics.some((t) => t.id === id));
    for (const id of missing) problems.push({ topic: id, problem: 'scenario module is missing' });
    for (const p of problems) a.report.out(`✗ ${p.topic}: ${p.problem}`);
    // What the lesson shows is what the lab runs: a task step without its own solve runs exactly its shown commands
    // (guards only skip a line whose effect is already there), proven on each platform it claims by rendering every
    // line there (a line that cannot render is a problem above); the others say why, one line each.
    const s = solveShown(topics, renderFor);
    const on = Object.entries(s.platforms).map(([p, n]) => `${p} ${n.rendered}/${n.steps}`);
    a.report.out(`solve = shown commands: ${s.tasks - s.custom.length} of ${s.tasks} task steps, each rendered on the platforms it claims (${on.join(', ')}); custom solve: ${s.custom.length}`);
    for (const c of s.custom) a.report.out(`  ${c.topic}/${c.step}: ${c.why ?? '(no reason given)'}`);
    a.report.out(problems.length ? `${problems.length} problem(s)` : `content ok: ${topics.length} topics, ${topics.reduce((n, t) => n + t.steps.length, 0)} steps`);
    return problems.length ? Exit.checksFailed : Exit.ok;
  },
});

export default defineCommand({
  meta: { name: 'dev' },
  args: {},
  subCommands: { check },
});
