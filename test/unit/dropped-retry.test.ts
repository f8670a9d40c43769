/**
 * kubectl port-forward exits on the first stream error of any connection ("error: lost connection to pod"; real kind,
 * CI: production's metrics check read "Client network socket disconnected before secure TLS connection was
 * established" right after an all-pass run). A connection it accepts while going away is closed before the TLS
 * handshake. The stand-in here is a plain TCP listener that does the same to its first connections, then hands the
 * rest to a real TLS server with a lab certificate: a read or a handshake through a forwarded node is tried again for
 * `retryMs`, and without it the drop is reported as it is.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCa, ensureServerCert } from '../../src/tls/certs.ts';
import { dropRetry, httpGet } from '../../src/vault/http.ts';
import { handshake, peerCertificate } from '../../src/tls/probe.ts';
import { VaultClient } from '../../src/vault/client.ts';

let dir = '';
let caFile = '';
let tlsServer: https.Server;
let front: net.Server;
let port = 0;
/** How many of the next connections the front closes before any byte is answered. */
let dropNext = 0;
let dropped = 0;
const writes: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dropped-retry-'));
  const ca = await ensureCa(dir);
  const c = await ensureServerCert(dir, 'server', { dns: ['localhost'], ip: ['127.0.0.1'] }, ca);
  caFile = c.ca;
  tlsServer = https.createServer({ cert: fs.readFileSync(c.cert), key: fs.readFileSync(c.key), minVersion: 'TLSv1.2' }, (req, res) => {
    if (req.url?.startsWith('/v1/sys/metrics')) return res.end('vault_core_unsealed 1\n');
    writes.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end('{"data":{"ok":true}}');
  });
  front = net.createServer({ pauseOnConnect: true }, (sock) => {
    if (dropNext > 0) {
      dropNext--;
      dropped++;
      sock.destroy();
      return;
    }
    tlsServer.emit('connection', sock);
    sock.resume();
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
  port = (front.address() as net.AddressInfo).port;
});
afterAll(() => {
  front?.close();
  tlsServer?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const url = () => `https://127.0.0.1:${port}/v1/sys/metrics?format=prometheus`;

describe('a connection dropped before any answer, through a port-forward that is going away', () => {
  it('httpGet without retryMs: the drop is the answer (ECONNRESET)', async () => {
    dropNext = 1;
    await expect(httpGet(url(), { caFile })).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('httpGet with retryMs (a forwarded node): the next connection answers', async () => {
    dropNext = 2;
    dropped = 0;
    const r = await httpGet(url(), { caFile, ...dropRetry({ forwarded: true }) });
    expect(r).toMatchObject({ status: 200, body: 'vault_core_unsealed 1\n' });
    expect(dropped).toBe(2);
  });

  it('a local node gets no retry: a server that is down says so at once', () => {
    expect(dropRetry({ forwarded: false })).toEqual({});
    expect(dropRetry({})).toEqual({});
  });

  it('handshake and peerCertificate: tried again after a drop; a refusal by the server is not a drop', async () => {
    dropNext = 1;
    expect((await handshake('127.0.0.1', port, 'TLSv1.2', { caFile })).error).toBe('ECONNRESET');
    dropNext = 1;
    expect(await handshake('127.0.0.1', port, 'TLSv1.2', { caFile, retryMs: 4000 })).toMatchObject({ ok: true, authorized: true });
    dropNext = 1;
    expect(await peerCertificate('127.0.0.1', port, { caFile, retryMs: 4000 })).toMatchObject({ authorized: true });
    dropped = 0;
    const t0 = Date.now();
    const old = await handshake('127.0.0.1', port, 'TLSv1.1', { caFile, retryMs: 4000 });
    expect(old.ok).toBe(false);
    expect(old.error).not.toBe('ECONNRESET');
    expect(dropped).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a write cut before its TLS handshake was never seen by the server: the Vault client sends it again, once', async () => {
    dropNext = 1;
    writes.length = 0;
    const c = new VaultClient({ addr: `https://127.0.0.1:${port}`, caFile, token: 'stand-in', timeoutMs: 2000, retryRefusedMs: 4000 });
    expect(await c.write('/secret/data/x', { data: { a: 1 } })).toMatchObject({ data: { ok: true } });
    expect(writes).toEqual(['POST /v1/secret/data/x']);
  });
});
