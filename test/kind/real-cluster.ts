/**
 * What every real-kind test file shares: the machine's kind toolchain (test/setup.ts hides it from every other test),
 * the chart, why the files are skipped, the cluster's context, and the machine-wide lock that lets one file at a time
 * drive the cluster (every checkout on a machine drives the same cluster and its namespace `vault`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { cli, useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { applyToolchain } from '../../src/platforms/kind/toolchain.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { CLUSTER_NAME, DEFAULT_CONTEXT } from '../../src/platforms/kind/names.ts';

const saved = { PATH: process.env.PATH, DOCKER_HOST: process.env.DOCKER_HOST, LAB_CACHE_DIR: process.env.LAB_CACHE_DIR };
process.env.LAB_CACHE_DIR = process.env.LAB_KIND_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vault-lab');
export const tc = applyToolchain(process.env);
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

export const chart = process.env.LAB_VAULT_CHART || [path.join(rootDir, '..', 'shared', 'charts', 'vault-0.31.0.tgz'), '/work/shared/charts/vault-0.31.0.tgz'].find((f) => fs.existsSync(f));
const has = (bin: string) => (process.env.PATH ?? '').split(':').some((d) => fs.existsSync(path.join(d, bin)));
const dockerUp = has('docker') && !!tc.nodeImage;
export const skip = !has('kind') || !has('kubectl') || !has('helm') ? 'kind, kubectl or helm missing (bash scripts/setup.sh --kind)' : !dockerUp ? 'no node image built (bash scripts/setup.sh --kind)' : !chart ? 'no vault chart (LAB_VAULT_CHART)' : '';
if (skip) console.log(`[kind tests skipped] ${skip}`);

export const CTX = DEFAULT_CONTEXT;
export const kubectl = (...args: string[]) => run('kubectl', ['--context', CTX, ...args], { reject: false, timeoutMs: 120_000 });
export const lab = async (...argv: string[]) => {
  const t = Date.now();
  const r = await cli(...argv);
  return { ...r, secs: (Date.now() - t) / 1000 };
};
export const passed = (r: { code: number; stdout: string; stderr: string }) => expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

/**
 * Holds the cluster's lock from beforeAll to the end of the file: call first inside the describe, so the afterAll it
 * registers runs last (hooks unwind as a stack) and the lock outlives the file's own `lab down`.
 */
export function holdClusterLock(): void {
  let lock: ChildProcess | undefined;
  beforeAll(async () => {
    const file = path.join(process.env.LAB_CACHE_DIR!, 'kind', CLUSTER_NAME === 'vault-lab' ? '.cluster-tests.lock' : `.cluster-tests-${CLUSTER_NAME}.lock`);
    // Its own process group, so afterAll ends flock and its waiting shell together (the lock goes with them); a test
    // process killed before afterAll (a CI timeout, Ctrl-C) frees it too, within 5 s: the shell watches this pid.
    lock = spawn('flock', ['-w', '1500', file, '-c', `echo locked; while kill -0 ${process.pid} 2>/dev/null; do sleep 5; done`], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    const held = await new Promise<boolean>((res) => {
      lock!.stdout!.once('data', () => res(true));
      lock!.once('exit', () => res(false));
    });
    if (!held) throw new Error(`another run of the real-cluster tests held ${file} for 25 min`);
  }, 1_560_000);
  afterAll(() => {
    if (lock?.pid) process.kill(-lock.pid, 'SIGTERM');
  });
}

/**
 * A real-cluster test file's frame: the cluster's lock for the whole file, a lab home of its own (`prefix`), the chart,
 * the lab's own cluster (no learner context), and `lab down` of every topic it may have started, before the lock goes.
 */
export function useRealClusterLab(prefix: string, topics: readonly string[]): void {
  holdClusterLock();
  beforeAll(() => {
    useTempLabHome(prefix);
    process.env.LAB_VAULT_CHART = chart!;
    delete process.env.LAB_KUBE_CONTEXT;
  });
  afterAll(async () => {
    for (const t of topics) await cli('down', t).catch(() => undefined);
  });
}
