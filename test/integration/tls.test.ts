/**
 * The tls topic against a real OpenBao behind TLS. Mistakes are made for real: the lab's own Vault is restarted
 * with a weakened listener (tls10, tls13, tls_disable) or a foreign certificate, and the checks must fail.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, failedIds, useTempLabHome } from '../helpers.ts';
import { LabDir } from '../../src/engine/state.ts';
import { LocalPlatform } from '../../src/platforms/local/local.ts';
import { ensureCa, ensureServerCert } from '../../src/tls/certs.ts';
import type { VaultSpec } from '../../src/engine/types.ts';
import { topic } from '../../scenarios/tls.ts';
import { run } from '../../src/exec.ts';

let home: string;

/** The lesson's TLS 1.1 probe, exactly as printed there; SECLEVEL=0 keeps OpenSSL 3 from refusing TLS 1.1 itself. */
const PROBE = `openssl s_client -connect "\${VAULT_ADDR#https://}" -servername vault.example.com -CAfile "$VAULT_CACERT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>&1 | grep -E ':error:|Cipher is'`;
const probe = async (cmd = PROBE) => {
  const env = (await cli('env', 'tls')).stdout;
  return (await run('bash', ['-c', `${env}\n${cmd}`], { reject: false })).stdout;
};
const check = async () => {
  const r = await cli('check', 'tls', '--json', '--lang', 'en');
  return { ids: failedIds(r), results: (JSON.parse(r.stdout) as { results: { id: string; ok: boolean; fix?: string }[] }).results };
};

/** Restart the lab's vault-0 from a config rendered for `spec`, then unseal it with the lab's key. */
async function restartWith(spec: VaultSpec): Promise<void> {
  const lab = new LabDir('tls');
  const p = new LocalPlatform(lab, spec);
  await p.stopProcess('vault-0');
  await p.startNode(0);
  const key = lab.clusterKeys()!.unseal_keys_b64![0]!;
  await p.client(0).write('/sys/unseal', { key });
}

/** The same with a certificate the lab CA cannot verify: started and unsealed without verification (test only). */
async function restartUnverified(): Promise<void> {
  const lab = new LabDir('tls');
  const p = new LocalPlatform(lab, topic.needs.vault);
  await p.stopProcess('vault-0');
  const bin = await p.binary();
  const file = p.writeNodeConfig(0, bin);
  await p.startProcess('vault-0', bin.path, ['server', `-config=${file}`], { ports: [p.apiPort(0), p.apiPort(0) + 1], what: 'vault' });
  const key = lab.clusterKeys()!.unseal_keys_b64![0]!;
  const unseal = () =>
    new Promise<number>((resolve, reject) => {
      const req = https.request(`https://127.0.0.1:${p.apiPort(0)}/v1/sys/unseal`, { method: 'POST', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ key }));
    });
  await p.waitFor('vault-0', 'unsealed', async () => (await unseal()) === 200);
}
const restore = async () => {
  await cli('down', 'tls');
  const r = await cli('start', 'tls');
  expect(r.code, r.stderr).toBe(0);
  expect((await check()).ids).toEqual([]);
};

