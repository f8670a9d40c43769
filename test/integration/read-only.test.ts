/**
 * A read-only command writes nothing in the lab folder (issue 20 item 5), on real OpenBao: the lab folder (names,
 * sizes, mtimes) is the same before and after `lab check`, `hint`, `status`, `info` and `env`. What a check must
 * remember (the Raft term before the failover drill) is still remembered: a learner who stops the active node by hand,
 * having only ever run `lab check`, sees `failover-observed` pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { cli, useTempLabHome } from '../helpers.ts';
import { LabDir } from '../../src/engine/state.ts';
import { sleep } from '../../src/exec.ts';

type Json = { ok: boolean; results: { id: string; ok: boolean }[] };

/** Every file and folder under dir: name → size and mtime. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const f = path.join(e.parentPath, e.name);
    const st = fs.lstatSync(f);
    // Folders' sizes follow their entries; their mtimes change when a file in them does, which the names show.
    out[path.relative(dir, f)] = e.isDirectory() ? 'dir' : `${st.size} ${st.mtimeMs}`;
  }
  return out;
}
/** The lab's own files: logs and the servers' data change by themselves while Vault runs. */
const labFiles = (dir: string) => Object.fromEntries(Object.entries(snapshot(dir)).filter(([k]) => !/^(logs|nodes)\//.test(k) && !/^(logs|nodes)$/.test(k)));

describe('read-only commands on a live lab (real servers)', () => {
  let lab: LabDir;
  beforeAll(() => {
    useTempLabHome();
    lab = new LabDir('ha-failover');
  });
  afterAll(async () => {
    await cli('down', 'ha-failover');
  });

  it('the cluster built step by step; lab check, hint, status, info, env leave the lab folder as it was', { timeout: 240_000 }, async () => {
    expect((await cli('start', 'ha-failover')).code).toBe(0);
    for (const step of ['init', 'unseal-leader', 'join', 'unseal-followers']) expect((await cli('solve', 'ha-failover', step)).code, step).toBe(0);
    // The servers' own files (nodes/, logs/) change as Vault runs; wait until the cluster settles before the snapshot.
    await sleep(2000);
    const before = labFiles(lab.dir);
    const progressBefore = fs.readFileSync(lab.path('progress.json'), 'utf8');
    for (const argv of [['check', 'ha-failover'], ['check', 'ha-failover', '--json'], ['hint', 'ha-failover'], ['status'], ['info', 'ha-failover'], ['env', 'ha-failover']]) {
      const r = await cli(...argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBeLessThanOrEqual(1);
      expect(labFiles(lab.dir), argv.join(' ')).toEqual(before);
    }
    expect(fs.readFileSync(lab.path('progress.json'), 'utf8')).toBe(progressBefore);
    // What the check saw is kept beside the lab folder: the baseline term of the whole cluster.
    expect(fs.existsSync(lab.seenFile())).toBe(true);
    expect(lab.progress().observations.baselineTerm).toEqual(expect.any(Number));
  });

  it('the active node stopped by hand (SIGTERM of its pid): failover-observed passes on the baseline a read-only check kept', { timeout: 120_000 }, async () => {
    const pid = Number(fs.readFileSync(lab.path('logs', 'vault-0.pid'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    let last: Json | undefined;
    for (let i = 0; i < 60; i++) {
      const r = await cli('check', 'ha-failover', '--json');
      last = JSON.parse(r.stdout) as Json;
      if (last.results.find((x) => x.id === 'failover-observed')?.ok) break;
      await sleep(1000);
    }
    expect(last!.results.find((x) => x.id === 'failover-observed')?.ok).toBe(true);
  });

  it('a command that changes the lab folds what read-only commands saw into progress.json, under its lock', { timeout: 240_000 }, async () => {
    expect((await cli('run', 'ha-failover')).code).toBe(0);
    expect(fs.existsSync(lab.seenFile())).toBe(false);
    const stored = JSON.parse(fs.readFileSync(lab.path('progress.json'), 'utf8')) as { observations: { baselineTerm?: number } };
    expect(stored.observations.baselineTerm).toEqual(expect.any(Number));
  });
});
