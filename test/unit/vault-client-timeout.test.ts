/** Every Vault API call has a deadline: a server that accepts the connection and never answers cannot hold the lab. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultApiError, VaultClient } from '../../src/vault/client.ts';

describe('VaultClient against a server that never answers', () => {
  let srv: net.Server;
  let port = 0;
  const held: net.Socket[] = [];
  beforeAll(async () => {
    srv = net.createServer((s) => void held.push(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    port = (srv.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    for (const s of held) s.destroy();
    srv.close();
  });

  for (const scheme of ['http', 'https']) {
    it(`${scheme}: health and a raw request fail after timeoutMs (they used to wait forever: node-vault's raw request ignored the timeout)`, { timeout: 10_000 }, async () => {
      const c = new VaultClient({ addr: `${scheme}://127.0.0.1:${port}`, timeoutMs: 500 });
      for (const call of [() => c.health(), () => c.read('/sys/seal-status')]) {
        const t0 = Date.now();
        const e = await call().then(() => undefined, (x: unknown) => x);
        expect(e).toBeInstanceOf(VaultApiError);
        expect(Date.now() - t0).toBeLessThan(3000);
      }
    });
  }
});
