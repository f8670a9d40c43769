/**
 * The learner's shell is part of the lab's state: VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT, KUBECONFIG… exported by
 * `lab env`. Forgetting `eval "$(npx lab env X)"` after switching topics sends every typed command to another lab.
 */
import type { LabContext } from '../engine/types.ts';
import { msg, type Msg } from '../engine/i18n.ts';
import { listLabs, LabDir } from '../engine/state.ts';
import { loadTopic } from '../engine/catalogue.ts';
import { createPlatform } from '../platforms/index.ts';
import { VaultApiError } from '../vault/client.ts';
import { effectiveVar, SHADOWING, VAULT_ENV } from '../vault/env-names.ts';

export type ShellEnv = Record<string, string | undefined>;

export interface ShellIssue {
  /** What is wrong, in one sentence. */
  problem: Msg;
  /** The one line that fixes it. */
  fix: string;
}

/** Names a lab may export; `lab env` records the ones it did in LAB_ENV_VARS so the next one can unset them. */
const LAB_VAR = /^(?:(?:VAULT|BAO)_(?:ADDR(?:_\d+)?|CACERT|TOKEN)|LDAP_[A-Z_]+|MARIADB_[A-Z_]+|LAB_DIR|LAB_KUBE_CONTEXT|LAB_TLS_CERT|KUBECONFIG)$/;

const evalLine = (topic: string) => `eval "$(npx lab env ${topic})"`;

/** Which lab, if any, serves this address (the first lab folder whose nodes list it). */
async function labServing(addr: string, except: string): Promise<string | undefined> {
  for (const id of listLabs()) {
    if (id === except) continue;
    try {
      const lab = new LabDir(id);
      const platform = await createPlatform(lab.record()?.platform ?? 'local', await loadTopic(id), lab);
      if (platform.vaultNodes().some((n) => sameAddr(n.addr, addr))) return id;
    } catch {
      // A lab folder of a topic this version does not know: not the one.
    }
  }
  return undefined;
}

const sameAddr = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

async function tokenAccepted(ctx: LabContext, token: string): Promise<boolean> {
  const a = await ctx.activeVault(null).catch(() => undefined);
  if (!a) return true;
  return ctx
    .vault(a.node, token)
    .read('/auth/token/lookup-self')
    .then(
      () => true,
      (e: unknown) => !(e instanceof VaultApiError && (e.status === 403 || e.status === 401)),
    );
}

/** Compares the learner's shell with what `lab env` gives for this lab. */
export async function shellIssue(ctx: LabContext, env: ShellEnv): Promise<ShellIssue | undefined> {
  const topic = ctx.topic.id;
  const fix = evalLine(topic);
  const nodes = ctx.platform.vaultNodes();
  // What bao would use (an exported BAO_ADDR outranks VAULT_ADDR); `lab env` unsets the twin.
  const addr = effectiveVar(env, VAULT_ENV.addr);
  if (!addr) {
    return {
      problem: msg('이 셸은 아직 랩에 연결되지 않았습니다 (VAULT_ADDR가 비어 있음): 입력한 vault 명령이 이 랩에 닿지 않습니다.', 'this shell is not pointed at the lab (VAULT_ADDR is empty): the vault commands you type do not reach it.'),
      fix,
    };
  }
  // A node's own address, or the one `lab env` gives (it may follow the active node, like the chart's vault-active).
  const given = ctx.platform.shellEnv().VAULT_ADDR;
  if (!nodes.some((n) => sameAddr(n.addr, addr)) && !(given && sameAddr(given, addr))) {
    const other = await labServing(addr, topic);
    return {
      problem: other
        ? msg(`이 셸의 VAULT_ADDR(${addr})는 '${other}' 랩을 가리킵니다: 입력한 명령이 그쪽 Vault에 적용됩니다.`, `this shell's VAULT_ADDR (${addr}) points at the '${other}' lab: what you type goes to that Vault.`)
        : msg(`이 셸의 VAULT_ADDR(${addr})는 이 랩의 주소가 아닙니다.`, `this shell's VAULT_ADDR (${addr}) is not this lab's address.`),
      fix,
    };
  }
  const want = ctx.platform.shellEnv();
  const stale = Object.entries(want)
    .filter(([k, v]) => k !== 'PATH' && !k.startsWith('VAULT_ADDR') && !k.startsWith('BAO_ADDR') && !v.includes('$(') && env[k] !== undefined && env[k] !== v)
    .map(([k]) => k)
    .filter((k) => !k.startsWith('BAO_'));
  const token = ctx.lab.adminToken();
  const shellToken = effectiveVar(env, VAULT_ENV.token);
  // Another token is fine while this Vault accepts it (a learner may log in as someone else); one it refuses is stale.
  if (token && shellToken && shellToken !== token && !(await tokenAccepted(ctx, shellToken))) stale.unshift(VAULT_ENV.token);
  // A BAO_* twin left in the shell outranks what `lab env` exports for bao: only the eval's `unset` clears it.
  for (const k of SHADOWING) if (env[k] !== undefined && !stale.includes(k)) stale.push(k);
  if (want.KUBECONFIG && env.KUBECONFIG !== want.KUBECONFIG && !stale.includes('KUBECONFIG')) stale.push('KUBECONFIG');
  if (!stale.length) return undefined;
  return {
    problem: msg(`이 셸의 변수 ${stale.join(', ')}의 값이 이 랩과 다릅니다 (다른 랩이나 예전 값).`, `this shell's ${stale.join(', ')} differ from this lab's (another lab's or an old value).`),
    fix,
  };
}

/** Names to unset before exporting this lab's environment: what a previous `lab env` left behind. */
export function staleNames(env: ShellEnv, wanted: Record<string, string>): string[] {
  const listed = (env.LAB_ENV_VARS ?? '').split(/\s+/).filter((n) => /^[A-Z_][A-Z0-9_]*$/.test(n));
  const seen = Object.keys(env).filter((k) => LAB_VAR.test(k) && env[k] !== undefined);
  return [...new Set([...listed, ...seen])].filter((k) => !(k in wanted) && k !== 'PATH' && k !== 'LAB_ENV_VARS' && !(k === 'KUBECONFIG' && !listed.includes(k))).sort();
}

/** The first thing to fix: a shell pointed at another lab (or none) makes every typed command miss. */
export async function printShellIssue(ctx: LabContext, env: ShellEnv): Promise<ShellIssue | undefined> {
  const issue = await shellIssue(ctx, env);
  if (!issue) return undefined;
  const r = ctx.report;
  r.out(r.style(`! ${r.t(msg('먼저 셸을 이 랩에 연결하세요', 'First point your shell at this lab'))}`, 'yellow'));
  r.prose(r.t(issue.problem));
  r.out(issue.fix);
  r.out('');
  return issue;
}
