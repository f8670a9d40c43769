/** Building blocks several scenarios share: the seed's init / unseal / kv commands as data. */
import type { Cmd, LabContext, Step } from '../src/engine/types.ts';
import { msg, type Msg } from '../src/engine/i18n.ts';
import { VaultApiError } from '../src/vault/client.ts';
import { poll } from '../src/engine/poll.ts';
import { LabError } from '../src/engine/errors.ts';
import { clusterInitialized, Keeper, keptFiles } from '../src/engine/keep.ts';

export const KEYS_FILE = '$LAB_DIR/cluster-keys.json';

export const initCmd = (shares: number, threshold: number, node = 0): Cmd => ({
  kind: 'vault',
  node,
  args: ['operator', 'init', `-key-shares=${shares}`, `-key-threshold=${threshold}`, '-format=json'],
  stdout: KEYS_FILE,
  keep: true,
  note: msg(
    '출력에는 unseal 키와 root 토큰이 있습니다. noclobber는 이미 있는 파일을 `>`로 덮어쓰지 못하게 합니다 (init을 두 번 하면 키를 잃습니다).',
    'The output holds the unseal keys and the root token. noclobber stops > from overwriting an existing file (a second init would lose the keys).',
  ),
});

export const unsealKeyVars = (n: number): Cmd[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'set', name: n === 1 ? 'VAULT_UNSEAL_KEY' : `VAULT_UNSEAL_KEY_${i + 1}`, file: KEYS_FILE, jq: `.unseal_keys_b64[${i}]` }));

/**
 * `vault write sys/unseal key=-` with the key on stdin: the note's `vault operator unseal $KEY` puts the key in the
 * process's argv, which every user of a shared host can read (ps, /proc). `vault operator unseal` with no argument
 * prompts instead, but only at a terminal; this line also runs unattended (`lab run`, a pasted block).
 */
export const unsealCmds = (n: number, node = 0): Cmd[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'vault', node, args: ['write', 'sys/unseal', 'key=-'], stdinVar: n === 1 ? 'VAULT_UNSEAL_KEY' : `VAULT_UNSEAL_KEY_${i + 1}` }));

export const rootTokenCmd: Cmd = { kind: 'set', name: 'VAULT_TOKEN', file: KEYS_FILE, jq: '.root_token', export: true };

export const setupStep = (id: string, title = msg('실습 서버 띄우기', 'Start the lab servers')): Step => ({
  id,
  kind: 'setup',
  title,
  task: msg('랩이 서버를 준비합니다.', 'The lab prepares the servers.'),
  solve: (ctx) => ctx.platform.up(ctx.topic.needs, ctx.report),
});

export async function health(ctx: LabContext, node = 0) {
  return ctx.vault(node, null).health().catch(() => undefined);
}

/**
 * Init is done when the cluster says so — any node answers initialised — not when one node is up: after the drill
 * vault-0 may be dead while the cluster lives on. With every node down, the lab's copy of the keys tells.
 */
export async function initDone(ctx: LabContext): Promise<boolean> {
  const initialized = await clusterInitialized(ctx);
  if (initialized !== undefined) return initialized;
  return keptFiles(ctx.topic).some((f) => f.init && new Keeper(ctx.lab).latest(f.name) !== undefined);
}

export async function mountType(ctx: LabContext, mount: string): Promise<{ type: string; version?: string } | undefined> {
  const active = await ctx.activeVault();
  if (!active) return undefined;
  try {
    const m = (await active.client.mounts())[`${mount}/`];
    return m ? { type: m.type, ...(m.options?.version ? { version: m.options.version } : {}) } : undefined;
  } catch (e) {
    if (e instanceof VaultApiError) return undefined;
    throw e;
  }
}

export async function waitUntil(what: string | Msg, fn: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  if (await poll(fn, { timeoutMs, everyMs })) return;
  const w = typeof what === 'string' ? msg(what, what) : what;
  throw new LabError(msg(`${timeoutMs / 1000}초 동안 기다렸지만 되지 않았습니다: ${w.ko}`, `timed out after ${timeoutMs / 1000}s waiting for ${w.en}`), {
    hint: msg("'npx lab status'와 'npx lab info <topic>'의 로그를 확인하세요.", "Look at 'npx lab status' and the logs listed by 'npx lab info <topic>'."),
  });
}
