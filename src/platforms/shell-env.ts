/** The environment both platforms give the learner's shell (`lab env`) and the commands the lab runs itself. */
import type { LabDir } from '../engine/state.ts';
import type { VaultNodeInfo } from '../engine/types.ts';
import fs from 'node:fs';
import path from 'node:path';
import { shellQuote } from '../exec.ts';
import { SHIM_MARKER } from '../vault/binary.ts';
import { nodeAddrVar, VAULT_ENV } from '../vault/env-names.ts';

/** The lab's token as a 0600 file, so `lab env` can say `$(cat file)` instead of printing the token. */
export function tokenFile(lab: LabDir): string | undefined {
  const token = lab.adminToken();
  if (!token) return undefined;
  if (lab.readSecret('token')?.trim() !== token) lab.writeSecret('token', `${token}\n`);
  return lab.path('token');
}

/**
 * VAULT_* only, one VAULT_ADDR_<i> per node, and LAB_DIR. No BAO_* twins: bao reads BAO_TOKEN before VAULT_TOKEN, so
 * an exported BAO_TOKEN would outrank the `VAULT_TOKEN=$T vault …` a lesson teaches (see src/vault/env-names.ts).
 */
export function vaultShellEnv(lab: LabDir, nodes: VaultNodeInfo[], caFile: string | undefined): Record<string, string> {
  const env: Record<string, string> = { LAB_DIR: lab.dir };
  env[VAULT_ENV.addr] = nodes[0]!.addr;
  if (caFile) env[VAULT_ENV.cacert] = caFile;
  const tf = tokenFile(lab);
  if (tf) env[VAULT_ENV.token] = `$(cat ${shellQuote(tf)})`;
  nodes.forEach((n, i) => {
    env[nodeAddrVar(i)] = n.addr;
  });
  return env;
}

/** The shell environment resolved for the lab's own commands: the token itself, $PATH expanded. */
export function resolvedEnv(lab: LabDir, shell: Record<string, string>): Record<string, string> {
  const { PATH: shellPath, ...env } = shell;
  // The lab's bin folder (its OpenBao, its kubectl) first, as in the learner's shell.
  if (shellPath) env.PATH = shellPath.replace('$PATH', process.env.PATH ?? '');
  const token = lab.adminToken();
  if (token) env[VAULT_ENV.token] = token;
  else delete env[VAULT_ENV.token];
  return env;
}

/** Links in a lab's shim folder (`vault`, `bao`, `kubectl` → the files the lab runs), marked as the lab's own. */
export function linkShims(dir: string, links: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  const marker = path.join(dir, SHIM_MARKER);
  if (!fs.existsSync(marker)) fs.writeFileSync(marker, 'made by vault-lab: links to the binaries this lab runs\n');
  for (const [name, target] of Object.entries(links)) {
    const link = path.join(dir, name);
    try {
      if (fs.readlinkSync(link) === target) continue;
    } catch {
      /* absent or not a link */
    }
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
}
