import fs from 'node:fs';
import path from 'node:path';
import { toolsDir } from '../engine/paths.ts';
import { envError } from '../engine/errors.ts';
import { msg } from '../engine/i18n.ts';
import { run } from '../exec.ts';
import { baoTwin, VAULT_ENV } from './env-names.ts';

export type Flavor = 'vault' | 'bao';
export interface VaultBinary {
  path: string;
  flavor: Flavor;
  version: string;
}

/** A lab's shim folder (.lab/<topic>/bin) holds this file: it is never the learner's own binary. */
export const SHIM_MARKER = '.vault-lab-shims';

/** Made by a lab (marker file, or a `bin` folder of a lab home): links to the lab's choice, not a binary of the learner's. */
export function isShimDir(dir: string): boolean {
  if (fs.existsSync(path.join(dir, SHIM_MARKER))) return true;
  // Shim folders made before the marker existed.
  return path.basename(dir) === 'bin' && fs.existsSync(path.join(dir, '..', 'lab.json'));
}

export function which(name: string, o: { skipShims?: boolean } = {}): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || (o.skipShims && isShimDir(dir))) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

const flavorOf = (p: string): Flavor => (path.basename(p).startsWith('bao') || path.basename(p) === 'openbao' ? 'bao' : 'vault');

/**
 * Candidates in order: VAULT_BIN, BAO_BIN, `vault` then `bao` on PATH, the OpenBao that scripts/setup.sh installs.
 * A lab's shim folder on PATH (a shell still connected to another lab) is skipped: adopting it would make this lab's
 * `vault` a link into a folder that `lab reset` of the other lab removes.
 */
export function vaultCandidates(): string[] {
  const out: string[] = [];
  for (const v of [process.env[VAULT_ENV.bin], process.env[baoTwin(VAULT_ENV.bin)]]) if (v) out.push(v);
  for (const n of ['vault', 'bao']) {
    const p = which(n, { skipShims: true });
    if (p) out.push(p);
  }
  const bundled = path.join(toolsDir, 'venv', 'bin', 'bao');
  // LAB_NO_BUNDLED_BAO=1: behave like a machine without scripts/setup.sh (tests of the missing-binary path).
  if (fs.existsSync(bundled) && !process.env.LAB_NO_BUNDLED_BAO) out.push(bundled);
  return out;
}

let cached: VaultBinary | undefined;

export async function findVaultBinary(): Promise<VaultBinary> {
  if (cached) return cached;
  const cands = vaultCandidates();
  for (const p of cands) {
    const r = await run(p, ['version'], { reject: false, timeoutMs: 15_000 });
    if (r.exitCode === 0) {
      const version = r.stdout.trim().split('\n')[0] ?? '';
      const flavor: Flavor = /openbao/i.test(version) ? 'bao' : flavorOf(p);
      cached = { path: p, flavor, version };
      return cached;
    }
  }
  throw envError(
    msg('vault 또는 bao 실행 파일을 찾을 수 없습니다.', 'no vault or bao binary found.'),
    msg(
      "HashiCorp Vault를 설치하거나(https://developer.hashicorp.com/vault/install), 'bash scripts/setup.sh'로 OpenBao 2.6을 .tools/ 에 설치하세요. VAULT_BIN 또는 BAO_BIN으로 경로를 지정할 수도 있습니다.",
      "Install HashiCorp Vault, or run 'bash scripts/setup.sh' to put OpenBao 2.6 into .tools/. VAULT_BIN or BAO_BIN may point at a binary.",
    ),
    cands.length ? `tried: ${cands.join(', ')}` : 'nothing on PATH',
  );
}

/** Only for tests that switch binaries. */
export function resetBinaryCache(): void {
  cached = undefined;
}
