/**
 * Ctrl-C at each step of `lab run ha-failover`: the CLI exits 130 promptly, every live process of the lab is
 * one lab.json records (no orphan, no transient `bao operator …` left), and a rerun converges to all-pass.
 * Each run is interrupted one step further than the last, so every rerun also starts from an interrupted state.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootDir } from '../../src/engine/paths.ts';
import { testPortBase } from '../helpers.ts';

const node = path.join(rootDir, 'node_modules', '.bin', 'node');
const bin = path.join(rootDir, 'bin', 'lab.js');
let home: string;
const env = () => ({ LAB_HOME: home, LAB_PORT_BASE: String(testPortBase()), NO_COLOR: '1', LAB_LANG: 'en' });

function labCli(...args: string[]) {
  return execa(node, [bin, ...args], { env: env(), reject: false, cwd: rootDir });
}

/** Live processes that belong to this lab: its folder on the command line, or its LAB_HOME in the environment. */
function labProcesses(): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue; // a zombie is already dead
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const environ = fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      if (cmd.includes(home) || environ.includes(`LAB_HOME=${home}`)) out.push({ pid: Number(d), cmd });
    } catch {
      /* exited while we looked */
    }
  }
  return out;
}

function recordedPids(): Set<number> {
  try {
    const rec = JSON.parse(fs.readFileSync(path.join(home, 'ha-failover', 'lab.json'), 'utf8')) as { processes: Record<string, { pid: number }> };
    return new Set(Object.values(rec.processes).map((p) => p.pid));
  } catch {
    return new Set();
  }
}

async function strays(): Promise<{ pid: number; cmd: string }[]> {
  // Give killed children a moment to be reaped.
  let s: { pid: number; cmd: string }[] = [];
  for (let i = 0; i < 20; i++) {
    const rec = recordedPids();
    s = labProcesses().filter((p) => !rec.has(p.pid) || /\boperator\b/.test(p.cmd));
    if (!s.length) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  return s;
}

describe('Ctrl-C during lab run ha-failover', () => {
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-lab-int-'));
  });
  afterAll(async () => {
    await labCli('down', '--all');
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('exits 130 promptly at every step, leaves no orphan, and a rerun converges', { timeout: 240_000 }, async () => {
    const steps = 9;
    for (let k = 1; k <= steps; k++) {
      const child = execa(node, [bin, 'run', 'ha-failover'], { env: env(), reject: false, cwd: rootDir });
      let err = '';
      let sentAt = 0;
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (!sentAt && err.includes(`[${k}/${steps}]`)) {
          sentAt = Date.now();
          child.kill('SIGINT');
        }
      });
      const r = await child;
      expect(sentAt, `step ${k} never started:\n${err}`).toBeGreaterThan(0);
      const exitMs = Date.now() - sentAt;
      expect(r.exitCode, `step ${k}:\n${err}`).toBe(130);
      expect(exitMs, `step ${k} took ${exitMs} ms to stop`).toBeLessThan(5000);
      expect(err).toContain('interrupted');
      expect(err).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
      expect(await strays(), `after Ctrl-C at step ${k}`).toEqual([]);
    }
    const again = await labCli('run', 'ha-failover');
    expect(again.exitCode, again.stderr).toBe(0);
    const check = await labCli('check', 'ha-failover', '--json');
    expect(check.exitCode, check.stdout).toBe(0);
    expect((JSON.parse(check.stdout) as { ok: boolean }).ok).toBe(true);
    expect(await strays()).toEqual([]);

    const down = await labCli('down', '--all');
    expect(down.exitCode).toBe(0);
    expect(labProcesses()).toEqual([]);
  });
});
