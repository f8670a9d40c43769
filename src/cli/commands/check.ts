import type { CommandArgs, CommandFn } from '../main.ts';
import type { CheckResult, LabContext } from '../../engine/types.ts';
import { openLab } from '../lab.ts';
import { runChecks } from '../../engine/runner.ts';
import { Exit } from '../../engine/errors.ts';
import { listLabs } from '../../engine/state.ts';
import { msg } from '../../engine/i18n.ts';
import { sleep } from '../../exec.ts';
import { usageError } from '../../engine/errors.ts';
import { wrap } from '../../engine/reporter.ts';
import { printShellIssue, shellIssue, type ShellIssue } from '../shell.ts';

/** Results with each first cause in full and what follows from it folded underneath ("먼저 위 항목"). */
export function resultLines(ctx: LabContext, results: CheckResult[], shell?: ShellIssue): string[] {
  const r = ctx.report;
  const lines: string[] = [];
  const folded = (res: CheckResult, why: string) => `    ${r.style('↳', 'dim')} ${res.title} ${r.style(`(${why})`, 'dim')}`;
  const first = r.t(msg('먼저 위 항목', 'fix the item above first'));
  for (const res of results) {
    if (res.ok) {
      lines.push(`  ${r.style('✓', 'green')} ${res.title}`);
      continue;
    }
    if (res.after || shell?.elsewhere) continue;
    lines.push(`  ${r.style('✗', 'red')} ${res.title}`);
    for (const l of wrap(res.why ?? '', r.width === undefined ? undefined : r.width - 6)) if (l) lines.push(`      ${l}`);
    if (res.fix) lines.push(`      ${r.style('→', 'yellow')} ${res.fix}`);
    const follows = (id: string): CheckResult[] => results.filter((x) => x.after === id).flatMap((x) => [x, ...follows(x.id)]);
    const under = new Set(follows(res.id));
    for (const c of results.filter((x) => under.has(x))) lines.push(folded(c, first));
  }
  if (shell?.elsewhere) {
    const failed = results.filter((x) => !x.ok);
    if (failed.length) lines.push(`  ${r.style('✗', 'red')} ${r.t(msg(`${failed.length}개 실패: 셸을 연결한 뒤 다시 점검하세요`, `${failed.length} failing: check again once the shell is pointed at this lab`))}`);
    for (const res of failed) lines.push(folded(res, r.t(msg('먼저 셸 연결', 'the shell first'))));
  }
  return lines;
}

export function printResults(a: CommandArgs, ctx: LabContext, results: CheckResult[], shell?: ShellIssue): void {
  const r = ctx.report;
  if (a.json) {
    r.out(JSON.stringify({ topic: ctx.topic.id, platform: ctx.platform.name, ok: results.every((x) => x.ok), passed: results.filter((x) => x.ok).length, failed: results.filter((x) => !x.ok).length, ...(shell ? { shell: { problem: r.t(shell.problem), fix: shell.fix } } : {}), results }, null, 2));
    return;
  }
  r.out(r.style(`${r.t(ctx.topic.title)} — ${r.t(msg('자가 점검', 'self-check'))}`, 'bold'));
  for (const l of resultLines(ctx, results, shell)) r.out(l);
  const failed = results.filter((x) => !x.ok).length;
  r.out(failed === 0 ? r.style(r.t(msg(`모두 통과 (${results.length}/${results.length})`, `all passed (${results.length}/${results.length})`)), 'green') : r.t(msg(`${results.length - failed}/${results.length} 통과, ${failed} 실패`, `${results.length - failed}/${results.length} passed, ${failed} failed`)));
}

export const check: CommandFn = async (a) => {
  if (!a.positionals[0]) {
    const labs = listLabs();
    if (labs.length !== 1) {
      throw usageError(
        labs.length ? msg(`여러 랩이 있습니다: ${labs.join(', ')}. 하나를 지정하세요.`, `several labs exist: ${labs.join(', ')}; name one.`) : msg('아직 만든 랩이 없습니다 (npx lab start <topic>).', 'no lab exists yet (npx lab start <topic>).'),
      );
    }
    a.positionals.unshift(labs[0]!);
  }
  const ctx = await openLab(a, { mustExist: true });
  if (!a.values.watch) {
    const shell = a.json ? await shellIssue(ctx, a.io.env ?? process.env) : await printShellIssue(ctx, a.io.env ?? process.env);
    const results = await runChecks(ctx);
    printResults(a, ctx, results, shell);
    return results.every((r) => r.ok) ? Exit.ok : Exit.checksFailed;
  }
  const every = Number(a.values.interval ?? 2) * 1000;
  let last = '';
  for (;;) {
    const results = await runChecks(ctx);
    const key = JSON.stringify(results);
    if (key !== last) {
      if (!a.json) ctx.report.out(`\n[${new Date().toLocaleTimeString()}]`);
      printResults(a, ctx, results);
      last = key;
    }
    try {
      await sleep(every);
    } catch {
      return results.every((r) => r.ok) ? Exit.ok : Exit.checksFailed;
    }
  }
};
