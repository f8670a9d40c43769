/** Drives a topic's steps through a platform, and runs its checks: gather (I/O) once, judge (pure) each. */
import type { Capability, CheckResult, Cmd, LabContext, Pending, Platform, Step, Topic, Verdict } from './types.ts';
import type { Lang, Msg } from './i18n.ts';
import { msg } from './i18n.ts';
import { LabError, Exit, usageError } from './errors.ts';
import { redact } from './redact.ts';
import { suggest } from './catalogue.ts';
import { throwIfAborted } from '../exec.ts';
import { onPlatform } from './applies.ts';

export type Mode = 'start' | 'run';

/**
 * A step by id, or by the number `lab hint` shows (`[6/8]`: the 6th task step on this platform). Without a platform a
 * number counts every task step.
 */
export function findStep(topic: Topic, id: string, platform?: Pick<Platform, 'name' | Capability>): Step {
  const tasks = topic.steps.filter((x) => x.kind === 'task' && (!platform || onPlatform(x, platform)));
  if (/^\d+$/.test(id)) {
    const n = Number(id);
    const hit = tasks[n - 1];
    if (hit) return hit;
    throw usageError(
      msg(`'${topic.id}'의 단계 번호는 1부터 ${tasks.length}까지입니다 ('${id}').`, `topic '${topic.id}' numbers its steps 1 to ${tasks.length} ('${id}').`),
      msg(`단계: ${tasks.map((t, i) => `${i + 1} ${t.id}`).join(', ')}`, `steps: ${tasks.map((t, i) => `${i + 1} ${t.id}`).join(', ')}`),
    );
  }
  const s = topic.steps.find((x) => x.id === id);
  if (!s) {
    const ids = topic.steps.map((x) => x.id);
    const d = suggest(id, ids);
    throw usageError(
      msg(`'${topic.id}'에 '${id}' 단계가 없습니다.${d ? ` 혹시 '${d}' 인가요?` : ''}`, `topic '${topic.id}' has no step '${id}'.${d ? ` Did you mean '${d}'?` : ''}`),
      msg(`단계: ${tasks.map((t, i) => `${i + 1} ${t.id}`).join(', ')}`, `steps: ${tasks.map((t, i) => `${i + 1} ${t.id}`).join(', ')}`),
    );
  }
  return s;
}

async function solveStep(ctx: LabContext, step: Step): Promise<void> {
  // Observation only (the drill's leader and term, its handover time): what runs on the lab is the commands or solve.
  await step.observe?.before?.(ctx);
  if (step.solve) await step.solve(ctx);
  else for (const c of step.commands ?? []) await ctx.exec(c);
  await step.observe?.after?.(ctx);
}

/** A step that failed on something other than a LabError (a Vault API answer, a network error) still says where and what next. */
function typedStepError(ctx: LabContext, step: Step, e: unknown): unknown {
  if (e instanceof LabError || (e as Error)?.name === 'AbortError') return e;
  const why = redact(e instanceof Error ? e.message : String(e));
  return new LabError(msg(`'${step.id}' 단계가 실패했습니다: ${why}`, `step '${step.id}' failed: ${why}`), {
    exitCode: Exit.environment,
    hint: msg(
      `'npx lab check ${ctx.topic.id}'로 무엇이 틀렸는지 보고, 'npx lab hint ${ctx.topic.id} ${step.id}'로 이 단계의 명령을 보세요.`,
      `See what is wrong with 'npx lab check ${ctx.topic.id}', and this step's commands with 'npx lab hint ${ctx.topic.id} ${step.id}'.`,
    ),
    cause: e,
  });
}

export { onPlatform };

/** Steps of this platform left out for a capability it lacks here, each with the platform's reason (kind: no ingress-nginx image). */
function sayLeftOut(ctx: LabContext): void {
  for (const s of ctx.topic.steps) {
    if (onPlatform(s, ctx.platform) || !onPlatform({ platforms: s.platforms }, ctx.platform)) continue;
    const why = (s.requires ?? []).map((c) => ctx.platform.absent?.(c)).find((m) => m !== undefined);
    if (why) ctx.report.info(ctx.report.t(msg(`단계 '${s.id}' (${s.title.ko})는 이 랩에서 빠집니다: ${why.ko}`, `step '${s.id}' (${s.title.en}) is left out of this lab: ${why.en}`)));
  }
}

