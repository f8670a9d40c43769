import { renderOn } from '../helpers.ts';
import { describe, expect, it } from 'vitest';
import { checks, type IngressProbe, type State } from '../../checkers/tls.ts';
import { judgeAll } from '../../src/engine/runner.ts';
import type { Handshake, TlsVersion } from '../../src/tls/probe.ts';
import { nonEmpty } from '../non-empty.ts';

const render = await renderOn('local', 'tls');
const kindRender = await renderOn('kind', 'tls');
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
    ingress: passthrough(),
  };
}
/** What 127.0.0.1:443 presents on kind once ingress-nginx passes TLS through to Vault. */
function passthrough(): IngressProbe {
  return {
    target: '127.0.0.1:443',
    servername: 'vault.example.com',
    listening: true,
    peer: { subject: 'vault.example.com', org: '', issuer: 'vault-lab CA', sans: ['DNS:vault.example.com', 'DNS:*.vault-internal', 'DNS:localhost', 'IP Address:127.0.0.1'] },
    labCa: true,
  };
}
const failedIds = (s: State) => judgeAll(checks, s, 'en', render).filter((r) => !r.ok).map((r) => r.id);

describe('tls judges', () => {
  it('pass on the solved state; each check has a hint', () => {
    expect(failedIds(solved())).toEqual([]);
    for (const c of nonEmpty(checks)) expect(c.hint?.ko, c.id).toBeTruthy();
  });
  it("the SAN hint says what the lesson measured: Go clients refuse a CN-only certificate, curl/OpenSSL fall back to the CN", () => {
    const h = checks.find((c) => c.id === 'cert-san')!.hint!;
    expect(h.en).toMatch(/refused by Go clients/);
    expect(h.en).toMatch(/curl and OpenSSL fall back to the CN/);
    expect(h.en).not.toMatch(/\(Go, Node, curl\)/);
    expect(h.ko).toMatch(/Go 클라이언트/);
    expect(h.ko).not.toMatch(/curl\)가 거부/);
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
    expect(judgeAll(checks, e, 'en', render).find((r) => r.id === 'no-skip-verify')?.fix).toBe('unset VAULT_SKIP_VERIFY');
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

describe('tls on kind: ingress-passthrough (what 127.0.0.1:443 presents for vault.example.com)', () => {
  const judge = (ingress: IngressProbe | undefined) => {
    const s = solved();
    s.ingress = ingress;
    // A kind-only check: its fix is rendered as on kind.
    return judgeAll(checks, s, 'en', kindRender).find((r) => r.id === 'ingress-passthrough')!;
  };
  it("passes on Vault's own certificate from the lab CA; every other check is unaffected", () => {
    expect(judge(passthrough()).ok).toBe(true);
    const s = solved();
    s.ingress = { ...passthrough(), listening: false, error: 'ECONNREFUSED' };
    expect(failedIds(s)).toEqual(['ingress-passthrough']);
  });
  it('start state (a cluster without ingress-nginx, or made without the 443 mapping): nothing listening', () => {
    const r = judge({ target: '127.0.0.1:443', servername: 'vault.example.com', listening: false, error: 'ECONNREFUSED', labCa: false });
    expect(r.ok).toBe(false);
    expect(r.why).toContain('nothing accepts connections on 127.0.0.1:443 (ECONNREFUSED)');
    expect(r.why).toContain('without the 80/443 mapping');
    expect(r.fix).toContain('kind delete cluster --name vault-lab');
  });
  it("the annotation without --enable-ssl-passthrough: nginx's Fake Certificate", () => {
    const r = judge({ ...passthrough(), peer: { subject: 'Kubernetes Ingress Controller Fake Certificate', org: 'Acme Co', issuer: 'Kubernetes Ingress Controller Fake Certificate', sans: ['DNS:ingress.local'] }, labCa: false, nameError: "Hostname/IP does not match certificate's altnames" });
    expect(r.ok).toBe(false);
    expect(r.why).toContain('terminated TLS itself');
    expect(r.why).toContain('--enable-ssl-passthrough');
    expect(r.fix).toContain('"value":"--enable-ssl-passthrough"');
    expect(r.fix).toContain('kubectl --context "$LAB_KUBE_CONTEXT" -n ingress-nginx patch deployment ingress-nginx-controller');
  });
  it('a certificate not for vault.example.com (another server or Ingress answers)', () => {
    const r = judge({ ...passthrough(), peer: { subject: 'grafana.example.com', org: '', issuer: 'vault-lab CA', sans: ['DNS:grafana.example.com'] }, nameError: "Host: vault.example.com. is not in the cert's altnames: DNS:grafana.example.com" });
    expect(r.ok).toBe(false);
    expect(r.why).toContain('presented a certificate not for vault.example.com (CN=grafana.example.com, DNS:grafana.example.com; issuer vault-lab CA)');
    expect(r.fix).toContain('get ingress -A');
  });
  it('a vault.example.com certificate from another CA (nginx terminating with some other TLS secret)', () => {
    const r = judge({ ...passthrough(), peer: { subject: 'vault.example.com', org: '', issuer: 'some other CA', sans: ['DNS:vault.example.com'] }, labCa: false });
    expect(r.ok).toBe(false);
    expect(r.why).toContain('not issued by the lab CA');
  });
  it('accepted but no handshake (the passthrough reaches no Vault), and no ingress known (LAB_KUBE_CONTEXT)', () => {
    const r = judge({ ...passthrough(), peer: undefined, labCa: false, error: 'ECONNRESET' });
    expect(r.ok).toBe(false);
    expect(r.why).toContain('accepts the connection but no TLS handshake for vault.example.com completes (ECONNRESET)');
    const none = judge(undefined);
    expect(none.ok).toBe(false);
    expect(none.why).toContain('LAB_KUBE_CONTEXT');
  });
  it('is a kind-only check: the local platform never judges it', () => {
    expect(checks.find((c) => c.id === 'ingress-passthrough')!.platforms).toEqual(['kind']);
    expect(checks.filter((c) => c.id !== 'ingress-passthrough').every((c) => !c.platforms)).toBe(true);
  });
});
