import type { CommandFn } from '../main.ts';
import type { CheckResult, Cmd, LabContext } from '../../engine/types.ts';
import { openLab } from '../lab.ts';
import { findStep, nextStep, runChecks, runSteps, type StepState } from '../../engine/runner.ts';
import { wrap } from '../../engine/reporter.ts';
import { loadTopic, topicIds } from '../../engine/catalogue.ts';
import { printShellIssue } from '../shell.ts';
import { Exit, usageError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { printResults } from './check.ts';

export const runCmd: CommandFn = async (a) => {
  const ctx = await openLab(a);
  const t0 = Date.now();
  ctx.report.info(ctx.report.style(`▶ ${ctx.report.t(ctx.topic.title)} (${ctx.platform.name})`, 'bold'));
  await runSteps(ctx, 'run');
  const results = await runChecks(ctx);
  printResults(a, ctx, results);
  ctx.report.info(ctx.report.t(msg(`완료까지 ${((Date.now() - t0) / 1000).toFixed(1)}초. 내 셸에서 이어서: eval "$(npx lab env ${ctx.topic.id})"`, `ready in ${((Date.now() - t0) / 1000).toFixed(1)}s. Continue in your shell: eval "$(npx lab env ${ctx.topic.id})"`)));
  return results.every((r) => r.ok) ? Exit.ok : Exit.checksFailed;
};

export const startCmd: CommandFn = async (a) => {
  const ctx = await openLab(a);
  await runSteps(ctx, 'start');
  const next = await nextStep(ctx);
  ctx.report.info('');
  ctx.report.info(ctx.report.t(msg(`준비되었습니다. 먼저 셸을 랩에 연결하세요: eval "$(npx lab env ${ctx.topic.id})"`, `Ready. Point your shell at the lab first: eval "$(npx lab env ${ctx.topic.id})"`)));
  if (next) showStep(ctx, next);
  return Exit.ok;
};

/** Commands flush-left and never wrapped (a pasted heredoc must reach its EOF); notes as `#` lines; prose wrapped. */
export function printCommands(ctx: LabContext, cmds: Cmd[]): void {
  const r = ctx.report;
  for (const c of cmds) {
    if (c.note) for (const l of wrap(r.t(c.note), r.width === undefined ? undefined : r.width - 2)) r.out(`# ${l}`);
    r.out(ctx.platform.render(c));
  }
}

function showStep(ctx: LabContext, s: StepState, full = false): void {
  const r = ctx.report;
  const tasks = ctx.topic.steps.filter((x) => x.kind === 'task');
  const { step } = s;
  r.out(r.style(`■ [${tasks.indexOf(step) + 1}/${tasks.length}] ${r.t(step.title)}`, 'bold'));
  r.prose(r.t(step.task));
  const pending = full ? undefined : s.pending;
  for (const st of pending?.status ?? []) r.out(r.style(r.t(st), 'cyan'));
  const cmds = pending ? pending.commands : (step.commands ?? []);
  if (cmds.length) {
    r.out('');
    if (pending && pending.commands.length < (step.commands ?? []).length) r.out(`# ${r.t(msg('이 단계에서 남은 명령:', 'what is left of this step:'))}`);
    printCommands(ctx, cmds);
  }
  if (step.hint) {
    r.out('');
    r.prose(`${r.t(msg('힌트:', 'hint:'))} ${r.t(step.hint)}`);
  }
}

/** All pass: what was done, what was measured, and where to go next (the study note's order). */
export async function printEnding(ctx: LabContext, results: CheckResult[]): Promise<void> {
  const r = ctx.report;
  r.out(r.style(r.t(msg(`모두 통과 (${results.length}/${results.length}) — ${r.t(ctx.topic.title)}`, `all passed (${results.length}/${results.length}) — ${r.t(ctx.topic.title)}`)), 'green'));
  for (const step of ctx.topic.steps.filter((x) => x.kind === 'task')) r.out(`${r.style('✓', 'green')} ${r.t(step.title)}`);
  const o = ctx.lab.progress().observations;
  const leaders = (o.leaders as string[] | undefined) ?? [];
  if (leaders.length > 1) r.prose(r.t(msg(`관찰한 리더 교체: ${leaders.join(' → ')}`, `leader changes observed: ${leaders.join(' → ')}`)));
  const i = topicIds.indexOf(ctx.topic.id);
  const next = i >= 0 ? topicIds[i + 1] : undefined;
  r.out('');
  if (next) {
    const t = await loadTopic(next).catch(() => undefined);
    r.prose(r.t(msg(`다음 주제: ${next}${t ? ` — ${t.title.ko}` : ''}`, `next topic: ${next}${t ? ` — ${t.title.en}` : ''}`)));
    r.out(`npx lab start ${next}`);
  } else r.prose(r.t(msg('마지막 주제까지 마쳤습니다.', 'That was the last topic.')));
}

export const hintCmd: CommandFn = async (a) => {
  const ctx = await openLab(a);
  const id = a.positionals[1];
  if (!ctx.lab.record()) {
    ctx.report.out(ctx.report.t(msg(`'${ctx.topic.id}' 랩이 아직 없습니다. 먼저 실습 환경을 만드세요:`, `There is no '${ctx.topic.id}' lab yet. Build it first:`)));
    ctx.report.out(`npx lab start ${ctx.topic.id}`);
    if (!id) return Exit.ok;
  }
  if (id) {
    showStep(ctx, { step: findStep(ctx.topic, id), done: false }, true);
    return Exit.ok;
  }
  const shell = a.io.env ?? process.env;
  await printShellIssue(ctx, shell);
  const results = await runChecks(ctx);
  const s = await nextStep(ctx, results, shell);
  if (!s) {
    if (results.every((x) => x.ok)) await printEnding(ctx, results);
    else ctx.report.out(ctx.report.t(msg(`모든 단계를 마쳤지만 실패한 점검이 있습니다: 'npx lab check ${ctx.topic.id}' 의 첫 항목부터 보세요.`, `Every step is done but some checks fail: start from the first item of 'npx lab check ${ctx.topic.id}'.`)));
    return Exit.ok;
  }
  showStep(ctx, s);
  return Exit.ok;
};

export const solveCmd: CommandFn = async (a) => {
  const ctx = await openLab(a);
  const id = a.positionals[1];
  if (!id) return runCmd(a);
  const step = findStep(ctx.topic, id);
  await runSteps(ctx, 'run', step);
  return Exit.ok;
};

export const resetCmd: CommandFn = async (a) => {
  const ctx = await openLab(a);
  const id = a.positionals[1];
  if (id) {
    const step = findStep(ctx.topic, id);
    if (!step.cleanup) throw usageError(msg(`'${id}' 단계는 따로 되돌릴 수 없습니다. 'npx lab reset ${ctx.topic.id}' 로 전체를 처음으로 돌리세요.`, `step '${id}' cannot be undone on its own; 'npx lab reset ${ctx.topic.id}' resets the whole topic.`));
    await step.cleanup(ctx);
    ctx.lab.updateProgress((p) => {
      delete p.steps[id];
    });
    ctx.report.info(ctx.report.t(msg(`'${id}' 단계를 되돌렸습니다.`, `step '${id}' undone.`)));
    return Exit.ok;
  }
  await ctx.platform.down();
  ctx.lab.remove();
  ctx.report.info(ctx.report.t(msg(`'${ctx.topic.id}' 랩을 지웠습니다. 'npx lab start ${ctx.topic.id}' 로 새로 시작하세요.`, `the '${ctx.topic.id}' lab was removed; 'npx lab start ${ctx.topic.id}' starts afresh.`)));
  return Exit.ok;
};

