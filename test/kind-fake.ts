/**
 * A FAKE kubectl/helm/kind runner for the kind platform (no kind cluster can run on the build machine): it records
 * every call and answers the few reads the platform makes (clusters, nodes, pods) from the options given.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { KindDeps } from '../src/platforms/kind/kind.ts';
import type { PodExec } from '../src/platforms/kind/exec-plan.ts';
import { daemon, killDaemon, run, type RunOptions, type RunResult } from '../src/exec.ts';
import { findVaultBinary } from '../src/vault/binary.ts';
import { VaultClient } from '../src/vault/client.ts';
import { waitUntil } from '../scenarios/common.ts';
import { testPortBase } from './helpers.ts';

export interface Call {
  file: string;
  args: string[];
  input?: string | undefined;
}

export const nodesJson = (workers: number) =>
  JSON.stringify({
    items: [
      { metadata: { name: 'cp', labels: { 'ingress-ready': 'true' } }, spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      ...Array.from({ length: workers }, (_, i) => ({ metadata: { name: `w${i}` }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } })),
    ],
  });
export const podsJson = (names: string[]) => JSON.stringify({ items: names.map((n) => ({ metadata: { name: n }, status: { phase: 'Running' } })) });

export function fakeDeps(opts: { clusters?: string; workers?: number; pods: string[]; tools?: string[]; env?: Record<string, string> }) {
  const calls: Call[] = [];
  const daemons: string[][] = [];
  const tools = opts.tools ?? ['kind', 'kubectl', 'helm'];
  const fakeRun = async (file: string, args: readonly string[], o: RunOptions = {}): Promise<RunResult> => {
    calls.push({ file, args: [...args], input: o.input });
    const line = [file, ...args].join(' ');
    let stdout = '';
    if (line === 'kind get clusters') stdout = opts.clusters ?? '';
    else if (line.includes('get nodes -o json')) stdout = nodesJson(opts.workers ?? 3);
    else if (line.includes('get pods') && line.includes('-o json')) stdout = podsJson(opts.pods);
    else if (line.includes('--dry-run=client')) stdout = `# rendered by: ${args.slice(2, 5).join(' ')}\n`;
    else if (line === 'kubectl config get-contexts -o name') stdout = 'kind-vault-lab\nmy-cluster\n';
    return { command: line, exitCode: 0, stdout, stderr: '' };
  };
  const deps: Partial<KindDeps> = {
    run: fakeRun,
    which: (n) => (tools.includes(n) ? `/fake/bin/${n}` : undefined),
    daemon: (_f, args) => {
      daemons.push([...args]);
      return 999_999;
    },
    isAlive: () => false,
    kill: async () => undefined,
    reachable: async () => true,
    sleep: async () => undefined,
    env: opts.env ?? {},
  };
  return { calls, daemons, deps };
}
export const lines = (calls: Call[]) => calls.map((c) => [c.file, ...c.args].join(' '));

/**
 * The inside of a pod, for the in-pod `sh` scripts the kind platform sends: a REAL OpenBao dev server and `vault` on
 * PATH. `exec(plan)` runs a podVaultExec plan's command (what follows `--`) here, with its stdin.
 */
export function usePodShell(home: string, portOffset: number, root: string) {
  const port = testPortBase() + portOffset;
  const addr = `http://127.0.0.1:${port}`;
  const bin = path.join(home, `pod-bin-${portOffset}`);
  let pid: number | undefined;
  beforeAll(async () => {
    const b = await findVaultBinary();
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(b.path, path.join(bin, 'vault'));
    pid = daemon(b.path, ['server', '-dev', `-dev-root-token-id=${root}`, `-dev-listen-address=127.0.0.1:${port}`], { logFile: path.join(home, `dev-${portOffset}.log`) });
    await waitUntil('dev server', async () => (await new VaultClient({ addr }).health()).initialized, 20_000);
  });
  afterAll(async () => {
    if (pid) await killDaemon(pid);
  });
  return {
    addr,
    exec: (plan: PodExec) => {
      const argv = plan.args.slice(plan.args.indexOf('--') + 1);
      return run(argv[0]!, argv.slice(1), { env: { PATH: `${bin}:${process.env.PATH}`, VAULT_ADDR: addr, BAO_ADDR: addr, VAULT_TOKEN: '', BAO_TOKEN: '' }, ...(plan.input !== undefined ? { input: plan.input } : {}) });
    },
  };
}
