/** The one wait: poll until a deadline, and Ctrl-C (the abort signal) ends any wait at once. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { poll, pollFor, setAbortSignal } from '../../src/engine/poll.ts';
import { assertPortFree } from '../../src/platforms/ports.ts';

const elapsed = async (p: Promise<unknown>): Promise<{ ms: number; error?: Error; value?: unknown }> => {
  const t0 = Date.now();
  try {
    const value = await p;
    return { ms: Date.now() - t0, value };
  } catch (e) {
    return { ms: Date.now() - t0, error: e as Error };
  }
};

describe('poll', () => {
  afterEach(() => setAbortSignal(undefined));

  it('true as soon as the probe holds; a throwing probe is "not yet"', async () => {
    let n = 0;
    const r = await elapsed(poll(() => {
      n++;
      if (n < 3) throw new Error('not up');
      return n >= 4;
    }, { timeoutMs: 5000, everyMs: 10 }));
    expect(r.value).toBe(true);
    expect(n).toBe(4);
  });

  it('pollFor: the first value the probe returns (what VaultClient retries a refused request with), undefined at the deadline', async () => {
    let n = 0;
    expect(await pollFor(() => (++n < 3 ? undefined : { answer: n }), { timeoutMs: 5000, everyMs: 10 })).toEqual({ answer: 3 });
    expect(await pollFor(() => undefined, { timeoutMs: 50, everyMs: 10 })).toBeUndefined();
    // probeTimesOut: a probe with its own timeout (an HTTP request) is awaited past the deadline, not taken for "not yet".
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('late answer'), 1300));
    expect(await pollFor(slow, { timeoutMs: 0, probeTimesOut: true })).toBe('late answer');
    expect(await pollFor(slow, { timeoutMs: 0 })).toBeUndefined();
  });

  it('false at the deadline, after one last look at it', async () => {
    let n = 0;
    const r = await elapsed(poll(() => (n++, false), { timeoutMs: 200, everyMs: 50 }));
    expect(r.value).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(195);
    expect(r.ms).toBeLessThan(1000);
    expect(n).toBeGreaterThanOrEqual(4);
  });

  it('a probe that never settles ends at the deadline (a server that accepts and never answers)', async () => {
    const r = await elapsed(poll(() => new Promise<boolean>(() => undefined), { timeoutMs: 1200 }));
    expect(r.value).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(1150);
    expect(r.ms).toBeLessThan(2500);
  });

  it('ignoreErrors: false ends the wait with the probe\'s error', async () => {
    const r = await elapsed(poll(() => Promise.reject(new Error('died')), { timeoutMs: 5000, ignoreErrors: false }));
    expect(r.error?.message).toBe('died');
    expect(r.ms).toBeLessThan(500);
  });

  it('an abort ends a wait with no deadline at once, between probes and in the middle of one that never returns', async () => {
    const between = new AbortController();
    setTimeout(() => between.abort(), 100);
    const a = await elapsed(poll(() => false, { timeoutMs: Infinity, everyMs: 10_000, signal: between.signal }));
    expect(a.error?.name).toBe('AbortError');
    expect(a.ms).toBeLessThan(400);

    // The CLI's signal (Ctrl-C) is the default.
    const cli = new AbortController();
    setAbortSignal(cli.signal);
    setTimeout(() => cli.abort(), 100);
    const b = await elapsed(poll(() => new Promise<boolean>(() => undefined), { timeoutMs: Infinity }));
    expect(b.error?.name).toBe('AbortError');
    expect(b.ms).toBeLessThan(400);
  });

  it('Ctrl-C stops the wait for a held port at once (it used to sleep through its grace with a raw setTimeout)', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as net.AddressInfo;
    try {
      const c = new AbortController();
      setAbortSignal(c.signal);
      setTimeout(() => c.abort(), 100);
      const r = await elapsed(assertPortFree(port, 'test'));
      expect(r.error?.name).toBe('AbortError');
      expect(r.ms).toBeLessThan(600);
    } finally {
      srv.close();
    }
  });
});
