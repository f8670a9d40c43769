import type { CommandFn } from '../types.ts';
import type { LabContext, Step } from '../../engine/types.ts';
import { openLab } from '../lab.ts';
import { findStep, nextStep, onPlatform, runChecks, runSteps, type StepState } from '../../engine/runner.ts';
import { endingLines, stepLines } from '../dashboard.ts';
import { printShellIssue } from '../shell.ts';
import { Exit, LabError, envError, usageError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { printResults } from './check.ts';

export const runCmd: CommandFn = async (a) => {
  if (a.values['dry-run']) return (await import('../../platforms/kind/dry-run.ts')).dryRunCmd(a);
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

function showStep(ctx: LabContext, s: StepState, full = false): void {
  for (const l of stepLines(ctx, s, full)) ctx.report.out(l);
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
    const step = findStep(ctx.topic, id, ctx.platform);
    if (!onPlatform(step, ctx.platform)) {
      const where = (step.platforms ?? []).join(', ');
      ctx.report.out(ctx.report.style(`! ${ctx.report.t(msg(`'${step.id}' 단계는 ${where} 플랫폼에서만 합니다: 이 랩(${ctx.platform.name})에서는 할 일이 아니고, 아래는 읽을거리입니다.`, `step '${step.id}' is done on ${where} only: nothing to do in this ${ctx.platform.name} lab; what follows is for reading.`))}`, 'yellow'));
    }
    showStep(ctx, { step, done: false }, true);
    return Exit.ok;
  }
  const shell = a.io.env ?? process.env;
  await printShellIssue(ctx, shell);
  // A platform that cannot be reached right now still has a next step to show; the check says why it is down.
  const results = await runChecks(ctx).catch((e: unknown) => {
    if (!(e instanceof LabError)) throw e;
    ctx.report.warn(ctx.report.t(e.text));
    return [];
  });
  const s = await nextStep(ctx, results, shell);
  if (!s) {
    if (results.every((x) => x.ok)) for (const l of await endingLines(ctx, results)) ctx.report.out(l);
    else ctx.report.out(ctx.report.t(msg(`모든 단계를 마쳤지만 실패한 점검이 있습니다: 'npx lab check ${ctx.topic.id}'의 첫 항목부터 보세요.`, `Every step is done but some checks fail: start from the first item of 'npx lab check ${ctx.topic.id}'.`)));
    return Exit.ok;
  }
  await noticeStoppedNodes(ctx, s.step);
  showStep(ctx, s);
  return Exit.ok;
};

/** A node that is down is its own situation: say so, with the command that brings it back, before the step. */
async function noticeStoppedNodes(ctx: LabContext, step: Step): Promise<void> {
  if (!ctx.lab.record()) return;
  const nodes = ctx.platform.vaultNodes();
  if (nodes.length < 2) return;
  const hs = await Promise.all(nodes.map((_, i) => ctx.vault(i, null).health().catch(() => undefined)));
  if (hs.every((h) => h === undefined)) return;
  for (const [i, n] of nodes.entries()) {
    if (hs[i] !== undefined) continue;
    if (step.commands?.some((c) => c.kind === 'node' && c.action === 'start' && c.node === i)) continue;
    const start = `npx lab node ${ctx.topic.id} start ${n.name}`;
    ctx.report.out(ctx.report.t(msg(`! ${n.name} 노드가 멈춰 있습니다: '${start}'로 다시 띄운 뒤 봉인을 푸세요.`, `! ${n.name} is stopped: bring it back with '${start}', then unseal it.`)));
  }
}

export const solveCmd: CommandFn = async (a) => {
  const ctx = await openLab(a);
  const id = a.positionals[1];
  if (!id) return runCmd(a);
  const step = findStep(ctx.topic, id, ctx.platform);
  // What the lab typed for you, as you would type it (secrets stay $VARS).
  ctx.report.showCommands = true;
  await runSteps(ctx, 'run', step);
  if (!ctx.report.commandsShown && step.commands?.length) {
    ctx.report.info(ctx.report.t(msg('# 이 단계는 API로 풀었습니다. 같은 일을 하는 명령:', '# solved through the API; the same, as commands:')));
    for (const c of step.commands) ctx.report.info(ctx.platform.render(c));
  }
  return Exit.ok;
};

export const resetCmd: CommandFn = async (a) => {
  const ctx = await openLab(a);
  const id = a.positionals[1];
  if (id) {
    const step = findStep(ctx.topic, id, ctx.platform);
    if (!step.cleanup) {
      const can = ctx.topic.steps.filter((s) => s.cleanup).map((s) => s.id);
      throw usageError(
        msg(`'${id}' 단계는 따로 되돌릴 수 없습니다.`, `step '${id}' cannot be undone on its own.`),
        can.length
          ? msg(`되돌릴 수 있는 단계: ${can.join(', ')}. 전체를 처음으로: 'npx lab reset ${ctx.topic.id}'`, `steps that can be undone: ${can.join(', ')}. Start over: 'npx lab reset ${ctx.topic.id}'`)
          : msg(`이 주제에는 따로 되돌릴 단계가 없습니다. 전체를 처음으로: 'npx lab reset ${ctx.topic.id}'`, `no step of this topic can be undone on its own. Start over: 'npx lab reset ${ctx.topic.id}'`),
      );
    }
    if (!ctx.lab.record()) throw envError(msg(`'${ctx.topic.id}' 랩이 아직 없습니다.`, `there is no '${ctx.topic.id}' lab yet.`), msg(`'npx lab start ${ctx.topic.id}'로 만드세요.`, `Create it with 'npx lab start ${ctx.topic.id}'.`));
    for (const c of step.cleanup.commands) {
      ctx.report.info(`  $ ${ctx.platform.render(c).split('\n').join('\n    ')}`);
      await ctx.exec(c);
    }
    ctx.lab.updateProgress((p) => {
      delete p.steps[id];
      for (const k of step.cleanup?.forget ?? []) delete p.observations[k];
    });
    ctx.report.info(ctx.report.t(msg(`'${id}' 단계를 되돌렸습니다: 'npx lab hint ${ctx.topic.id}'가 다시 보여 줍니다.`, `step '${id}' undone: 'npx lab hint ${ctx.topic.id}' shows it again.`)));
    return Exit.ok;
  }
  await ctx.platform.down();
  ctx.lab.remove();
  ctx.report.info(ctx.report.t(msg(`'${ctx.topic.id}' 랩을 지웠습니다. 'npx lab start ${ctx.topic.id}'로 새로 시작하세요.`, `the '${ctx.topic.id}' lab was removed; 'npx lab start ${ctx.topic.id}' starts afresh.`)));
  return Exit.ok;
};

