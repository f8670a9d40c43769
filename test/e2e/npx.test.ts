/**
 * The README's path: `npx lab …` typed in the checkout on a fresh machine, whose own Node (20 here) is older than the
 * lab needs. npx installs the checkout into its cache on first use and checks `engines` against the Node npm runs
 * on, so an engines field warned twice (EBADENGINE) before every first run. The lab runs on the project's Node 24
 * (devDependency, first on PATH under npx); bin/lab.js refuses an older Node itself. npm must print nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/exec.ts';
import { rootDir } from '../../src/engine/paths.ts';

// npm test puts the project's Node 24 first on PATH: take it off, as a learner's shell does not have it.
const systemPath = (process.env.PATH ?? '')
  .split(':')
  .filter((d) => !d.startsWith(rootDir) && !d.includes('node_modules/.bin'))
  .join(':');

const hasNpx = systemPath.split(':').some((d) => d && fs.existsSync(path.join(d, 'npx')));

describe('npx lab on the machine\'s own Node', () => {
  it.skipIf(!hasNpx)('prints no npm warning (EBADENGINE) before the lab\'s output, and runs the lab on the project\'s Node', async () => {
    // A clean environment: under `npm test` the npm_config_* variables of the outer npm would leak into this one.
    // A fresh npx cache too: npm checks engines only when it first installs the checkout there.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-lab-npx-'));
    const clean = (cmd: string) =>
      run('env', ['-i', `PATH=${systemPath}`, `HOME=${process.env.HOME ?? '/tmp'}`, `npm_config_cache=${cache}`, 'NO_COLOR=1', 'bash', '-c', cmd], { cwd: rootDir, reject: false });
    const r = await clean('npx lab --help');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/npm warn/i);
    expect(r.stdout).toMatch(/^vault-lab — /);
    const v = await clean('npx lab --version');
    expect(`${v.stderr}${v.stdout}`.trim()).toBe('vault-lab 0.1.0');
    fs.rmSync(cache, { recursive: true, force: true });
  });
});
