import type { CommandArgs } from '../types.ts';
import { defineCommand } from '../define.ts';
import { json, topicOptional } from '../args.ts';
import { Reporter, wrap } from '../../engine/reporter.ts';
import { redact } from '../../engine/redact.ts';
import { endingLines, nodeRows, nodeTable, stepBar, stepLines, topicLines } from '../dashboard.ts';
import type { CheckResult, LabContext } from '../../engine/types.ts';
import { openLab } from '../lab.ts';
import { runChecks, stepStates } from '../../engine/runner.ts';
import { Exit } from '../../engine/errors.ts';
import { listLabs } from '../../engine/state.ts';
import { msg } from '../../engine/i18n.ts';
import { sleep } from '../../exec.ts';
import { usageError } from '../../engine/errors.ts';
import { printShellIssue, shellIssue, type ShellIssue } from '../shell.ts';

/** Results with each first cause in full and what follows from it folded underneath ("먼저 위 항목"). */
export function resultLines(ctx: LabContext, results: CheckResult[]): string[] {
  const r = ctx.report;
  const lines: string[] = [];
  const folded = (res: CheckResult, why: string) => `    ${r.style('↳', 'dim')} ${res.title} ${r.style(`(${why})`, 'dim')}`;
  const first = r.t(msg('먼저 위 항목', 'fix the item above first'));
  for (const res of results) {
    if (res.ok) {
      lines.push(`  ${r.style('✓', 'green')} ${res.title}`);
      continue;
    }
    if (res.after) continue;
    lines.push(`  ${r.style('✗', 'red')} ${res.title}`);
    for (const l of wrap(res.why ?? '', r.width === undefined ? undefined : r.width - 6)) if (l) lines.push(`      ${l}`);
    if (res.fix) {
      // The note wraps at spaces like the reason above it; each command stays whole on its own lines (copyable).
      const note = res.fixCommands ? res.fixNote : res.fix;
      const prose = note ? wrap(note, r.width === undefined ? undefined : r.width - 8) : [];
      const body = [...prose, ...(res.fixCommands ?? []).flatMap((c) => c.split('\n'))];
      const [head, ...rest] = body;
      lines.push(`      ${r.style('→', 'yellow')} ${head}`, ...rest.map((l) => `        ${l}`));
    }
    const follows = (id: string): CheckResult[] => results.filter((x) => x.after === id).flatMap((x) => [x, ...follows(x.id)]);
    const under = new Set(follows(res.id));
    for (const c of results.filter((x) => under.has(x))) lines.push(folded(c, first));
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
  for (const l of resultLines(ctx, results)) r.out(l);
  const failed = results.filter((x) => !x.ok).length;
  r.out(failed === 0 ? r.style(r.t(msg(`모두 통과 (${results.length}/${results.length})`, `all passed (${results.length}/${results.length})`)), 'green') : r.t(msg(`${results.length - failed}/${results.length} 통과, ${failed} 실패`, `${results.length - failed}/${results.length} passed, ${failed} failed`)));
}

export default defineCommand({
  meta: { name: 'check', usage: 'lab check [<topic>] [--json] [--watch [--interval SECONDS]]' },
  args: {
    topic: topicOptional,
    json,
    watch: { type: 'boolean', short: 'w', description: msg('계속 다시 점검 (대시보드)', 'check again and again (a dashboard)') },
    interval: { type: 'string', value: 'SECONDS', default: '2', description: msg('--watch의 점검 주기 (초)', 'seconds between checks with --watch') },
  },
  run: async (a) => {
    if (!a.args.topic) {
      const labs = listLabs();
      if (labs.length !== 1) {
        throw usageError(
          labs.length ? msg(`여러 랩이 있습니다: ${labs.join(', ')}. 하나를 지정하세요.`, `several labs exist: ${labs.join(', ')}; name one.`) : msg('아직 만든 랩이 없습니다 (npx lab start <topic>).', 'no lab exists yet (npx lab start <topic>).'),
        );
      }
      a.positionals.unshift(labs[0]!);
    }
    const intervalText = a.args.interval;
    const every = Number(intervalText) * 1000;
    if (!Number.isFinite(every) || every < 200 || every > 3_600_000) {
      throw usageError(msg(`--interval은 0.2~3600 사이의 초입니다: '${intervalText}'`, `--interval takes seconds between 0.2 and 3600: '${intervalText}'`));
    }
    const ctx = await openLab(a, { mustExist: true });
    if (!a.args.watch) {
      const shell = a.json ? await shellIssue(ctx, a.io.env ?? process.env) : await printShellIssue(ctx, a.io.env ?? process.env);
      const results = await runChecks(ctx);
      printResults(a, ctx, results, shell);
      if (!a.json && results.every((r) => r.ok)) for (const l of (await endingLines(ctx, results)).slice(1)) ctx.report.out(l);
      return results.every((r) => r.ok) ? Exit.ok : Exit.checksFailed;
    }
    return watch(a, ctx, every);
  },
});

/**
 * The check as a dashboard: on a terminal it redraws in place; piped, or with NO_COLOR, each change is appended once
 * with a 24-hour timestamp, so a log stays readable.
 */
async function watch(a: CommandArgs, ctx: LabContext, every: number): Promise<number> {
  const env = a.io.env ?? process.env;
  const redraw = !a.json && Boolean(a.io.stdout.isTTY) && Reporter.colorWanted(a.io.stdout, env);
  let last = '';
  let first = true;
  // A dashboard, a loop by design (no condition to wait for): it redraws every few seconds until Ctrl-C.
  // Ctrl-C ends the dashboard with the verdict on screen, also when it lands during a round (its waits are abortable).
  let verdict: number = Exit.interrupted;
  for (;;) {
    let shell: ShellIssue | undefined;
    let results: CheckResult[];
    try {
      shell = await shellIssue(ctx, env);
      results = await runChecks(ctx);
    } catch (e) {
      if (a.signal?.aborted) return verdict;
      throw e;
    }
    verdict = results.every((r) => r.ok) ? Exit.ok : Exit.checksFailed;
    const now = new Date().toLocaleTimeString('en-GB', { hour12: false });
    if (a.json) {
      const key = JSON.stringify(results);
      if (key !== last) printResults(a, ctx, results, shell);
      last = key;
    } else {
      let lines: string[];
      try {
        lines = await frame(ctx, results, shell, env);
      } catch (e) {
        if (a.signal?.aborted) return verdict;
        throw e;
      }
      const key = lines.join('\n');
      if (redraw) {
        const head = ctx.report.style(`${ctx.report.t(msg('점검 주기', 'every'))} ${every / 1000}s · ${now} · Ctrl-C`, 'dim');
        a.io.stdout.write(`${first ? '\u001b[2J' : ''}\u001b[H${[head, ...lines].map((l) => `${redact(l)}\u001b[K`).join('\n')}\n\u001b[J`);
      } else if (key !== last) {
        ctx.report.out(`${first ? '' : '\n'}[${now}]`);
        for (const l of lines) ctx.report.out(l);
      }
      last = key;
    }
    first = false;
    try {
      await sleep(every);
    } catch {
      return verdict;
    }
  }
}

async function frame(ctx: LabContext, results: CheckResult[], shell: ShellIssue | undefined, env: Record<string, string | undefined>): Promise<string[]> {
  const r = ctx.report;
  const lines: string[] = [];
  if (shell) lines.push(r.style(`! ${r.t(shell.problem)}`, 'yellow'), shell.fix, '');
  const states = await stepStates(ctx, results, env);
  lines.push(r.style(`${r.t(ctx.topic.title)} — ${r.t(msg('자가 점검', 'self-check'))}`, 'bold'), stepBar(r, states));
  if (ctx.platform.vaultNodes().length > 1) {
    lines.push('', ...nodeTable(r, await nodeRows(ctx)));
  }
  const failed = results.filter((x) => !x.ok).length;
  // The ending carries the topic's own lines; shown once.
  if (failed) lines.push(...topicLines(ctx));
  lines.push('', ...resultLines(ctx, results));
  if (!failed) return [...lines, '', ...(await endingLines(ctx, results))];
  lines.push(r.t(msg(`${results.length - failed}/${results.length} 통과, ${failed} 실패`, `${results.length - failed}/${results.length} passed, ${failed} failed`)));
  const cur = states.find((x) => !x.done);
  if (cur) lines.push('', ...stepLines(ctx, cur));
  return lines;
}
