import { renderFor } from '../../platforms/render.ts';
import type { CommandFn } from '../types.ts';
import { loadAll, topicIds } from '../../engine/catalogue.ts';
import { auditAll } from '../../engine/content.ts';
import { Exit, usageError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';

export const dev: CommandFn = async (a) => {
  if (a.positionals[0] !== 'check') throw usageError(msg('사용법: lab dev check', 'usage: lab dev check'));
  const topics = await loadAll();
  const problems = await auditAll(topics, renderFor);
  const missing = topicIds.filter((id) => !topics.some((t) => t.id === id));
  for (const id of missing) problems.push({ topic: id, problem: 'scenario module is missing' });
  for (const p of problems) a.report.out(`✗ ${p.topic}: ${p.problem}`);
  a.report.out(problems.length ? `${problems.length} problem(s)` : `content ok: ${topics.length} topics, ${topics.reduce((n, t) => n + t.steps.length, 0)} steps`);
  return problems.length ? Exit.checksFailed : Exit.ok;
};
