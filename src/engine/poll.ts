/**
 * Waiting, in one place: the CLI's abort signal (Ctrl-C), an abortable sleep, and `poll`, the one loop that asks
 * "is it so yet?" until a deadline. Core layer: imports nothing of the project, so anything may use it.
 */

/** Ctrl-C: the CLI installs its abort signal here; every wait and command of the lab honours it. */
let abortSignal: AbortSignal | undefined;
export function setAbortSignal(signal: AbortSignal | undefined): void {
  abortSignal = signal;
}
export function currentAbortSignal(): AbortSignal | undefined {
  return abortSignal;
}

export function abortError(): Error {
  const e = new Error('interrupted');
  e.name = 'AbortError';
  return e;
}

export function throwIfAborted(signal: AbortSignal | undefined = abortSignal): void {
  if (signal?.aborted) throw abortError();
}

/** Resolves after ms; rejects with an AbortError the moment the signal (the CLI's by default) aborts. */
export const sleep = (ms: number, signal: AbortSignal | undefined = abortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    throwIfAborted(signal);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** A promise settled by `p`, or rejected with an AbortError as soon as the signal aborts (p keeps running unobserved). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

export interface PollOptions {
  /** How long to keep asking; Infinity waits until the condition holds or the signal aborts. */
  timeoutMs: number;
  /** Pause between two probes (default 100 ms). */
  everyMs?: number;
  /** Default: the CLI's abort signal. An abort rejects at once, even in the middle of a probe. */
  signal?: AbortSignal;
  /** A probe that throws counts as "not yet" (true, the default) or ends the wait with that error (false). */
  ignoreErrors?: boolean;
  /** The probe ends by itself (its own timeout): it is awaited, not cut off at the deadline. */
  probeTimesOut?: boolean;
  /** The pause between probes (default: sleep with the signal); a platform's injected clock, so its fakes need not wait. */
  pause?: (ms: number) => Promise<void>;
}

/**
 * Calls `probe` until it returns true or the deadline passes: resolves true when it held, false at the deadline (the
 * caller says what did not happen). The probe is asked once more at the deadline, so a slow machine's last chance
 * counts.
 */
export async function poll(probe: () => boolean | Promise<boolean>, o: PollOptions): Promise<boolean> {
  return (await pollFor(async () => ((await probe()) ? true : undefined), o)) === true;
}

/**
 * `poll` for a value: calls `probe` until it returns something other than undefined, and resolves with it; undefined at
 * the deadline. The same deadline, pause, abort and error rules as poll.
 */
export async function pollFor<T>(probe: () => T | undefined | Promise<T | undefined>, o: PollOptions): Promise<T | undefined> {
  const signal = o.signal ?? abortSignal;
  const deadline = Date.now() + o.timeoutMs;
  const ask = async (): Promise<T | undefined> => {
    // A probe that never settles (a server that accepts and never answers) must not outlive the deadline: it gets
    // until then, and at least a second for the last look; unless it carries its own timeout (an HTTP request's).
    let timer: NodeJS.Timeout | undefined;
    const late =
      Number.isFinite(deadline) && !o.probeTimesOut
        ? new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), Math.max(deadline - Date.now(), 1000));
            timer.unref();
          })
        : undefined;
    try {
      const asked = Promise.resolve().then(probe);
      return await abortable(late ? Promise.race([asked, late]) : asked, signal);
    } catch (e) {
      if ((e as Error)?.name === 'AbortError' || o.ignoreErrors === false) throw e;
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  for (;;) {
    throwIfAborted(signal);
    const v = await ask();
    if (v !== undefined) return v;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const ms = Math.min(o.everyMs ?? 100, left);
    await (o.pause ? abortable(o.pause(ms), signal) : sleep(ms, signal));
  }
}
