/** vault-k8s on the local platform against a real OpenBao/Vault server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { cli, failedIds, labContext, useTempLabHome } from '../helpers.ts';
import { run, isAlive } from '../../src/exec.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { LabDir } from '../../src/engine/state.ts';
import { main } from '../../src/cli/main.ts';
import { nonEmpty } from '../non-empty.ts';

const checkIds = async () => failedIds(await cli('check', 'vault-k8s', '--json', '--lang', 'en'));

describe('vault-k8s (real server)', () => {
  beforeAll(() => {
    useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('start builds a sealed, uninitialised server and every learner check fails', async () => {
    const r = await cli('start', 'vault-k8s');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('operator init -key-shares=1 -key-threshold=1');
    expect(await checkIds()).toEqual(['initialized', 'unsealed', 'kv-v2', 'secret']);
  });

  it('each solved step turns exactly its checks green', async () => {
    expect((await cli('solve', 'vault-k8s', 'init')).code).toBe(0);
    expect(await checkIds()).toEqual(['unsealed', 'kv-v2', 'secret']);
    const keys = new LabDir('vault-k8s').path('cluster-keys.json');
    expect(fs.statSync(keys).mode & 0o777).toBe(0o600);
    expect((await cli('solve', 'vault-k8s', 'unseal')).code).toBe(0);
    expect(await checkIds()).toEqual(['kv-v2', 'secret']);
  });

  it('hint follows the live state, even for work done outside the lab', async () => {
    const ctx = await labContext('vault-k8s');
    await ctx.platform.vaultCli(['secrets', 'enable', '-path=secret', 'kv-v2'], {});
    const r = await cli('hint', 'vault-k8s', '--lang', 'en');
    expect(r.stdout).toContain('Write secret/webapp/config');
    await ctx.platform.vaultCli(['secrets', 'disable', 'secret'], {});
    expect((await cli('hint', 'vault-k8s', '--lang', 'en')).stdout).toContain('Enable KV v2 at secret/');
  });

  it('catches KV version 1 mounted at secret/ (the typical mistake) and names the fix', async () => {
    const ctx = await labContext('vault-k8s');
    await ctx.platform.vaultCli(['secrets', 'enable', '-path=secret', 'kv'], {});
    const r = await cli('check', 'vault-k8s', '--json', '--lang', 'en');
    const kv = (JSON.parse(r.stdout) as { results: { id: string; ok: boolean; fix?: string }[] }).results.find((x) => x.id === 'kv-v2')!;
    expect(kv.ok).toBe(false);
    expect(kv.fix).toContain('enable-versioning');
    await ctx.platform.vaultCli(['secrets', 'disable', 'secret'], {});
  });

  it('run converges from a half-done lab to all-pass', async () => {
    const r = await cli('run', 'vault-k8s', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))).ok).toBe(true);
  });

  it('check --watch reports, then stops cleanly on Ctrl-C (exit 0 when all pass)', async () => {
    const ac = new AbortController();
    let out = '';
    const io = { stdout: { write: (x: string) => void (out += x) }, stderr: { write: () => undefined }, signal: ac.signal };
    const running = main(['check', 'vault-k8s', '--watch', '--interval', '0.2', '--lang', 'en'], io);
    // The first report (however long a loaded machine takes), then several more rounds with nothing changing.
    for (let i = 0; i < 150 && !out.includes('all passed'); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1200));
    ac.abort();
    expect(await running).toBe(0);
    expect(out).toContain('all passed (5/5)');
    // One report while nothing changes: --watch prints again only when a result changes.
    expect(out.match(/all passed/g), out).toHaveLength(1);
  });

  it("the learner's own CLI and curl reach the lab through `lab env`", async () => {
    const script = `eval "$(node bin/lab.js env vault-k8s)" && vault kv get -format=json secret/webapp/config && curl -sf -H "X-Vault-Token: $VAULT_TOKEN" "$VAULT_ADDR/v1/secret/data/webapp/config"`;
    const r = await run('bash', ['-c', script], { cwd: rootDir, env: { PATH: `${rootDir}node_modules/.bin:${process.env.PATH}` } });
    const [cliOut, curlOut] = r.stdout.split(/\n(?=\{"request_id")/);
    expect(JSON.parse(cliOut!).data.data).toEqual({ username: 'static-user', password: 'static-password' });
    expect(JSON.parse(curlOut!).data.data.password).toBe('static-password');
  });

  it('lab down stops every process it started', async () => {
    const pids = Object.values(new LabDir('vault-k8s').record()!.processes).map((p) => p.pid);
    expect(pids.length).toBe(1);
    expect((await cli('down', 'vault-k8s')).code).toBe(0);
    for (const pid of nonEmpty(pids)) expect(isAlive(pid)).toBe(false);
    const r = await cli('check', 'vault-k8s', '--json', '--lang', 'en');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).results.find((x: { id: string }) => x.id === 'unsealed').fix).toContain('npx lab run vault-k8s');
  });
});
