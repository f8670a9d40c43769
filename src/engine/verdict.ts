import type { Msg } from './i18n.ts';
import type { Checker, CheckerHandle, Cmd, Verdict } from './types.ts';
import { msg as m } from './i18n.ts';
import { onPlatform } from './applies.ts';

export const pass = (): Verdict => ({ ok: true });
/** `fix`: prose (a note); `fixCmds`: the commands that fix it, rendered per platform where the verdict is shown. */
export const fail = (why: Msg, fix: Msg | undefined, fixCmds?: Cmd[]): Verdict => ({ ok: false, why, ...(fix ? { fix } : {}), ...(fixCmds?.length ? { fixCmds } : {}) });

/** Closes a checker over its own State: the engine gets a handle, tests keep the typed `checks` and `gather`. */
export function defineChecker<S>(c: Checker<S>): Checker<S> & CheckerHandle {
  return {
    gather: c.gather,
    checks: c.checks,
    ...(c.observed ? { observed: c.observed } : {}),
    async evaluate(ctx) {
      const state = await c.gather(ctx);
      // Persisted by the engine, the way this command may (ctx.lab.keep: progress.json under the lock, else beside the lab).
      const observations = c.observed?.(state);
      if (observations) ctx.lab.keep({ observations });
      // A check that names its platforms is judged only there (ESO's on local, VSO's on kind).
      return c.checks.filter((d) => onPlatform(d, ctx.platform)).map((d) => ({ id: d.id, title: d.title, verdict: judgeOne(d.judge, state) }));
    },
  };
}

function judgeOne<S>(judge: (s: S) => Verdict, state: S): Verdict {
  try {
    return judge(state);
  } catch (e) {
    return { ok: false, why: m(`판정 중 오류: ${String(e)}`, `judge error: ${String(e)}`) };
  }
}
