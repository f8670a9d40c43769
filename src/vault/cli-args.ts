/**
 * Where a flag goes in a vault/bao command line: after the command path (`operator raft join`), before its arguments.
 * Used to aim one command at one node with -address, which beats both VAULT_ADDR and BAO_ADDR for either binary
 * (bao prefers BAO_ADDR over VAULT_ADDR, so an env prefix alone would silently hit the wrong node).
 */
const GROUPS = new Set(['kv', 'secrets', 'auth', 'policy', 'token', 'audit', 'lease', 'plugin', 'namespace', 'transit', 'pki', 'debug', 'monitor', 'print']);

export function commandDepth(args: readonly string[]): number {
  const [a, b, c] = args;
  if (a === 'operator') {
    if (b === 'raft') return c === 'autopilot' || c === 'snapshot' ? 4 : 3;
    return 2;
  }
  return a !== undefined && GROUPS.has(a) ? 2 : 1;
}

export function withFlag(args: readonly string[], flag: string): string[] {
  const d = Math.min(commandDepth(args), args.length);
  return [...args.slice(0, d), flag, ...args.slice(d)];
}
