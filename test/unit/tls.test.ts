import { describe, expect, it } from 'vitest';
import { checks, type State } from '../../checkers/tls.ts';
import { judgeAll } from '../../src/engine/runner.ts';
import type { Handshake, TlsVersion } from '../../src/tls/probe.ts';

const hs = (version: TlsVersion, ok: boolean): Handshake => (ok ? { version, ok, protocol: version, authorized: true } : { version, ok, error: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });

function solved(): State {
  return {
    addr: 'https://127.0.0.1:20060',
    host: '127.0.0.1',
    port: 20060,
    caFile: '/lab/tls/ca.crt',
    reachable: true,
    versions: { TLSv1: hs('TLSv1', false), 'TLSv1.1': hs('TLSv1.1', false), 'TLSv1.2': hs('TLSv1.2', true), 'TLSv1.3': hs('TLSv1.3', true) },
    peer: { subject: 'vault.example.com', issuer: 'vault-lab CA', sans: ['DNS:vault.example.com', 'DNS:vault-0', 'DNS:localhost', 'IP:127.0.0.1'] },
    chain: { ok: true },
    names: { '127.0.0.1': undefined, 'vault.example.com': undefined, localhost: undefined },
    plainHttp: { status: 400, vaultAnswered: false },
    verified: { ok: true, status: 200 },
    cli: { ok: true },
    skipVerify: [],
    secret: { username: 'static-user', password: 'static-password' },
    hasToken: true,
  };
}
const failedIds = (s: State) => judgeAll(checks, s, 'en').filter((r) => !r.ok).map((r) => r.id);

describe('tls judges', () => {
  it('pass on the solved state; each check has a hint', () => {
    expect(failedIds(solved())).toEqual([]);
    for (const c of checks) expect(c.hint?.ko, c.id).toBeTruthy();
  });
  it('TLS 1.0 or 1.1 accepted fails tls-old-refused only', () => {
    for (const v of ['TLSv1', 'TLSv1.1'] as const) {
      const s = solved();
      s.versions![v] = hs(v, true);
      expect(failedIds(s)).toEqual(['tls-old-refused']);
    }
  });
  it('TLS 1.2 refused (tls13 minimum) fails tls-modern-accepted', () => {
    const s = solved();
    s.versions!['TLSv1.2'] = hs('TLSv1.2', false);
    expect(failedIds(s)).toEqual(['tls-modern-accepted']);
  });
  it('a foreign chain, missing SANs, a name mismatch, plain HTTP answered, skip-verify set: each its own check', () => {
    const a = solved();
    a.chain = { ok: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' };
    expect(failedIds(a)).toEqual(['chain-verifies']);
    const b = solved();
    b.peer!.sans = ['DNS:vault.example.com'];
    expect(failedIds(b)).toEqual(['cert-san']);
    const c = solved();
    c.names['127.0.0.1'] = "IP: 127.0.0.1 is not in the cert's list";
    expect(failedIds(c)).toEqual(['san-matches']);
    const d = solved();
    d.plainHttp = { status: 200, vaultAnswered: true };
    expect(failedIds(d)).toEqual(['plain-http-refused']);
    const e = solved();
    e.skipVerify = ['VAULT_SKIP_VERIFY'];
    expect(judgeAll(checks, e, 'en').find((r) => r.id === 'no-skip-verify')?.fix).toBe('unset VAULT_SKIP_VERIFY');
  });
  it('an unreachable server fails every wire check', () => {
    const s = solved();
    s.reachable = false;
    s.versions = undefined;
    s.peer = undefined;
    expect(failedIds(s)).toEqual(['tls-old-refused', 'tls-modern-accepted', 'chain-verifies', 'cert-san', 'san-matches', 'plain-http-refused', 'verified-request']);
  });
});

describe('tls: client-read needs the secret itself', () => {
  it('no secret at secret/webapp/config fails client-read with the kv put fix', () => {
    const s = solved();
    s.secret = undefined;
    expect(failedIds(s)).toEqual(['client-read']);
  });
});
