/**
 * Where the local control plane's binaries come from, in this order: KUBE_APISERVER_BIN / ETCD_BIN (and KUBECTL_BIN,
 * ESO_BIN); $KUBEBUILDER_ASSETS (controller-runtime envtest's folder); a cache outside the repository keyed by
 * version; otherwise scripts/build-k8s.sh builds them from the Go module proxy, with progress on the terminal.
 * kubectl: the lab's own (its version, in `lab env`'s PATH), the learner's only when the lab has none.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Reporter } from '../../engine/reporter.ts';
import { LabError, Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { rootDir } from '../../engine/paths.ts';
import { which } from '../../vault/binary.ts';

export const VERSIONS = {
  kubernetes: process.env.LAB_K8S_VERSION ?? '1.35.4',
  etcd: process.env.LAB_ETCD_VERSION ?? '3.6.16',
  eso: process.env.LAB_ESO_VERSION ?? '0.16.2',
};

export type KubeBinName = 'kube-apiserver' | 'etcd' | 'kubectl' | 'external-secrets' | 'external-secrets-crds';

export function binCache(): string {
  return process.env.LAB_BIN_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'vault-lab', 'bin');
}

const ENV: Record<KubeBinName, string> = {
  'kube-apiserver': 'KUBE_APISERVER_BIN',
  etcd: 'ETCD_BIN',
  kubectl: 'KUBECTL_BIN',
  'external-secrets': 'ESO_BIN',
  'external-secrets-crds': 'ESO_CRDS_DIR',
};

const cachedName = (name: KubeBinName): string => {
  const v = name === 'etcd' ? VERSIONS.etcd : name.startsWith('external-secrets') ? VERSIONS.eso : VERSIONS.kubernetes;
  return `${name}-v${v}`;
};

export interface Found {
  path: string;
  /** Which rule found it: env, path, envtest, cache. */
  source: 'env' | 'path' | 'envtest' | 'cache';
}

const usable = (p: string, dir = false): boolean => {
  try {
    const st = fs.statSync(p);
    if (dir) return st.isDirectory();
    fs.accessSync(p, fs.constants.X_OK);
    return st.isFile();
  } catch {
    return false;
  }
};

/** The kubectl on the learner's PATH, never a lab's shim. */
export const learnerKubectl = (): string | undefined => which('kubectl', { skipShims: true });

/** The oldest kubectl the lessons' lines work with: `kubectl wait --for=create` came in 1.31. */
export const KUBECTL_MIN_MINOR = 31;

/** `kubectl version --client` of a binary, as major.minor; undefined when it does not answer. */
export async function kubectlMinor(file: string): Promise<number | undefined> {
  const { run } = await import('../../exec.ts');
  const r = await run(file, ['version', '--client', '-o', 'json'], { reject: false, timeoutMs: 10_000 });
  const m = /"minor":\s*"(\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

export function findKubeBin(name: KubeBinName): Found | undefined {
  const dir = name === 'external-secrets-crds';
  const own = process.env[ENV[name]];
  if (own) return usable(own, dir) ? { path: own, source: 'env' } : undefined;
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && (name === 'kube-apiserver' || name === 'etcd' || name === 'kubectl') && usable(path.join(assets, name))) return { path: path.join(assets, name), source: 'envtest' };
  const cached = path.join(binCache(), cachedName(name));
  if (usable(cached, dir)) return { path: cached, source: 'cache' };
  // The learner's own kubectl only when the lab has none of its version: an older one fails `kubectl version` against
  // this apiserver's skew policy and lacks `kubectl wait --for=create` (1.31+), which the vso lesson uses.
  if (name === 'kubectl') {
    const p = learnerKubectl();
    if (p) return { path: p, source: 'path' };
  }
  return undefined;
}

export interface KubeBins {
  apiserver: string;
  etcd: string;
  kubectl: string;
  eso?: string;
  esoCrds?: string;
}

const CONTROL_PLANE: KubeBinName[] = ['kube-apiserver', 'etcd', 'kubectl'];
const OPERATOR: KubeBinName[] = ['external-secrets', 'external-secrets-crds'];

export function missingKubeBins(eso: boolean): KubeBinName[] {
  return [...CONTROL_PLANE, ...(eso ? OPERATOR : [])].filter((n) => !findKubeBin(n));
}

/** What a build costs the first time on 2 cores with an empty Go module cache (measured here). */
export function buildEstimate(missing: KubeBinName[]): string {
  let min = 0;
  if (missing.includes('kube-apiserver') || missing.includes('kubectl')) min += 9;
  if (missing.includes('etcd')) min += 1;
  if (missing.includes('external-secrets') || missing.includes('external-secrets-crds')) min += 7;
  return `~${min} min`;
}

export const buildScript = (): string => path.join(rootDir, 'scripts', 'build-k8s.sh');

