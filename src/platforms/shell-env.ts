/** The environment both platforms give the learner's shell (`lab env`) and the commands the lab runs itself. */
import type { LabDir } from '../engine/state.ts';
import type { VaultNodeInfo } from '../engine/types.ts';
import { shellQuote } from '../exec.ts';

/** The lab's token as a 0600 file, so `lab env` can say `$(cat file)` instead of printing the token. */
export function tokenFile(lab: LabDir): string | undefined {
  const token = lab.adminToken();
  if (!token) return undefined;
  if (lab.readSecret('token')?.trim() !== token) lab.writeSecret('token', `${token}\n`);
  return lab.path('token');
}

/** VAULT_* and their BAO_* twins (bao prefers BAO_*), one VAULT_ADDR_<i> per node, and LAB_DIR. */
export function vaultShellEnv(lab: LabDir, nodes: VaultNodeInfo[], caFile: string | undefined): Record<string, string> {
  const env: Record<string, string> = { LAB_DIR: lab.dir };
  const set = (k: string, v: string) => {
    env[`VAULT_${k}`] = v;
    env[`BAO_${k}`] = v;
  };
  set('ADDR', nodes[0]!.addr);
  if (caFile) set('CACERT', caFile);
  const tf = tokenFile(lab);
  if (tf) set('TOKEN', `$(cat ${shellQuote(tf)})`);
  nodes.forEach((n, i) => {
    env[`VAULT_ADDR_${i}`] = n.addr;
  });
  return env;
}

/** The shell environment resolved for the lab's own commands: the token itself, $PATH expanded. */
export function resolvedEnv(lab: LabDir, shell: Record<string, string>): Record<string, string> {
  const { PATH: shellPath, ...env } = shell;
  // The lab's bin folder (its OpenBao, its kubectl) first, as in the learner's shell.
  if (shellPath) env.PATH = shellPath.replace('$PATH', process.env.PATH ?? '');
  const token = lab.adminToken();
  if (token) {
    env.VAULT_TOKEN = token;
    env.BAO_TOKEN = token;
  } else {
    delete env.VAULT_TOKEN;
    delete env.BAO_TOKEN;
  }
  return env;
}
