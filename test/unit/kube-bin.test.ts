/** Where the local control plane's binaries come from (env, envtest, the versioned cache), and the error without Go. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureKubeBins, findKubeBin, missingKubeBins, VERSIONS } from '../../src/services/kube/bin.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { SHIM_MARKER } from '../../src/vault/binary.ts';
import { cli } from '../helpers.ts';

const saved = { ...process.env };
let dir: string;
const exe = (p: string) => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, '#!/bin/sh\n', { mode: 0o755 });
  return p;
};
const sink = { write: () => undefined };
const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: sink, stderr: sink });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-bin-'));
  process.env.LAB_BIN_CACHE = path.join(dir, 'cache');
  for (const k of ['KUBE_APISERVER_BIN', 'ETCD_BIN', 'KUBECTL_BIN', 'ESO_BIN', 'ESO_CRDS_DIR', 'KUBEBUILDER_ASSETS']) delete process.env[k];
  // No kubectl and no go on this PATH.
  process.env.PATH = path.join(dir, 'empty-path');
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('local Kubernetes binaries', () => {
  it('env first, then KUBEBUILDER_ASSETS, then the cache keyed by version', () => {
    expect(findKubeBin('kube-apiserver')).toBeUndefined();
    const cached = exe(path.join(dir, 'cache', `kube-apiserver-v${VERSIONS.kubernetes}`));
    expect(findKubeBin('kube-apiserver')).toEqual({ path: cached, source: 'cache' });
    const envtest = exe(path.join(dir, 'assets', 'kube-apiserver'));
    process.env.KUBEBUILDER_ASSETS = path.join(dir, 'assets');
    expect(findKubeBin('kube-apiserver')).toEqual({ path: envtest, source: 'envtest' });
    const own = exe(path.join(dir, 'own', 'apiserver'));
    process.env.KUBE_APISERVER_BIN = own;
    expect(findKubeBin('kube-apiserver')).toEqual({ path: own, source: 'env' });
    // A named binary that is not there is missing, not silently replaced by another.
    process.env.KUBE_APISERVER_BIN = path.join(dir, 'nope');
    expect(findKubeBin('kube-apiserver')).toBeUndefined();
  });

  it("the lab's kubectl (the apiserver's version) comes before the learner's; the learner's when the lab has none; never another lab's shim", () => {
    const mine = exe(path.join(dir, 'bin', 'kubectl'));
    const shim = exe(path.join(dir, 'other-lab', 'bin', 'kubectl'));
    fs.writeFileSync(path.join(dir, 'other-lab', 'bin', SHIM_MARKER), '');
    process.env.PATH = [path.dirname(shim), path.join(dir, 'bin')].join(path.delimiter);
    expect(findKubeBin('kubectl')).toEqual({ path: mine, source: 'path' });
    const lab = exe(path.join(dir, 'cache', `kubectl-v${VERSIONS.kubernetes}`));
    expect(findKubeBin('kubectl')).toEqual({ path: lab, source: 'cache' });
  });

  it('doctor names a learner kubectl three minors behind the apiserver, and the 1.31 that kubectl wait --for=create needs', async () => {
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'bin', 'kubectl'), '#!/bin/sh\necho \'{"clientVersion": {"major": "1", "minor": "28"}}\'\n', { mode: 0o755 });
    exe(path.join(dir, 'cache', `kubectl-v${VERSIONS.kubernetes}`));
    process.env.PATH = `${path.join(dir, 'bin')}${path.delimiter}/usr/bin${path.delimiter}/bin`;
    const r = await cli('doctor', 'k8s-auth', '--lang', 'en');
    expect(r.stdout).toMatch(/your kubectl \(.*\) is 1\.28, the lab's API server 1\.35\.\d+: more than one minor apart is unsupported, and the lesson's 'kubectl wait --for=create' needs 1\.31 or later/);
    expect(r.stdout).toMatch(/the lab's kubectl \(.*kubectl-v1\.35/);
    // One minor apart and new enough: nothing to say.
    fs.writeFileSync(path.join(dir, 'bin', 'kubectl'), '#!/bin/sh\necho \'{"clientVersion": {"major": "1", "minor": "34"}}\'\n', { mode: 0o755 });
    expect((await cli('doctor', 'k8s-auth', '--lang', 'en')).stdout).not.toMatch(/your kubectl/);
  });

  it('the operator counts only when asked for', () => {
    expect(missingKubeBins(false)).toEqual(['kube-apiserver', 'etcd', 'kubectl']);
    expect(missingKubeBins(true)).toEqual(['kube-apiserver', 'etcd', 'kubectl', 'external-secrets', 'external-secrets-crds']);
  });

  it('nothing found and no Go: exit 3 naming the alternatives', async () => {
    const e = (await ensureKubeBins(report, false).catch((x: unknown) => x)) as { exitCode: number; message: string; hint: { en: string } };
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('no Go toolchain');
    for (const alt of ['setup.sh --k8s', 'KUBE_APISERVER_BIN', 'KUBEBUILDER_ASSETS', '--platform kind']) expect(e.hint.en).toContain(alt);
  });
});

describe('building what is missing (a stand-in go on PATH: the real build takes ~17 min)', () => {
  it('says what it builds and the expected time up front, shows the script progress, and finds the results', async () => {
    const bin = path.join(dir, 'fakebin');
    const crds = path.join(dir, 'eso-module', 'config', 'crds', 'bases');
    fs.mkdirSync(crds, { recursive: true });
    fs.writeFileSync(path.join(crds, 'external-secrets.io_externalsecrets.yaml'), 'kind: CustomResourceDefinition\n');
    // Just enough of `go` for scripts/build-k8s.sh: module commands succeed, `build -o X` makes an executable X.
    exe(path.join(bin, 'go'));
    fs.writeFileSync(
      path.join(bin, 'go'),
      `#!/bin/sh
case "$1" in
  mod) [ "$2" = download ] && echo '{"GoMod": "/dev/null"}' ;;
  list) echo "${path.join(dir, 'eso-module')}" ;;
  build) while [ $# -gt 0 ]; do [ "$1" = -o ] && { printf '#!/bin/sh\\n' > "$2"; chmod +x "$2"; }; shift; done ;;
esac
exit 0
`,
    );
    process.env.PATH = `${bin}:/usr/bin:/bin`;
    const lines: string[] = [];
    const seen = new Reporter({ lang: 'en', color: false, verbose: false, stdout: sink, stderr: { write: (s: string) => void lines.push(s) } });
    const bins = await ensureKubeBins(seen, true);
    const out = lines.join('');
    // (kubectl is left out of the list when the machine has one on /usr/bin.)
    expect(out).toMatch(/^Building the local Kubernetes binaries from the Go module proxy: kube-apiserver, etcd, .*external-secrets, external-secrets-crds \(once; ~17 min on 2 cores\)/);
    expect(out).toContain('[build-k8s] kube-apiserver and kubectl');
    expect(out).toContain('[build-k8s] External Secrets Operator');
    expect(bins.apiserver).toBe(path.join(dir, 'cache', `kube-apiserver-v${VERSIONS.kubernetes}`));
    expect(fs.existsSync(path.join(bins.esoCrds!, 'external-secrets.io_externalsecrets.yaml'))).toBe(true);
    expect(missingKubeBins(true)).toEqual([]);
  });
});
