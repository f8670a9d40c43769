/**
 * `helm upgrade --install … --wait` as the lab runs it (issue 19, defect 5). Killed by the lab's command timeout, helm
 * leaves its release `pending-install` (or pending-upgrade) and every later upgrade is refused with "another operation
 * (install/upgrade/rollback) is in progress". So helm gets its own --timeout below the command's (it then ends by itself
 * and marks the release failed), and a release left pending by an earlier killed helm is recovered first, said aloud.
 */
import { msg, type Msg } from './i18n.ts';
import { run, type RunOptions, type RunResult } from '../exec.ts';

/** The command's timeout; helm's own --timeout stays HELM_MARGIN_MS below it. */
export const HELM_COMMAND_MS = 300_000;
const HELM_MARGIN_MS = 30_000;

export const isHelmInstall = (file: string, args: readonly string[]): boolean => file === 'helm' && args.includes('upgrade') && args.includes('--install');

const valueOf = (args: readonly string[], ...names: string[]): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const n of names) {
      if (a === n) return args[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
};

/** helm's duration (`90s`, `5m`, `1m30s`) in ms; undefined when it is not one. */
export function durationMs(d: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d.trim());
  if (!m || d.trim() === '') return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** The argv with helm's own --timeout below the command's: kept when already below, set or lowered otherwise. */
export function withHelmTimeout(args: readonly string[], commandMs = HELM_COMMAND_MS): string[] {
  if (!args.includes('--wait') && !args.some((a) => a.startsWith('--wait='))) return [...args];
  const limit = commandMs - HELM_MARGIN_MS;
  const given = valueOf(args, '--timeout');
  if (given !== undefined && (durationMs(given) ?? Infinity) <= limit) return [...args];
  const out = args.filter((a, i) => !(a === '--timeout' || a.startsWith('--timeout=') || args[i - 1] === '--timeout'));
  return [...out, '--timeout', `${Math.floor(limit / 1000)}s`];
}

/** Release name, namespace and the global flags (--kube-context) an `upgrade --install` line names. */
export function releaseOf(args: readonly string[]): { release: string; namespace: string | undefined; global: string[] } | undefined {
  const i = args.indexOf('upgrade');
  const withValue = new Set(['--kube-context', '-n', '--namespace', '-f', '--values', '--version', '--timeout', '--set', '--set-string', '--repo', '--kubeconfig']);
  const positional: string[] = [];
  for (let j = i + 1; j < args.length; j++) {
    const a = args[j]!;
    if (withValue.has(a)) j++;
    else if (!a.startsWith('-')) positional.push(a);
  }
  const release = positional[0];
  if (!release) return undefined;
  const ctx = valueOf(args, '--kube-context');
  return { release, namespace: valueOf(args, '-n', '--namespace'), global: ctx ? ['--kube-context', ctx] : [] };
}

type Runner = (file: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

/**
 * Recovers a release an earlier killed helm left pending: a first install that never finished is uninstalled (it
 * deployed nothing), an upgrade or rollback is rolled back to the last deployed revision. Returns what it did.
 */
export async function recoverPending(args: readonly string[], opts: { env?: Record<string, string | undefined>; runner?: Runner } = {}): Promise<Msg | undefined> {
  const r = releaseOf(args);
  if (!r) return undefined;
  const exec = opts.runner ?? run;
  const ns = r.namespace ? ['-n', r.namespace] : [];
  const base = { reject: false, ...(opts.env ? { env: opts.env } : {}) };
  const st = await exec('helm', [...r.global, 'status', r.release, ...ns, '-o', 'json'], base);
  if (st.exitCode !== 0) return undefined;
  let status = '';
  try {
    status = (JSON.parse(st.stdout) as { info?: { status?: string } }).info?.status ?? '';
  } catch {
    return undefined;
  }
  if (!status.startsWith('pending-')) return undefined;
  if (status === 'pending-install') {
    await exec('helm', [...r.global, 'uninstall', r.release, ...ns, '--wait', '--timeout', '60s'], { ...base, reject: true, timeoutMs: 90_000 });
    return msg(
      `helm 릴리스 ${r.release}가 pending-install 상태였습니다 (앞서 helm이 끝나기 전에 중단됨): 지우고 다시 설치합니다.`,
      `the helm release ${r.release} was pending-install (an earlier helm was stopped before it finished): uninstalled, installing again.`,
    );
  }
  await exec('helm', [...r.global, 'rollback', r.release, ...ns, '--wait', '--timeout', '60s'], { ...base, reject: true, timeoutMs: 90_000 });
  return msg(
    `helm 릴리스 ${r.release}가 ${status} 상태였습니다 (앞서 helm이 끝나기 전에 중단됨): 마지막 배포 리비전으로 되돌리고 다시 올립니다.`,
    `the helm release ${r.release} was ${status} (an earlier helm was stopped before it finished): rolled back to its last deployed revision, upgrading again.`,
  );
}