beforeAll(() => {
  home = useTempLabHome('vault-lab-tls-');
});
afterAll(async () => {
  await cli('down', '--all');
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tls topic on a real OpenBao', () => {
  it('start: the certificate has the three SANs and the wire checks pass; the client step is still open', async () => {
    const r = await cli('start', 'tls', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    const lab = new LabDir('tls');
    const text = (await run('openssl', ['x509', '-in', lab.path('tls', 'vault-0.crt'), '-noout', '-ext', 'subjectAltName'])).stdout;
    for (const san of ['DNS:vault.example.com', 'DNS:localhost', 'IP Address:127.0.0.1']) expect(text).toContain(san);
    expect(fs.readFileSync(lab.path('nodes', 'vault-0', 'config.hcl'), 'utf8')).toContain('tls_min_version = "tls12"');
    expect(fs.statSync(lab.path('tls', 'vault-0.key')).mode & 0o777).toBe(0o600);
    expect((await check()).ids).toEqual(['client-read']);
  });

  it('run: all pass; lab env exports https VAULT_ADDR and VAULT_CACERT, and no skip-verify', async () => {
    const r = await cli('run', 'tls', '--lang', 'en');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await check()).ids).toEqual([]);
    const env = await cli('env', 'tls');
    expect(env.stdout).toMatch(/export VAULT_ADDR='https:\/\/127\.0\.0\.1:\d+'/);
    expect(env.stdout).toContain(`export VAULT_CACERT='${new LabDir('tls').path('tls', 'ca.crt')}'`);
    expect(env.stdout).not.toMatch(/SKIP_VERIFY/);
    // The certificate vault-0 presents, by the name the lesson's commands use on both platforms.
    expect(env.stdout).toContain(`export LAB_TLS_CERT='${new LabDir('tls').path('tls', 'vault-0.crt')}'`);
  });

  it('the reissue fix the checks print (rm "$LAB_TLS_CERT", down, start) makes a new certificate that passes', async () => {
    const lab = new LabDir('tls');
    const before = fs.readFileSync(lab.path('tls', 'vault-0.crt'), 'utf8');
    const env = (await cli('env', 'tls')).stdout;
    await run('bash', ['-c', `${env}\nrm "$LAB_TLS_CERT"`]);
    await restore();
    expect(fs.readFileSync(lab.path('tls', 'vault-0.crt'), 'utf8')).not.toBe(before);
  });

  it("the lesson's openssl probe shows the server's refusal of TLS 1.1 (alert 70), not a client-side one", async () => {
    expect(fs.readFileSync(path.join(import.meta.dirname, '../../labs/tls/lesson.ko.md'), 'utf8')).toContain(PROBE);
    const out = await probe();
    expect(out).toMatch(/tlsv1 alert protocol version.*SSL alert number 70/);
    expect(out).toContain('Cipher is (NONE)');
  });

  it('the typical mistake: the lab Vault restarted with tls_min_version = "tls10" fails tls-old-refused', async () => {
    await restartWith({ ...topic.needs.vault, tls: { hostname: 'vault.example.com', minVersion: 'tls10' } });
    const lab = new LabDir('tls');
    expect(fs.readFileSync(lab.path('nodes', 'vault-0', 'config.hcl'), 'utf8')).toContain('tls_min_version = "tls10"');
    const { ids, results } = await check();
    expect(ids).toEqual(['tls-old-refused']);
    expect(results.find((x) => x.id === 'tls-old-refused')?.fix).toContain('tls_min_version = "tls12"');
    // The same probe now shows TLS 1.1 negotiated; without SECLEVEL=0 OpenSSL 3 fails on its own side, proving nothing.
    const accepted = await probe();
    expect(accepted).toMatch(/Cipher is [A-Z]/);
    expect(accepted).not.toContain(':error:');
    const bare = await probe(PROBE.replace(" -cipher 'DEFAULT:@SECLEVEL=0'", ''));
    expect(bare).toContain('legacy sigalg disallowed');
    expect(bare).toContain('Cipher is (NONE)');
    expect(bare).not.toContain('alert protocol version');
    await restore();
  });

  it('tls_min_version = "tls13" fails tls-modern-accepted', async () => {
    await restartWith({ ...topic.needs.vault, tls: { hostname: 'vault.example.com', minVersion: 'tls13' } });
    expect((await check()).ids).toEqual(['tls-modern-accepted']);
    await restore();
  });

  it('plain HTTP (tls_disable) fails plain-http-refused and every handshake check', async () => {
    await restartWith({ ...topic.needs.vault, tls: false });
    const { ids } = await check();
    for (const id of ['plain-http-refused', 'tls-modern-accepted', 'chain-verifies', 'cert-san']) expect(ids).toContain(id);
    await restore();
  });

  it('a certificate from another CA without the lab SANs fails chain, SAN and name checks', async () => {
    const lab = new LabDir('tls');
    const dir = lab.path('tls');
    const saved = ['vault-0.crt', 'vault-0.key'].map((f) => [f, fs.readFileSync(path.join(dir, f))] as const);
    const other = path.join(home, 'other-ca');
    const ca = await ensureCa(other, 'some other CA');
    const cert = await ensureServerCert(other, 'wrong', { dns: ['wrong.example.org'], ip: [] }, ca);
    fs.copyFileSync(cert.cert, path.join(dir, 'vault-0.crt'));
    fs.copyFileSync(cert.key, path.join(dir, 'vault-0.key'));
    try {
      await restartUnverified();
      const { ids } = await check();
      // client-read too: the lab's own verifying client can no longer read the secret.
      expect(ids).toEqual(['chain-verifies', 'cert-san', 'san-matches', 'verified-request', 'client-read']);
    } finally {
      for (const [f, buf] of saved) fs.writeFileSync(path.join(dir, f), buf, { mode: 0o600 });
      await restore();
    }
  });

  it('VAULT_SKIP_VERIFY exported in the shell fails no-skip-verify with the unset command', async () => {
    process.env.VAULT_SKIP_VERIFY = 'true';
    try {
      const { ids, results } = await check();
      expect(ids).toEqual(['no-skip-verify']);
      expect(results.find((x) => x.id === 'no-skip-verify')?.fix).toBe('unset VAULT_SKIP_VERIFY');
    } finally {
      delete process.env.VAULT_SKIP_VERIFY;
    }
  });
});
