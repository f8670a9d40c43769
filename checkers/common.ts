/** Gathering shared by several checkers: per-node health, the lab's token, the active node, mounts. */
import type { Cmd, LabContext, PlatformName, Verdict } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { fail } from '../src/engine/verdict.ts';
import { VaultApiError } from '../src/vault/client.ts';

/** A fix's `vault …` line as data (Verdict.fixCmds): rendered where the learner is (kubectl exec on kind). */
export const vaultLine = (...args: string[]): Cmd => ({ kind: 'vault', args });

/** A fix's kubectl line, with the lab's context (local rendering drops it: its kubeconfig has only the lab's). */
export const kubectlLine = (...args: string[]): Cmd => ({ kind: 'exec', file: 'kubectl', args: ['--context', '$LAB_KUBE_CONTEXT', ...args] });

export interface NodeState {
  name: string;
  reachable: boolean;
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
}

export interface VaultBasics {
  nodes: NodeState[];
  keysFile: boolean;
  /** Index of the node that answers as active, if any. */
  active: number | undefined;
  tokenValid: boolean;
  mounts: Record<string, { type: string; version?: string }> | undefined;
}

export async function gatherNodes(ctx: LabContext): Promise<NodeState[]> {
  return Promise.all(
    ctx.platform.vaultNodes().map(async (n, i) => {
      const h = await ctx.vault(i, null).health().catch(() => undefined);
      return { name: n.name, reachable: h !== undefined, initialized: h?.initialized ?? false, sealed: h?.sealed ?? true, standby: h?.standby ?? false };
    }),
  );
}

export async function gatherVaultBasics(ctx: LabContext, wantMounts: string[] = []): Promise<VaultBasics> {
  const nodes = await gatherNodes(ctx);
  const keysFile = ctx.lab.clusterKeys() !== undefined;
  const active = nodes.findIndex((n) => n.reachable && n.initialized && !n.sealed && !n.standby);
  const out: VaultBasics = { nodes, keysFile, active: active < 0 ? undefined : active, tokenValid: false, mounts: undefined };
  if (out.active === undefined || !ctx.lab.adminToken()) return out;
  const client = ctx.vault(out.active);
  try {
    await client.read('/auth/token/lookup-self');
    out.tokenValid = true;
  } catch (e) {
    if (!(e instanceof VaultApiError)) throw e;
    return out;
  }
  if (wantMounts.length) {
    const data = await client.mounts().catch(() => undefined);
    if (data) {
      out.mounts = {};
      for (const m of wantMounts) {
        const v = data[`${m}/`];
        if (v?.type) out.mounts[m] = { type: v.type, ...(v.options?.version ? { version: v.options.version } : {}) };
      }
    }
  }
  return out;
}

/** The Kubernetes API could not be read: on local the lab's own apiserver is down, on kind the context is wrong. */
export function kubeUnreachable(topic: string, s: { kubeError?: string | undefined; platform?: PlatformName | undefined }): Verdict | undefined {
  if (!s.kubeError) return undefined;
  // A lab folder removed under a running watch (lab reset): its kubeconfig is gone, say that in words.
  const gone = /ENOENT.*kubeconfig/.test(s.kubeError);
  return fail(
    gone
      ? msg('랩의 kubeconfig가 없습니다: 랩을 지웠거나(lab reset) 아직 시작하지 않았습니다.', "the lab's kubeconfig is missing: the lab was reset or not started yet.")
      : msg(`Kubernetes API를 읽을 수 없습니다: ${s.kubeError}`, `cannot read the Kubernetes API: ${s.kubeError}`),
    s.platform === 'local'
      ? msg(`'npx lab status ${topic}'로 kube-apiserver와 etcd가 떠 있는지 보고, 꺼져 있으면 'npx lab start ${topic}' 하세요.`, `Check kube-apiserver and etcd are up with 'npx lab status ${topic}'; if not, 'npx lab start ${topic}'.`)
      : msg('클러스터에 닿는지 확인하세요:', 'Check cluster access:'),
    s.platform === 'local' ? undefined : [kubectlLine('get', 'ns')],
  );
}
