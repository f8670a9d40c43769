/** The lab's Vault client against a real OpenBao dev server: typed reads through node-vault's own API. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemon, killDaemon } from '../../src/exec.ts';
import { findVaultBinary } from '../../src/vault/binary.ts';
import { VaultApiError, VaultClient } from '../../src/vault/client.ts';
import { waitUntil } from '../../scenarios/common.ts';
import { testPortBase, useTempLabHome } from '../helpers.ts';

const home = useTempLabHome();
const addr = `http://127.0.0.1:${testPortBase() + 95}`;
const root = 'client-test-root';
let pid: number | undefined;

beforeAll(async () => {
  const b = await findVaultBinary();
  fs.mkdirSync(home, { recursive: true });
  // The root token reaches the dev server through its environment, never its argv.
  pid = daemon(b.path, ['server', '-dev', `-dev-listen-address=${addr.slice('http://'.length)}`], {
    logFile: path.join(home, 'dev.log'),
    env: { VAULT_DEV_ROOT_TOKEN_ID: root, BAO_DEV_ROOT_TOKEN_ID: root },
  });
  await waitUntil('dev server', async () => (await new VaultClient({ addr }).health()).initialized, 20_000);
});
afterAll(async () => {
  if (pid) await killDaemon(pid);
});

describe('VaultClient typed reads (node-vault API, real OpenBao)', () => {
  const c = () => new VaultClient({ addr, token: root });

  it('health and seal status of an unsealed dev server', async () => {
    const h = await c().health();
    expect(h).toMatchObject({ initialized: true, sealed: false, standby: false });
    const s = await c().sealStatus();
    expect(s.sealed).toBe(false);
    expect(s.t).toBeGreaterThan(0);
  });

  it('mounts, auths and audits come back as path-keyed tables', async () => {
    const mounts = await c().mounts();
    expect(mounts['secret/']?.type).toBe('kv');
    expect(mounts['secret/']?.options?.version).toBe('2');
    expect(Object.keys(mounts).every((k) => k.endsWith('/'))).toBe(true);
    await c().write('/sys/auth/approle', { type: 'approle' });
    const auths = await c().auths();
    expect(auths['approle/']?.type).toBe('approle');
    expect(auths['token/']?.type).toBe('token');
    expect(await c().audits()).toEqual({});
  });

  it('a token without rights gets a VaultApiError with the status', async () => {
    const e = await c().withToken('not-a-token').mounts().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VaultApiError);
    expect((e as VaultApiError).status).toBe(403);
  });
});
