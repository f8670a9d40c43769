/** Gathering shared by several checkers: per-node health, the lab's token, the active node, mounts. */
import type { LabContext } from '../src/engine/types.ts';
import { VaultApiError } from '../src/vault/client.ts';

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
    const r = await client.read<Record<string, unknown>>('/sys/mounts').catch(() => undefined);
    if (r) {
      const data = (r.data ?? r) as Record<string, { type?: string; options?: { version?: string } | null }>;
      out.mounts = {};
      for (const m of wantMounts) {
        const v = data[`${m}/`];
        if (v?.type) out.mounts[m] = { type: v.type, ...(v.options?.version ? { version: v.options.version } : {}) };
      }
    }
  }
  return out;
}
