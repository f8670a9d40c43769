/**
 * A second Vault that plays the cloud KMS for the production topic's transit auto-unseal: file storage,
 * Shamir with one key (kept 0600 in the lab folder), a transit key and a token allowed only to encrypt and
 * decrypt with it. It starts before the main nodes, which cannot unseal without it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocalAdapter, LocalHost } from '../types.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { VaultClient, VaultApiError } from '../../vault/client.ts';
import { envError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { renderNodeConfig } from '../../vault/config.ts';
import { ensureCa, ensureServerCert } from '../../tls/certs.ts';
import { registerSecret } from '../../engine/redact.ts';
import { poll } from '../../engine/poll.ts';
import { serverLogEnv } from '../../vault/env-names.ts';

export const TRANSIT_PROC = 'transit';
export { TRANSIT_KEY, TRANSIT_TOKEN_SECRET } from './seal.ts';
import { TRANSIT_KEY, TRANSIT_TOKEN_SECRET, transitAddr as addrOf } from './seal.ts';
export const TRANSIT_KEYS_SECRET = 'transit-keys.json';

export const transitPort = (p: Pick<LocalHost, 'port'>): number => p.port('api');
export const transitAddr = (p: Pick<LocalHost, 'port'>): string => addrOf(transitPort(p));

export const transitPolicy = `path "transit/encrypt/${TRANSIT_KEY}" {
  capabilities = ["update"]
}
path "transit/decrypt/${TRANSIT_KEY}" {
  capabilities = ["update"]
}
`;

async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  if (await poll(fn, { timeoutMs })) return;
  throw envError(
    msg('transit Vault가 활성 노드가 되지 않았습니다.', 'the transit vault did not become active.'),
    msg("로그를 보세요 ('npx lab info production'). 다시 'npx lab run production' 하면 이어서 합니다.", "See its log ('npx lab info production'); 'npx lab run production' picks up from there."),
  );
}

export const transitLocal: LocalAdapter = {
  async up(p: LocalHost, report: Reporter): Promise<void> {
    const dir = p.lab.path('transit');
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true, mode: 0o700 });
    const tlsDir = p.lab.path('tls');
    const ca = await ensureCa(tlsDir);
    const cert = await ensureServerCert(tlsDir, 'transit', { dns: ['transit', 'localhost'], ip: ['127.0.0.1'] }, ca);
    const port = transitPort(p);
    const bin = await p.binary();
    if (!p.procAlive(TRANSIT_PROC)) {
      const file = path.join(dir, 'config.hcl');
      const text = renderNodeConfig({
        flavor: bin.flavor,
        nodeId: 'transit',
        apiPort: port,
        clusterPort: p.port('cluster'),
        dataDir: path.join(dir, 'data'),
        storage: 'file',
        tls: { cert: cert.cert, key: cert.key, ca: ca.ca, minVersion: 'tls12' },
        peers: [],
      });
      fs.writeFileSync(file, text, { mode: 0o600 });
      report.debug(`starting transit vault on ${transitAddr(p)}`);
      await p.startProcess(TRANSIT_PROC, bin.path, ['server', `-config=${file}`], { ports: [port, p.port('cluster')], what: 'vault (transit)', env: { ...serverLogEnv('info'), SKIP_SETCAP: '1' } });
    }
    const anon = new VaultClient({ addr: transitAddr(p), caFile: ca.ca, timeoutMs: 5000 });
    await p.waitFor(TRANSIT_PROC, 'reachable', async () => {
      await anon.health();
      return true;
    });
    let keys = p.lab.secretJson<{ keys_base64: string[]; root_token: string }>(TRANSIT_KEYS_SECRET);
    if (!(await anon.health()).initialized) {
      const r = await anon.write<{ keys_base64: string[]; root_token: string }>('/sys/init', { secret_shares: 1, secret_threshold: 1 });
      keys = { keys_base64: r.keys_base64, root_token: r.root_token };
      p.lab.writeSecret(TRANSIT_KEYS_SECRET, JSON.stringify(keys, null, 2) + '\n');
    }
    if (!keys) {
      throw envError(
        msg(`${p.lab.path(TRANSIT_KEYS_SECRET)} 파일이 없어 transit Vault의 봉인을 풀 수 없습니다.`, `${p.lab.path(TRANSIT_KEYS_SECRET)} is missing: the transit vault cannot be unsealed.`),
        msg("그 키 없이는 transit Vault도, 그것으로 봉인된 노드도 열 수 없습니다: 'npx lab reset production'으로 새로 만드세요.", "Without it neither the transit vault nor the nodes it seals can be opened: start over with 'npx lab reset production'."),
      );
    }
    for (const k of keys.keys_base64) registerSecret(k);
    registerSecret(keys.root_token);
    if ((await anon.health()).sealed) await anon.write('/sys/unseal', { key: keys.keys_base64[0] });
    await until(async () => {
      const h = await anon.health();
      return !h.sealed && !h.standby;
    }, 30_000);
    const root = anon.withToken(keys.root_token);
    if (!(await root.mounts())['transit/']) await root.write('/sys/mounts/transit', { type: 'transit' });
    if (!(await root.read(`/transit/keys/${TRANSIT_KEY}`).catch(() => undefined))) await root.write(`/transit/keys/${TRANSIT_KEY}`, {});
    await root.write('/sys/policy/autounseal', { policy: transitPolicy });
    const existing = p.lab.readSecret(TRANSIT_TOKEN_SECRET)?.trim();
    if (existing) {
      registerSecret(existing);
      try {
        // Periodic: renewing keeps it alive across days of lab use.
        await root.write('/auth/token/renew', { token: existing });
        return;
      } catch (e) {
        if (!(e instanceof VaultApiError)) throw e;
      }
    }
    const t = await root.write<{ auth: { client_token: string } }>('/auth/token/create-orphan', { policies: ['autounseal'], period: '24h', display_name: 'autounseal' });
    registerSecret(t.auth.client_token);
    p.lab.writeSecret(TRANSIT_TOKEN_SECRET, `${t.auth.client_token}\n`);
  },
  info(p: LocalHost): Record<string, string> {
    return { 'transit vault (seal)': transitAddr(p), 'transit seal token (0600)': p.lab.path(TRANSIT_TOKEN_SECRET) };
  },
};
