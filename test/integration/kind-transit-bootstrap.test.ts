/**
 * production on kind: transit-bootstrap.sh, run for real by bash against a real OpenBao server (file storage, as the
 * transit release's values). kubectl is a FAKE on PATH: `kubectl … exec -i <pod> -- <cmd>` runs <cmd> here, where
 * `vault` is the OpenBao binary; any other kubectl call is only recorded. Proves: init keys kept 0600, unseal, the
 * transit key, a token that can encrypt and decrypt with it and nothing else, the Secret made from it, and a rerun.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, useTempLabHome } from '../helpers.ts';
import { daemon, killDaemon, run } from '../../src/exec.ts';
import { findVaultBinary } from '../../src/vault/binary.ts';
import { VaultClient } from '../../src/vault/client.ts';
import { registerSecret } from '../../src/engine/redact.ts';
import { transitBootstrapScript, transitHelmValues } from '../../src/platforms/kind/config.ts';
import { waitUntil } from '../../scenarios/common.ts';

const home = useTempLabHome('kind-transit-test-');
let port = 0;
let clusterPort = 0;
let addr = '';
const dir = path.join(home, 'plan');
const bin = path.join(home, 'bin');
const log = path.join(home, 'kubectl.log');
let pid: number | undefined;

beforeAll(async () => {
  port = await freePort();
  clusterPort = await freePort();
  addr = `http://127.0.0.1:${port}`;
  const bao = await findVaultBinary();
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(bao.path, path.join(bin, 'vault'));
  fs.writeFileSync(
    path.join(bin, 'kubectl'),
    `#!/bin/sh\n# FAKE kubectl\nseen=''\nwhile [ $# -gt 0 ]; do\n  if [ "$1" = "--" ]; then shift; exec "$@"; fi\n  seen="$seen $1"; shift\ndone\necho "kubectl$seen" >> '${log}'\n`,
    { mode: 0o755 },
  );
  // The transit release's own server config (its values), with the address and data folder of this machine.
  const cfg = (transitHelmValues().server as { standalone: { config: string } }).standalone.config.replace('[::]:8200', `127.0.0.1:${port}`).replace('[::]:8201', `127.0.0.1:${clusterPort}`).replace('/vault/data', path.join(home, 'data'));
  fs.writeFileSync(path.join(home, 'transit.hcl'), `disable_mlock = true\n${cfg}`);
  pid = daemon(bao.path, ['server', `-config=${path.join(home, 'transit.hcl')}`], { logFile: path.join(home, 'transit.log') });
  await waitUntil('transit server', async () => (await new VaultClient({ addr }).health()) !== undefined, 60_000);
  fs.writeFileSync(path.join(dir, 'transit-bootstrap.sh'), transitBootstrapScript(), { mode: 0o755 });
});
afterAll(async () => {
  if (pid) await killDaemon(pid);
});

// No token in the environment: the script's in-pod shell reads the root token from stdin (an empty BAO_TOKEN would win over it).
const bootstrap = () => run('bash', [path.join(dir, 'transit-bootstrap.sh'), 'kind-vault-lab'], { env: { PATH: `${bin}:${process.env.PATH}`, VAULT_ADDR: addr, BAO_ADDR: addr, VAULT_TOKEN: undefined, BAO_TOKEN: undefined }, timeoutMs: 120_000 });

describe('transit-bootstrap.sh against a real OpenBao', () => {
  it('inits, unseals, makes the key and an encrypt/decrypt-only token, and the Secret from it', async () => {
    await bootstrap();
    const keys = JSON.parse(fs.readFileSync(path.join(dir, 'transit-keys.json'), 'utf8')) as { root_token: string };
    registerSecret(keys.root_token);
    expect(fs.statSync(path.join(dir, 'transit-keys.json')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'transit-token')).mode & 0o777).toBe(0o600);
    expect((await new VaultClient({ addr }).health()).sealed).toBe(false);
    const token = fs.readFileSync(path.join(dir, 'transit-token'), 'utf8').trim();
    registerSecret(token);
    const t = new VaultClient({ addr, token });
    const self = await t.read<{ data: { policies: string[]; period: number; orphan: boolean } }>('/auth/token/lookup-self');
    expect(self.data.policies).toEqual(['autounseal', 'default']);
    expect(self.data.period).toBe(86400);
    expect(self.data.orphan).toBe(true);
    const ct = await t.write<{ data: { ciphertext: string } }>('/transit/encrypt/autounseal', { plaintext: Buffer.from('seal').toString('base64') });
    const pt = await t.write<{ data: { plaintext: string } }>('/transit/decrypt/autounseal', { ciphertext: ct.data.ciphertext });
    expect(Buffer.from(pt.data.plaintext, 'base64').toString()).toBe('seal');
    await expect(t.write('/transit/keys/other', {})).rejects.toMatchObject({ status: 403 });
    const calls = fs.readFileSync(log, 'utf8');
    expect(calls).toContain(`kubectl --context kind-vault-lab -n vault create secret generic vault-transit-token --from-file=token=${path.join(dir, 'transit-token')} --dry-run=client -o yaml`);
    expect(calls).toContain('kubectl --context kind-vault-lab apply -f -');
  });

  it('a rerun converges: same keys, the server stays initialized and unsealed, a fresh token', async () => {
    const before = fs.readFileSync(path.join(dir, 'transit-keys.json'), 'utf8');
    await bootstrap();
    expect(fs.readFileSync(path.join(dir, 'transit-keys.json'), 'utf8')).toBe(before);
    const h = await new VaultClient({ addr }).health();
    expect([h.initialized, h.sealed]).toEqual([true, false]);
  });
});
