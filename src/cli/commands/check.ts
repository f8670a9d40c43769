import type { CommandArgs, CommandFn } from '../types.ts';
import type { CheckResult, LabContext } from '../../engine/types.ts';
import { openLab } from '../lab.ts';
import { runChecks } from '../../engine/runner.ts';
import { Exit } from '../../engine/errors.ts';
import { listLabs } from '../../engine/state.ts';
import { msg } from '../../engine/i18n.ts';
import { sleep } from '../../exec.ts';
import { usageError } from '../../engine/errors.ts';

export function printResults(a: CommandArgs, ctx: LabContext, results: CheckResult[]): void {
  const r = ctx.report;
  if (a.json) {
    r.out(JSON.stringify({ topic: ctx.topic.id, platform: ctx.platform.name, ok: results.every((x) => x.ok), passed: results.filter((x) => x.ok).length, failed: results.filter((x) => !x.ok).length, results }, null, 2));
    return;
  }
  r.out(r.style(`${r.t(ctx.topic.title)} — ${r.t(msg('자가 점검', 'self-check'))}`, 'bold'));
  for (const res of results) {
    r.out(`  ${res.ok ? r.style('✓', 'green') : r.style('✗', 'red')} ${res.title}`);
    if (!res.ok) {
      if (res.why) r.out(`      ${res.why}`);
      if (res.fix) r.out(`      ${r.style('→', 'yellow')} ${res.fix}`);
    }
  }
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
  const intervalText = typeof a.values.interval === 'string' ? a.values.interval : '2';
  const every = Number(intervalText) * 1000;
  if (!Number.isFinite(every) || every < 200 || every > 3_600_000) {
    throw usageError(msg(`--interval 은 0.2~3600 사이의 초입니다: '${intervalText}'`, `--interval takes seconds between 0.2 and 3600: '${intervalText}'`));
  }
  const ctx = await openLab(a, { mustExist: true });
  if (!a.values.watch) {
    const results = await runChecks(ctx);
    printResults(a, ctx, results);
    return results.every((r) => r.ok) ? Exit.ok : Exit.checksFailed;
  }
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
