/** The per-lab lock (engine/lock.ts) on a real folder, and typed step errors from the runner. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLabLock, LOCK_FILE, lockedByOther, releaseAllLocks, type LockInfo } from '../../src/engine/lock.ts';
import { LabError } from '../../src/engine/errors.ts';
import type { Msg } from '../../src/engine/i18n.ts';
import { runSteps } from '../../src/engine/runner.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import type { LabContext, Topic } from '../../src/engine/types.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-lab-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  releaseAllLocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const writeLock = (dir: string, l: LockInfo) => fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(l));

describe('lab lock', () => {
  it('is held by this process while it runs, released after, and re-entrant', async () => {
    const dir = tmp();
    const said: Msg[] = [];
    await acquireLabLock(dir, { command: 'lab run x', wait: false, say: (m) => said.push(m) });
    await acquireLabLock(dir, { command: 'lab solve x', wait: false, say: (m) => said.push(m) });
    const l = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockInfo;
    expect(l).toMatchObject({ pid: process.pid, command: 'lab run x' });
    expect(said).toEqual([]);
    releaseAllLocks();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('a live holder: --no-wait refuses with exit 3 naming it; waiting says so once and gets the lock when it ends', async () => {
    const dir = tmp();
    const holder = spawn('sleep', ['30']);
    writeLock(dir, { pid: holder.pid!, command: 'lab run ha-failover', at: 'x' });
    const e = await acquireLabLock(dir, { command: 'lab node x', wait: false, say: () => undefined }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).exitCode).toBe(3);
    expect((e as LabError).text.en).toContain(`\`lab run ha-failover\` (pid ${holder.pid})`);
    const said: Msg[] = [];
    const waiting = acquireLabLock(dir, { command: 'lab node x', wait: true, say: (m) => said.push(m), pollMs: 20 });
    await new Promise((r) => setTimeout(r, 200));
    expect(said.map((m) => m.en)).toEqual([`waiting for \`lab run ha-failover\` (pid ${holder.pid}), which is changing this lab (Ctrl-C to stop) …`]);
    expect(lockedByOther(dir)).toMatchObject({ pid: holder.pid, command: 'lab run ha-failover' });
    holder.kill('SIGKILL');
    await waiting;
    expect(lockedByOther(dir)).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, command: 'lab node x' });
  });

  it('a stale lock is taken over and said so: a dead pid, or a live pid that is another process (its start time differs)', async () => {
    for (const stale of [{ pid: 2 ** 22 + 17, command: 'lab run a', at: 'y' }, { pid: process.pid, command: 'lab run b', at: 'z', start: '1' }]) {
      const dir = tmp();
      writeLock(dir, stale);
      const said: Msg[] = [];
      await acquireLabLock(dir, { command: 'lab run c', wait: false, say: (m) => said.push(m) });
      expect(said[0]!.en).toContain(`stale lock from \`${stale.command}\` (pid ${stale.pid}`);
      releaseAllLocks();
    }
  });
});

describe('runner', () => {
  it('a step failing on a plain error (a Vault API answer) ends as a typed error naming the step and what to run', async () => {
    const sink = { write: () => undefined };
    const topic = { id: 't', steps: [{ id: 'boom', kind: 'setup', title: { ko: 'b', en: 'b' }, task: { ko: '', en: '' }, solve: () => Promise.reject(new Error('failed to get raft challenge')) }] } as unknown as Topic;
    const ctx = { topic, platform: { name: 'local' }, report: new Reporter({ lang: 'en', color: false, verbose: false, stdout: sink, stderr: sink }) } as unknown as LabContext;
    const e = await runSteps(ctx, 'run').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).exitCode).toBe(3);
    expect((e as LabError).text.en).toBe("step 'boom' failed: failed to get raft challenge");
    expect((e as LabError).hint?.en).toContain("'npx lab hint t boom'");
  });
});
