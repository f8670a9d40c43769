/** How commands and names look to the learner, the same on every platform. */
import type { Cmd, VaultSpec } from '../engine/types.ts';
import { shellQuote } from '../exec.ts';

export function nodeName(spec: Pick<VaultSpec, 'name'>, i: number): string {
  return `${spec.name ?? 'vault'}-${i}`;
}

/** Quote for display while keeping $VARS expandable: double quotes when a variable is inside. */
export function displayArg(a: string): string {
  if (/^[\w@%+=:,./-]+$/.test(a)) return a;
  if (a.includes('$') && !/["`\\]/.test(a)) {
    // -address="$VAULT_ADDR_1", password=@"$LAB_DIR/x": quote only the value, as a person would type it.
    const m = /^(-{0,2}[\w.-]+=@?)(.*)$/.exec(a);
    return m && m[2]!.includes('$') && !m[1]!.includes('$') ? `${m[1]}"${m[2]}"` : `"${a}"`;
  }
  return shellQuote(a);
}

/** VAR=$(jq -r '<path>' file), or VAR=$(cat file) for jq '.' on a plain-text secret (a password file). */
export function renderSet(cmd: Extract<Cmd, { kind: 'set' }>): string {
  const value = cmd.jq === '.' && !cmd.file.endsWith('.json') ? `$(cat ${displayArg(cmd.file)})` : `$(jq -r '${cmd.jq}' ${displayArg(cmd.file)})`;
  return `${cmd.export ? 'export ' : ''}${cmd.name}=${value}`;
}

/** A probe asked once a second until it exits 0; its output would repeat every second, so it is dropped. */
export function waitLine(probe: string): string {
  // A loop around a heredoc or a multi-line kubectl cp dance would not be one line a learner can read or paste.
  if (probe.includes('\n')) throw new Error(`a wait's probe must be one line: ${probe}`);
  return `until ${probe} > /dev/null 2>&1; do sleep 1; done`;
}

/** `export NAME="$(line)"`: a line whose output the next lines read from the learner's shell (Cmd `capture`). */
export function captureLine(cmd: Extract<Cmd, { kind: 'vault' | 'exec' }>, line: string): string {
  if (!cmd.capture) return line;
  if (line.includes('\n')) throw new Error(`a captured line must be one line: ${line}`);
  return `export ${cmd.capture}="$(${line})"`;
}