/** Runs steps in order; `start` stops after the setup steps. Steps whose live state says done are skipped. */
export async function runSteps(ctx: LabContext, mode: Mode, only?: Step): Promise<void> {
  if (only && !onPlatform(only, ctx.platform)) {
    throw usageError(msg(`'${only.id}' 단계는 ${only.platforms!.join(', ')} 플랫폼의 단계입니다.`, `step '${only.id}' belongs to the ${only.platforms!.join(', ')} platform.`));
  }
  const list = ctx.topic.steps.filter((s) => onPlatform(s, ctx.platform) && (s.kind === 'setup' || (only ? s === only : mode === 'run')));
  if (mode === 'run' && !only) sayLeftOut(ctx);
  let i = 0;
  for (const step of list) {
    // Ctrl-C between steps (or during a skipped step's done() probe, which runs no command) stops here.
    throwIfAborted();
    i++;
    const title = ctx.report.t(step.title);
    ctx.report.stepStart(i, list.length, title);
    const t0 = Date.now();
    if (step.kind === 'task' && step !== only && step.done && (await step.done(ctx).catch(() => false))) {
      ctx.report.stepEnd('skipped', title, Date.now() - t0);
    } else {
      try {
        await solveStep(ctx, step);
      } catch (e) {
        ctx.report.stepEnd('failed', title, Date.now() - t0);
        throw typedStepError(ctx, step, e);
      }
      ctx.report.stepEnd('done', title, Date.now() - t0);
    }
    ctx.lab.updateProgress((p) => {
      p.steps[step.id] ??= { doneAt: new Date().toISOString() };
    });
  }
}

export function judgeAll<S>(checks: { id: string; title: Msg; judge: (s: S) => Verdict }[], state: S, lang: Lang, render: (c: Cmd) => string): CheckResult[] {
  return toResults(
    checks.map((c) => {
      let verdict: Verdict;
      try {
        verdict = c.judge(state);
      } catch (e) {
        verdict = { ok: false, why: msg(`판정 중 오류: ${String(e)}`, `judge error: ${String(e)}`) };
      }
      return { id: c.id, title: c.title, verdict };
    }),
    lang,
    render,
  );
}

/** Verdicts in the learner's language; a consequence (its cause named, or an earlier failure's very reason) is marked. */
export function toResults(verdicts: { id: string; title: Msg; verdict: Verdict }[], lang: Lang, render: (c: Cmd) => string): CheckResult[] {
  const out: CheckResult[] = [];
  for (const { id, title, verdict: v } of verdicts) {
    const why = v.why?.[lang];
    const note = v.fix?.[lang] || undefined;
    // Rendered here, at the edge, for the lab's platform: the judge returned data only.
    const commands = v.ok ? [] : (v.fixCmds ?? []).map(render);
    const fix = [...(note ? [note] : []), ...commands].join('\n');
    const cause = v.ok ? undefined : (out.find((r) => !r.ok && r.id === v.after) ?? (why ? out.find((r) => !r.ok && !r.after && r.why === why) : undefined));
    out.push({
      id,
      title: title[lang],
      ok: v.ok,
      ...(why ? { why } : {}),
      ...(fix ? { fix } : {}),
      ...(note && commands.length ? { fixNote: note } : {}),
      ...(commands.length ? { fixCommands: commands } : {}),
      ...(cause ? { after: cause.id } : {}),
    });
  }
  return out;
}

export interface StepState {
  step: Step;
  done: boolean;
  pending?: Pending;
}

/**
 * Where each task step stands, from live state only (never from which steps `lab solve` ran): a step is done when its
 * `done` predicate holds, or, without one, when every check it names passes; and it still has nothing pending. Once every
 * check passes, every step is done (as `nextStep` has none).
 */
export async function stepStates(ctx: LabContext, results: CheckResult[], shell: Record<string, string | undefined> = {}): Promise<StepState[]> {
  const ok = new Map(results.map((r) => [r.id, r.ok]));
  // Every check passing is the verdict: no step is asked again. A step's own probe that times out on a loaded machine
  // made an all-pass dashboard redraw itself as unfinished (CI, `check --watch`).
  const allPass = results.length > 0 && results.every((r) => r.ok);
  const out: StepState[] = [];
  for (const step of ctx.topic.steps) {
    if (step.kind !== 'task' || !onPlatform(step, ctx.platform)) continue;
    if (allPass) {
      out.push({ step, done: true });
      continue;
    }
    let live = step.done ? await step.done(ctx).catch(() => false) : (step.checks ?? []).every((id) => ok.get(id) === true);
    if (!live && step.heldFor) live = await step.heldFor(ctx).catch(() => false);
    const pending = step.pending ? await step.pending(ctx, shell).catch(() => undefined) : undefined;
    const left = Boolean(pending && pending.commands.length);
    out.push({ step, done: live && !left, ...(pending && (left || !live) ? { pending } : {}) });
  }
  return out;
}

/** The learner's next task: the first task step the live state does not show as done; none once every check passes. */
export async function nextStep(ctx: LabContext, results?: CheckResult[], shell: Record<string, string | undefined> = {}): Promise<StepState | undefined> {
  const res = results ?? (await runChecks(ctx));
  if (res.length && res.every((r) => r.ok)) return undefined;
  return (await stepStates(ctx, res, shell)).find((s) => !s.done);
}

export async function runChecks(ctx: LabContext): Promise<CheckResult[]> {
  const checker = await ctx.topic.checker();
  throwIfAborted();
  const verdicts = await checker.evaluate(ctx);
  throwIfAborted();
  const results = toResults(verdicts, ctx.lang, (c) => ctx.platform.render(c));
  ctx.lab.keep({
    lastCheck: {
      at: new Date().toISOString(),
      passed: results.filter((r) => r.ok).length,
      failed: results.filter((r) => !r.ok).length,
      results: results.map((r) => ({ id: r.id, ok: r.ok })),
    },
  });
  return results;
}