function noGo(missing: KubeBinName[]): LabError {
  return new LabError(msg(`로컬 Kubernetes 제어 평면 바이너리가 없고(${missing.join(', ')}), 빌드할 Go 도구도 없습니다.`, `the local Kubernetes control plane binaries are missing (${missing.join(', ')}) and there is no Go toolchain to build them.`), {
    exitCode: Exit.environment,
    hint: msg(
      `다음 중 하나: Go 1.24 이상 설치(https://go.dev/dl) 뒤 'bash scripts/setup.sh --k8s' · KUBE_APISERVER_BIN, ETCD_BIN으로 바이너리 지정 · KUBEBUILDER_ASSETS(envtest 폴더: setup-envtest use 1.35.x) · 캐시 ${binCache()}에 ${missing.map(cachedName).join(', ')} 두기 · 또는 --platform kind`,
      `One of: install Go >= 1.24 (https://go.dev/dl) then 'bash scripts/setup.sh --k8s' · point KUBE_APISERVER_BIN and ETCD_BIN at binaries · KUBEBUILDER_ASSETS (an envtest folder: setup-envtest use 1.35.x) · put ${missing.map(cachedName).join(', ')} into the cache ${binCache()} · or --platform kind`,
    ),
  });
}

/** Builds what is missing with scripts/build-k8s.sh, showing its progress lines and a heartbeat. */
export async function buildKubeBins(report: Reporter, eso: boolean): Promise<void> {
  const missing = missingKubeBins(eso);
  if (!missing.length) return;
  if (!which('go')) throw noGo(missing);
  report.info(report.t(msg(
    `로컬 Kubernetes 바이너리를 Go 모듈 프록시에서 빌드합니다: ${missing.join(', ')} (처음 한 번, 2코어 기준 ${buildEstimate(missing)}). 결과는 ${binCache()}에 남아 다음부터는 바로 씁니다.`,
    `Building the local Kubernetes binaries from the Go module proxy: ${missing.join(', ')} (once; ${buildEstimate(missing)} on 2 cores). They stay in ${binCache()} for next time.`,
  )));
  const t0 = Date.now();
  const log = path.join(binCache(), 'build.log');
  fs.mkdirSync(binCache(), { recursive: true });
  const out = fs.openSync(log, 'a');
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [buildScript(), ...(eso ? ['--eso'] : [])], { stdio: ['ignore', out, 'pipe'], env: process.env });
    const beat = setInterval(() => report.info(`  … ${Math.round((Date.now() - t0) / 1000)}s (${buildEstimate(missing)}; log ${log})`), 30_000);
    let buf = '';
    child.stderr?.on('data', (d: Buffer) => {
      fs.writeSync(out, d);
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('[build-k8s]')) report.info(`  ${l}`);
    });
    child.on('error', (e) => {
      clearInterval(beat);
      reject(e);
    });
    child.on('close', (c) => {
      clearInterval(beat);
      resolve(c ?? 1);
    });
  });
  fs.closeSync(out);
  if (code !== 0 || missingKubeBins(eso).length) {
    let tail = '';
    try {
      tail = fs.readFileSync(log, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    } catch {
      /* no log */
    }
    throw new LabError(msg(`Kubernetes 바이너리 빌드가 실패했습니다 (exit ${code}).`, `building the Kubernetes binaries failed (exit ${code}).`), {
      exitCode: Exit.environment,
      detail: tail,
      hint: msg(`로그: ${log} · 다시: bash scripts/setup.sh --k8s`, `log: ${log} · retry: bash scripts/setup.sh --k8s`),
    });
  }
  report.info(report.t(msg(`빌드 완료 (${Math.round((Date.now() - t0) / 1000)}초).`, `built in ${Math.round((Date.now() - t0) / 1000)}s.`)));
}

export async function ensureKubeBins(report: Reporter, eso: boolean): Promise<KubeBins> {
  if (missingKubeBins(eso).length) await buildKubeBins(report, eso);
  const get = (n: KubeBinName) => findKubeBin(n)!.path;
  return {
    apiserver: get('kube-apiserver'),
    etcd: get('etcd'),
    kubectl: get('kubectl'),
    ...(eso ? { eso: get('external-secrets'), esoCrds: get('external-secrets-crds') } : {}),
  };
}

/** What `lab doctor` says about a missing Kubernetes binary. */
export const K8S_HINT = msg(
  `bash scripts/setup.sh --k8s (Go 모듈 프록시에서 빌드해 ${binCache()}에 둠) · 또는 KUBE_APISERVER_BIN/ETCD_BIN · KUBEBUILDER_ASSETS`,
  `bash scripts/setup.sh --k8s (built from the Go module proxy into ${binCache()}) · or KUBE_APISERVER_BIN/ETCD_BIN · KUBEBUILDER_ASSETS`,
);

/** A Kubernetes binary as `lab doctor` lists it: its path and how it was found. */
export const kubeBinTool = (name: KubeBinName): { name: string; found: () => string | undefined; hint: typeof K8S_HINT } => ({
  name,
  found: () => {
    const f = findKubeBin(name);
    return f ? `${f.path} (${f.source})` : undefined;
  },
  hint: K8S_HINT,
});
