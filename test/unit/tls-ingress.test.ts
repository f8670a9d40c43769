/**
 * The ingress-passthrough gather against REAL handshakes: node:tls servers on free loopback ports (the kernel picks
 * them) presenting the lab's kind certificate (made by the real openssl), directly and through a TCP proxy that
 * forwards bytes untouched as ingress-nginx's passthrough does; ingress-nginx's default certificate as openssl makes
 * it with the controller's subject; and a port nobody listens on.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempLabHome, renderOn } from '../helpers.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { judgeAll } from '../../src/engine/runner.ts';
import { labCertificates } from '../../src/platforms/kind/kind.ts';
import { ensureCa, ensureServerCert } from '../../src/tls/certs.ts';
import { run } from '../../src/exec.ts';
import { INGRESS_FAKE_CN, checks, probeIngress, type IngressProbe, type State } from '../../checkers/tls.ts';

const render = await renderOn('kind', 'tls');
const home = useTempLabHome('tls-ingress-test-');
const dir = path.join(home, 'tls');
const servers: net.Server[] = [];

function listen(srv: net.Server): Promise<number> {
  servers.push(srv);
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port)));
}
const tlsServer = (cert: string, key: string) => listen(tls.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (s) => s.end()));
/** Passthrough as ingress-nginx does it with --enable-ssl-passthrough: TCP bytes both ways, TLS never opened. */
const tcpProxy = (to: number) =>
  listen(
    net.createServer((c) => {
      const up = net.connect(to, '127.0.0.1');
      c.pipe(up).pipe(c);
      up.on('error', () => c.destroy());
      c.on('error', () => up.destroy());
    }),
  );

/** Only the new check's verdict, from a state whose every other part is irrelevant to it. */
const verdict = (ingress: IngressProbe) => judgeAll(checks, { ingress } as State, 'en', render).find((r) => r.id === 'ingress-passthrough')!;
const target = (port: number) => ({ host: '127.0.0.1', port, servername: 'vault.example.com' });
const ca = () => path.join(dir, 'ca.crt');

let vaultPort = 0;
beforeAll(async () => {
  await labCertificates(dir, (await loadTopic('tls')).needs.vault);
  vaultPort = await tlsServer(path.join(dir, 'vault.crt'), path.join(dir, 'vault.key'));
});
afterAll(() => {
  for (const s of servers) s.close();
});

describe('probeIngress on real handshakes', () => {
  it("Vault's own lab certificate through a byte-forwarding proxy (passthrough): passes", async () => {
    const p = await probeIngress(target(await tcpProxy(vaultPort)), ca());
    expect(p).toMatchObject({ listening: true, labCa: true, peer: { subject: 'vault.example.com', issuer: 'vault-lab CA' } });
    expect(p.nameError).toBeUndefined();
    expect(p.peer!.sans).toContain('DNS:vault.example.com');
    expect(verdict(p).ok).toBe(true);
  });

  it("ingress-nginx's default certificate (self-signed, O=Acme Co, CN=Kubernetes Ingress Controller Fake Certificate): fails with the passthrough message", async () => {
    const fake = path.join(home, 'fake');
    fs.mkdirSync(fake);
    const [crt, key] = [path.join(fake, 'fake.crt'), path.join(fake, 'fake.key')];
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '365', '-subj', `/O=Acme Co/CN=${INGRESS_FAKE_CN}`, '-addext', 'subjectAltName=DNS:ingress.local']);
    const p = await probeIngress(target(await tlsServer(crt, key)), ca());
    expect(p).toMatchObject({ listening: true, labCa: false, peer: { subject: INGRESS_FAKE_CN, org: 'Acme Co', sans: ['DNS:ingress.local'] } });
    expect(p.nameError).toContain('vault.example.com');
    const v = verdict(p);
    expect(v.ok).toBe(false);
    expect(v.why).toContain(`ingress-nginx terminated TLS itself and presented its default certificate (CN=${INGRESS_FAKE_CN})`);
    expect(v.fix).toContain('--enable-ssl-passthrough');
  });

  it('nothing listening: fails with the not-listening message', async () => {
    const free = await listen(net.createServer());
    await new Promise((r) => servers.pop()!.close(r));
    const p = await probeIngress(target(free), ca());
    expect(p).toMatchObject({ listening: false, error: 'ECONNREFUSED', labCa: false });
    const v = verdict(p);
    expect(v.ok).toBe(false);
    expect(v.why).toContain(`nothing accepts connections on 127.0.0.1:${free} (ECONNREFUSED)`);
  });

  it('a lab-CA certificate for another name, and a vault.example.com certificate from another CA: each fails with its own message', async () => {
    const other = await ensureServerCert(dir, 'grafana', { dns: ['grafana.example.com'], ip: [] }, { ca: ca(), caKey: path.join(dir, 'ca.key') });
    const wrongName = await probeIngress(target(await tlsServer(other.cert, other.key)), ca());
    expect(wrongName).toMatchObject({ labCa: true });
    expect(verdict(wrongName).why).toContain('presented a certificate not for vault.example.com (CN=grafana.example.com, DNS:grafana.example.com; issuer vault-lab CA)');

    const foreignDir = path.join(home, 'foreign');
    const foreign = await ensureServerCert(foreignDir, 'vault', { dns: ['vault.example.com'], ip: [] }, await ensureCa(foreignDir, 'some other CA'));
    const wrongCa = await probeIngress(target(await tlsServer(foreign.cert, foreign.key)), ca());
    expect(wrongCa).toMatchObject({ labCa: false, peer: { issuer: 'some other CA' } });
    expect(wrongCa.nameError).toBeUndefined();
    expect(verdict(wrongCa).why).toContain('not issued by the lab CA');
  });

  it('a port that accepts and closes without TLS: listening, but no handshake', async () => {
    const p = await probeIngress(target(await listen(net.createServer((c) => c.destroy()))), ca());
    expect(p.listening).toBe(true);
    expect(p.peer).toBeUndefined();
    expect(verdict(p).why).toContain('accepts the connection but no TLS handshake');
  });
});
