/** A port held only by a closed outgoing connection (TIME_WAIT) is told apart from a port some process listens on. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { onlyTimeWait, portFree, portOwner } from '../../src/platforms/ports.ts';

describe('ports in TIME_WAIT', () => {
  it.skipIf(process.platform !== 'linux')('the client end of a closed connection: not free, no owner, only TIME_WAIT', async () => {
    const server = net.createServer((s) => s.on('data', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', r));
    const local = client.localPort!;
    // The side that closes first keeps TIME_WAIT: the client here.
    await new Promise<void>((r) => client.end(r));
    await new Promise((r) => setTimeout(r, 300));
    server.close();
    expect(onlyTimeWait(local)).toBe(true);
    expect(portOwner(local)).toBeUndefined();
    expect(await portFree(local)).toBe(false);
    expect(onlyTimeWait(port)).toBe(false);
  });
});
