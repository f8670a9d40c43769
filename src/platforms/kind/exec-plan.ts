/**
 * How the kind platform runs the `vault` CLI inside a pod, and how a lesson shows it. Pure functions.
 *
 * Secrets never go on a command line: `kubectl exec` has no way to set an environment variable, and
 * `env VAULT_TOKEN=…` would put the token in kubectl's argv (visible in /proc and in the command trace).
 * So the lab sends every secret (the token, an unseal key, a JWT) on stdin, one per line, ahead of the
 * command's own stdin; a tiny `sh` prelude in the pod reads them into variables and execs vault.
 */
import type { Cmd } from '../../engine/types.ts';
import { shellQuote } from '../../exec.ts';
import { displayArg } from '../display.ts';
import { NAMESPACE, podName } from './config.ts';

/** Commands that work without a token (the seed runs them straight after install). */
export function needsToken(args: readonly string[]): boolean {
  const [a, b] = args;
  if (a === 'status' || a === 'version' || a === 'login') return false;
  if (a === 'operator' && (b === 'init' || b === 'unseal' || b === 'seal-status')) return false;
  if (a === 'operator' && b === 'raft' && args[2] === 'join') return false;
  // A login carries its own credential (auth/kubernetes/login jwt=…).
  if (a === 'write' && /^auth\/.+\/login$/.test(args.find((x, i) => i > 0 && !x.startsWith('-')) ?? '')) return false;
  return true;
}

export interface PodExec {
  file: 'kubectl';
  args: string[];
  input?: string;
}

/**
 * `kubectl exec -i vault-N -n vault -- sh -c '<prelude>; exec vault …'` with secret arguments replaced by
 * "$S<n>" and their values sent first on stdin. `isSecret` says which argument values are secret.
 */
export function podVaultExec(opts: {
  context: string;
  node: number;
  args: readonly string[];
  token?: string | undefined;
  stdin?: string | undefined;
  isSecret: (arg: string) => boolean;
}): PodExec {
  const secrets: string[] = [];
  const words = opts.args.map((a) => {
    if (!opts.isSecret(a)) return shellQuote(a);
    secrets.push(a);
    return `"$S${secrets.length}"`;
  });
  const reads: string[] = [];
  const lines: string[] = [];
  const token = opts.token && needsToken(opts.args) ? opts.token : undefined;
  if (token) {
    reads.push('IFS= read -r VAULT_TOKEN', 'export VAULT_TOKEN');
    lines.push(token);
  }
  secrets.forEach((s, i) => {
    reads.push(`IFS= read -r S${i + 1}`);
    lines.push(s);
  });
  const base = ['--context', opts.context, 'exec', '-i', podName(opts.node), '-n', NAMESPACE, '--'];
  const hasStdin = opts.stdin !== undefined;
  if (!lines.length) {
    const args = hasStdin ? base : base.filter((a) => a !== '-i');
    return { file: 'kubectl', args: [...args, 'vault', ...opts.args], ...(hasStdin ? { input: opts.stdin } : {}) };
  }
  if (lines.some((l) => l.includes('\n'))) throw new Error('a secret argument spans lines');
  const script = `${reads.join('; ')}; exec vault ${words.join(' ')}`;
  return { file: 'kubectl', args: [...base, 'sh', '-c', script], input: `${lines.join('\n')}\n${opts.stdin ?? ''}` };
}

/**
 * A vault command runs inside a pod, where the other nodes are `vault-N.vault-internal` and the lab CA is the
 * mounted secret: node addresses and the CA path the learner's shell knows are rewritten to the in-pod ones.
 */
export const POD_CA = '/vault/userconfig/vault-tls/ca.crt';
export const podAddr = (node: number, scheme = 'https'): string => `${scheme}://${podName(node)}.vault-internal:8200`;
export function inPodArg(arg: string, map: { addrs: string[]; caFile?: string | undefined }): string {
  let out = arg.replace(/\$\{?VAULT_ADDR_(\d+)\}?/g, (_, n: string) => podAddr(Number(n))).replace(/\$\{?VAULT_CACERT\}?/g, POD_CA);
  map.addrs.forEach((a, i) => {
    out = out.split(a).join(podAddr(i, a.startsWith('http:') ? 'http' : 'https'));
  });
  if (map.caFile) out = out.split(map.caFile).join(POD_CA);
  return out;
}

/**
 * The seed's form, for lessons and `lab hint`: `kubectl exec vault-0 -n vault -- vault operator init …`, with the
 * lab's context (`lab env` exports LAB_KUBE_CONTEXT) so a learner's other current context is never hit.
 */
const KUBECTL = 'kubectl --context "$LAB_KUBE_CONTEXT"';
export function renderKind(cmd: Cmd): string {
  const args = (a: string[]) => a.map(displayArg).join(' ');
  switch (cmd.kind) {
    case 'vault': {
      const node = cmd.node ?? 0;
      const i = cmd.stdin !== undefined ? ' -i' : '';
      const env = needsToken(cmd.args) ? 'env VAULT_TOKEN="$VAULT_TOKEN" ' : '';
      let s = `${KUBECTL} exec${i} ${podName(node)} -n ${NAMESPACE} -- ${env}vault ${args(cmd.args.map((a) => inPodArg(a, { addrs: [] })))}`;
      if (cmd.stdout) s += ` > ${displayArg(cmd.stdout)}`;
      if (cmd.stdout && cmd.keep) s = `(set -o noclobber; ${s})`;
      if (cmd.stdin !== undefined) s += ` <<'EOF'\n${cmd.stdin.replace(/\n$/, '')}\nEOF`;
      return s;
    }
    case 'set':
      return `${cmd.export ? 'export ' : ''}${cmd.name}=$(jq -r '${cmd.jq}' ${displayArg(cmd.file)})`;
    case 'exec': {
      let s = `${cmd.file} ${args(cmd.args)}`;
      if (cmd.stdin !== undefined) s += ` <<'EOF'\n${cmd.stdin.replace(/\n$/, '')}\nEOF`;
      return s;
    }
    case 'node':
      if (cmd.action === 'stop') return `kubectl delete pod ${podName(cmd.node)} -n ${NAMESPACE}`;
      return cmd.action === 'kill'
        ? `${KUBECTL} delete pod ${podName(cmd.node)} -n ${NAMESPACE} --grace-period=0 --force`
        : `${KUBECTL} wait pod/${podName(cmd.node)} -n ${NAMESPACE} --for=jsonpath='{.status.phase}'=Running --timeout=180s`;
  }
}
