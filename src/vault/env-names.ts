/**
 * The environment variables the `vault` and `bao` CLIs read, in one table. OpenBao reads BAO_<X> before VAULT_<X>
 * (an empty BAO_<X> still wins); HashiCorp Vault reads VAULT_<X> only. The lab exports VAULT_<X> alone and unsets the
 * BAO_<X> twins, so whichever variable a learner sets on a command line (`VAULT_TOKEN=$T vault …`, `BAO_TOKEN=$T bao …`)
 * is the one used.
 */
export const VAULT_ENV = {
  addr: 'VAULT_ADDR',
  token: 'VAULT_TOKEN',
  cacert: 'VAULT_CACERT',
  skipVerify: 'VAULT_SKIP_VERIFY',
  format: 'VAULT_FORMAT',
  logLevel: 'VAULT_LOG_LEVEL',
  bin: 'VAULT_BIN',
} as const;
export type VaultEnvKey = keyof typeof VAULT_ENV;

/** OpenBao's name for a VAULT_* variable. */
export const baoTwin = (name: string): string => name.replace(/^VAULT_/, 'BAO_');

/** The twins bao would prefer over what the lab exports: unset in the learner's shell and in every child the lab starts. */
export const SHADOWING = (['addr', 'token', 'cacert', 'skipVerify'] as const).map((k) => baoTwin(VAULT_ENV[k]));

/** The per-node addresses `lab env` exports (VAULT_ADDR_0…). */
export const nodeAddrVar = (i: number): string => `${VAULT_ENV.addr}_${i}`;

/** What `bao` would use for VAULT_<X> in this environment (BAO_<X> when set at all, even empty); `vault` reads VAULT_<X>. */
export function effectiveVar(env: Record<string, string | undefined>, name: string): string | undefined {
  const twin = env[baoTwin(name)];
  return twin !== undefined ? twin : env[name];
}

/** An env for a child process: the BAO_* twins removed (undefined drops a variable the parent has). */
export function withoutShadowing<T extends Record<string, string | undefined>>(env: T): T & Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const k of SHADOWING) out[k] = undefined;
  return out as T & Record<string, string | undefined>;
}

/** The lab's log level for a server process, for either binary. */
export const serverLogEnv = (level: string): Record<string, string> => ({ [VAULT_ENV.logLevel]: level, [baoTwin(VAULT_ENV.logLevel)]: level });
