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
import { captureLine, displayArg, renderSet, waitLine } from '../display.ts';
import { NAMESPACE, POD_AUDIT_LOG, podName } from './names.ts';
import { SERVICES, inCluster, kubeAdapter, type ServiceName } from '../../services/index.ts';

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
 * "$S<n>" and their values sent first on stdin. `isSecret` says which argument values are secret. `exports` are
 * variables the command reads from its environment (VAULT_LDAP_PASSWORD), sent the same way; `files` are lab files
 * the command reads (a snapshot to restore), sent base64 on one line each and decoded in the pod.
 */
export function podVaultExec(opts: {
  context: string;
  node: number;
  args: readonly string[];
  token?: string | undefined;
  stdin?: string | undefined;
  isSecret: (arg: string) => boolean;
  exports?: Record<string, string>;
  files?: { pod: string; content: Buffer }[];
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
  for (const [name, value] of Object.entries(opts.exports ?? {})) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
    reads.push(`IFS= read -r ${name}`, `export ${name}`);
    lines.push(value);
  }
  secrets.forEach((s, i) => {
    reads.push(`IFS= read -r S${i + 1}`);
    lines.push(s);
  });
  (opts.files ?? []).forEach((f, i) => {
    reads.push(`IFS= read -r F${i + 1}`, `printf '%s' "$F${i + 1}" | base64 -d > ${shellQuote(f.pod)}`);
    lines.push(f.content.toString('base64'));
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

/** Lab files a command reads or writes (a Raft snapshot) are copied to and from here in the pod. */
export const POD_FILES = '/tmp';

/**
 * What a vault command's lab-folder paths become in a pod, where the learner's files are not:
 * `k=@<lab>/f` (a password file) is read on the host and sent as `k=-` (the learner's line) or a secret (the lab's
 * run); `<lab>/audit.log` is the chart's audit volume; any other `<lab>/f` is copied into the pod's /tmp before the
 * command, or out of it after `snapshot save`.
 */
export interface PodFiles {
  args: string[];
  /** Index of the `k=@file` argument and the host file, at most one (it becomes stdin in the learner's line). */
  valueFile?: { index: number; key: string; host: string };
  copyIn: { host: string; pod: string }[];
  copyOut: { host: string; pod: string }[];
}

export function podFiles(args: readonly string[], labDir: string): PodFiles {
  const prefix = `${labDir}/`;
  const out: PodFiles = { args: [], copyIn: [], copyOut: [] };
  const saving = args.includes('snapshot') && args.includes('save');
  args.forEach((a, index) => {
    const at = /^([^=@-][^=]*)=@(.+)$/.exec(a);
    if (at && at[2]!.startsWith(prefix) && !out.valueFile) {
      out.valueFile = { index, key: at[1]!, host: at[2]! };
      out.args.push(`${at[1]}=-`);
      return;
    }
    let v = a.split(`${prefix}audit.log`).join(POD_AUDIT_LOG);
    if (v.startsWith(prefix) && !v.slice(prefix.length).includes('/')) {
      const pod = `${POD_FILES}/${v.slice(prefix.length)}`;
      (saving ? out.copyOut : out.copyIn).push({ host: v, pod });
      v = pod;
    }
    out.args.push(v);
  });
  return out;
}

/**
 * A vault command runs inside a pod, where the other nodes are `vault-N.vault-internal` and the lab CA is the
 * mounted secret: node addresses and the CA path the learner's shell knows are rewritten to the in-pod ones.
 */
export const POD_CA = '/vault/userconfig/vault-tls/ca.crt';
export const podAddr = (node: number, scheme = 'https'): string => `${scheme}://${podName(node)}.vault-internal:8200`;
/** How a learner's line names each service (`$LDAP_URL`, `127.0.0.1:$MARIADB_PORT`) → its in-cluster address. */
const LEARNER_FORMS = (Object.keys(SERVICES) as ServiceName[]).flatMap((n) => {
  const k = kubeAdapter(n);
  return k ? k.learnerForms.map((form) => ({ form, to: inCluster(k, NAMESPACE) })) : [];
});
/** `services`: each service's address as the learner's shell reaches it (its port-forward) → as Vault in a pod does. */
export function inPodArg(arg: string, map: { addrs: string[]; caFile?: string | undefined; services?: { from: string; to: string }[] }): string {
  let out = arg.replace(/\$\{?VAULT_ADDR_(\d+)\}?/g, (_, n: string) => podAddr(Number(n))).replace(/\$\{?VAULT_CACERT\}?/g, POD_CA);
  for (const { form, to } of LEARNER_FORMS) out = out.replace(form, to);
  map.addrs.forEach((a, i) => {
    out = out.split(a).join(podAddr(i, a.startsWith('http:') ? 'http' : 'https'));
  });
  if (map.caFile) out = out.split(map.caFile).join(POD_CA);
  for (const s of map.services ?? []) out = out.split(s.from).join(s.to);
  return out;
}

/**
 * The seed's form, for lessons and `lab hint`: `kubectl exec vault-0 -n vault -- vault operator init …`, with the
 * lab's context (`lab env` exports LAB_KUBE_CONTEXT) so a learner's other current context is never hit.
 */
const KUBECTL = 'kubectl --context "$LAB_KUBE_CONTEXT"';
/** The learner's shell variables a command's arguments name ($VAULT_UNSEAL_KEY, secret_id=$SECRET_ID …). */
export function argVars(args: readonly string[]): string[] {
  return [...new Set(args.flatMap((a) => [...a.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]!)))].filter((v) => v !== 'LAB_DIR');
}
/**
 * How the lab's cluster names its leader: Vault's Kubernetes service registration labels the active pod
 * `vault-active=true`; OpenBao (the image the lab builds where no registry serves Vault's) writes `openbao-active=true`,
 * and the chart's vault-active Service, which selects vault-active, then has no endpoint.
 */
export interface KindRenderOptions {
  activeLabel?: 'vault-active' | 'openbao-active';
}

export function renderKind(cmd: Cmd, o: KindRenderOptions = {}): string {
  const activeLabel = o.activeLabel ?? 'vault-active';
  const args = (a: string[]) => a.map(displayArg).join(' ');
  switch (cmd.kind) {
    case 'vault': {
      // 'active': the pod whose server labels itself active (the selector of the chart's vault-active Service).
      const pod = cmd.node === 'active' ? `"$(${KUBECTL} get pod -n ${NAMESPACE} -l ${activeLabel}=true -o name)"` : podName(cmd.node ?? 0);
      const files = podFiles(cmd.args.map((a) => inPodArg(a, { addrs: [] })), '$LAB_DIR');
      const valueFile = cmd.stdin === undefined && !cmd.stdinVar ? files.valueFile : undefined;
      // The token, unseal keys, passwords: the learner's shell sends them on stdin, never as kubectl's argv (issue 19
      // defect 10); in the pod `read` puts them back into variables of the same names. A token the line sets itself
      // (`tokenVar`) travels as VAULT_TOKEN; a value for `key=-` (`stdinVar`) follows the variables on stdin.
      const from = (v: string) => (v === 'VAULT_TOKEN' && cmd.tokenVar ? cmd.tokenVar : v);
      const vars = [...new Set([...(cmd.tokenVar || needsToken(cmd.args) ? ['VAULT_TOKEN'] : []), ...(cmd.env ?? []), ...argVars(files.args)])];
      const i = cmd.stdin !== undefined || cmd.stdinVar || cmd.pipeFrom || valueFile || vars.length ? ' -i' : '';
      let feed = cmd.pipeFrom && !vars.length ? `${cmd.pipeFrom} | ` : '';
      let vault = `vault ${args(files.args)}`;
      if (vars.length) {
        const printf = `printf '%s\\n' ${[...vars.map(from), ...(cmd.stdinVar ? [cmd.stdinVar] : [])].map((v) => `"$${v}"`).join(' ')}`;
        feed = valueFile ? `{ ${printf}; cat ${displayArg(valueFile.host)}; } | ` : cmd.stdin !== undefined ? `{ ${printf}; cat; } <<'EOF' | ` : cmd.pipeFrom ? `{ ${printf}; ${cmd.pipeFrom}; } | ` : `${printf} | `;
        vault = `sh -c ${shellQuote(`${vars.map((v) => `IFS= read -r ${v}`).join('; ')}; export ${vars.join(' ')}; exec ${vault}`)}`;
      }
      let s = `${feed}${KUBECTL} exec${i} ${pod} -n ${NAMESPACE} -- ${vault}`;
      if (cmd.stdinVar && !vars.length) s += ` <<< "$${cmd.stdinVar}"`;
      if (cmd.stdout) s += ` > ${displayArg(cmd.stdout)}`;
      if (valueFile && !vars.length) s += ` < ${displayArg(valueFile.host)}`;
      if (cmd.stdout && cmd.keep) s = `(set -o noclobber; ${s})`;
      if (cmd.stdin !== undefined) s += `${vars.length ? '' : " <<'EOF'"}\n${cmd.stdin.replace(/\n$/, '')}\nEOF`;
      const cp = (from: string, to: string) => `${KUBECTL} cp ${from} ${to}`;
      const before = files.copyIn.map((f) => cp(displayArg(f.host), `${NAMESPACE}/${pod}:${f.pod}`));
      const after = files.copyOut.map((f) => cp(`${NAMESPACE}/${pod}:${f.pod}`, displayArg(f.host)));
      return captureLine(cmd, [...before, [s, ...after].join(' && ')].join('\n'));
    }
    case 'set':
      return renderSet(cmd);
    case 'exec': {
      let s = `${cmd.file} ${args(cmd.args)}`;
      // As on local: the lab substitutes $VARS in an exec's stdin, an unquoted heredoc makes the learner's shell do the
      // same (vso's SecretStore names $ESO_VAULT_ADDR; a quoted one sent the literal text, seen on real kind).
      const eof = cmd.stdin !== undefined && /\$\{?\w/.test(cmd.stdin) ? 'EOF' : "'EOF'";
      if (cmd.stdin !== undefined) s += ` <<${eof}\n${cmd.stdin.replace(/\n$/, '')}\nEOF`;
      if (cmd.stdinLine !== undefined) s += ` <<< "${cmd.stdinLine}"`;
      if (cmd.pipeFrom) s = `${cmd.pipeFrom} | ${s}`;
      return captureLine(cmd, s);
    }
    case 'node':
      if (cmd.node === 'active') {
        // The leader's pod carries the active label (service_registration "kubernetes"); a start has no leader to name.
        if (cmd.action === 'start') throw new Error("node 'active' cannot be started: name the node");
        return `${KUBECTL} delete pod -l ${activeLabel}=true -n ${NAMESPACE}${cmd.action === 'kill' ? ' --grace-period=0 --force' : ''}`;
      }
      if (cmd.action === 'stop') return `${KUBECTL} delete pod ${podName(cmd.node)} -n ${NAMESPACE}`;
      if (cmd.action === 'kill') return `${KUBECTL} delete pod ${podName(cmd.node)} -n ${NAMESPACE} --grace-period=0 --force`;
      // After a delete the StatefulSet makes the pod anew: wait until it exists, runs, and its Vault answers
      // (`vault status` exits 2 while sealed, 1 while nothing listens; issue 19 defect 7).
      return [
        `${KUBECTL} wait --for=create pod/${podName(cmd.node)} -n ${NAMESPACE} --timeout=180s`,
        `${KUBECTL} wait pod/${podName(cmd.node)} -n ${NAMESPACE} --for=jsonpath='{.status.phase}'=Running --timeout=180s`,
        `until ${KUBECTL} exec ${podName(cmd.node)} -n ${NAMESPACE} -- vault status > /dev/null 2>&1; [ $? -ne 1 ]; do sleep 1; done`,
      ].join(' && \\\n  ');
    case 'wait':
      return waitLine(renderKind(cmd.probe, o));
  }
}
