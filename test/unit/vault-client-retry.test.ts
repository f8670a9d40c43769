/**
 * A node behind `kubectl port-forward` (kind) is refused for a second or two while the lab restarts a forward that a
 * reset connection ended. Its client tries a refused connection again for `retryRefusedMs`; a local node's does not.
 * Real kind showed the gap as "no active node to stop" right after a write (CI).
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultClient } from '../../src/vault/client.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

const healthServer = (port: number): http.Server =>
  http
    .createServer((_, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ initialized: true, sealed: false, standby: false, version: '2.6.2' }));
    })
    .listen(port, '127.0.0.1');

describe('a refused connection, tried again while a port-forward restarts', () => {
  it('without retryRefusedMs: refused at once', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await expect(new VaultClient({ addr: `http://127.0.0.1:${port}`, timeoutMs: 2000 }).health()).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('with retryRefusedMs: answers once the listener is back within the budget', async () => {
    const port = await freePort();
    setTimeout(() => (server = healthServer(port)), 600);
    const h = await new VaultClient({ addr: `http://127.0.0.1:${port}`, timeoutMs: 2000, retryRefusedMs: 3000 }).health();
    expect(h.sealed).toBe(false);
  });

  it('with retryRefusedMs: still refused after the budget when nothing comes back', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await expect(new VaultClient({ addr: `http://127.0.0.1:${port}`, timeoutMs: 2000, retryRefusedMs: 800 }).read('/sys/leader')).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
  });
});
