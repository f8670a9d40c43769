/** The lab's `helm upgrade --install` seam (issue 19, defect 5): helm's own --timeout below the command's; pending releases recovered. */
import { describe, expect, it } from 'vitest';
import { HELM_COMMAND_MS, durationMs, recoverPending, releaseOf, withHelmTimeout } from '../../src/engine/helm.ts';
import type { RunResult } from '../../src/exec.ts';
import { loadAll } from '../../src/engine/catalogue.ts';
import { nonEmpty } from '../non-empty.ts';

const vso = ['--kube-context', 'kind-vault-lab', 'upgrade', '--install', 'vault-secrets-operator', 'hashicorp/vault-secrets-operator', '-n', 'vault-secrets-operator-system', '--create-namespace', '--version', '1.0.1', '--wait'];

describe('helm upgrade --install as the lab runs it', () => {
  it('gets a --timeout of its own below the command timeout, so helm ends first and marks the release failed, never pending', () => {
    const a = withHelmTimeout(vso);
    const t = durationMs(a[a.indexOf('--timeout') + 1]!)!;
    expect(t).toBeLessThan(HELM_COMMAND_MS);
    expect(t).toBeGreaterThan(60_000);
    expect(withHelmTimeout([...vso, '--timeout', '20s'])).toEqual([...vso, '--timeout', '20s']);
    const lowered = withHelmTimeout([...vso, '--timeout=10m']);
    expect(lowered.filter((x) => x.startsWith('--timeout'))).toEqual(['--timeout']);
    expect(withHelmTimeout(vso.filter((x) => x !== '--wait'))).toEqual(vso.filter((x) => x !== '--wait'));
  });
  it('every helm install a lesson shows already carries the --timeout the seam would give it: the line shown is the line run', async () => {
    const installs = (await loadAll()).flatMap((t) => t.steps.flatMap((s) => [...(s.commands ?? []), ...(s.cleanup?.commands ?? [])]).flatMap((c) => (c.kind === 'exec' && c.file === 'helm' && c.args.includes('upgrade') && c.args.includes('--install') ? [c.args] : [])));
    for (const args of nonEmpty(installs)) expect(withHelmTimeout(args)).toEqual(args);
  });
  it('reads the release, namespace and context from the line', () => {
    expect(releaseOf(vso)).toEqual({ release: 'vault-secrets-operator', namespace: 'vault-secrets-operator-system', global: ['--kube-context', 'kind-vault-lab'] });
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('soon')).toBeUndefined();
  });
  it('uninstalls a pending-install release, rolls back a pending-upgrade one, and leaves a deployed or failed one alone', async () => {
    for (const [status, expected] of [['pending-install', 'uninstall'], ['pending-upgrade', 'rollback'], ['deployed', undefined], ['failed', undefined]] as const) {
      const calls: string[] = [];
      const runner = async (file: string, args: readonly string[]): Promise<RunResult> => {
        calls.push(args.join(' '));
        return { command: file, exitCode: 0, stdout: args.includes('status') ? JSON.stringify({ info: { status } }) : '', stderr: '' };
      };
      const said = await recoverPending(vso, { runner });
      expect(calls[0]).toBe('--kube-context kind-vault-lab status vault-secrets-operator -n vault-secrets-operator-system -o json');
      if (expected) {
        expect(calls[1]).toMatch(new RegExp(`^--kube-context kind-vault-lab ${expected} vault-secrets-operator -n vault-secrets-operator-system`));
        expect(said?.en).toContain(status);
      } else {
        expect(calls).toHaveLength(1);
        expect(said).toBeUndefined();
      }
    }
  });
});
