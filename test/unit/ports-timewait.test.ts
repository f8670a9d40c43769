/** A port held only by a closed outgoing connection (TIME_WAIT) is told apart from a port some process holds. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { onlyTimeWait, portFree, portHeld, portHolder, portOwner } from '../../src/platforms/ports.ts';
import { PortHeldError } from '../../src/engine/errors.ts';

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

describe('who holds a port that nobody listens on', () => {
  it.skipIf(process.platform !== 'linux')('a client connected to its own port (what an outgoing connection in the ephemeral range does to a stopped server\'s port): not free, and named as a connection', async () => {
    // No SO_REUSEADDR, as a port the kernel hands a connect() has none: Node's own sockets set it, so python3 plays the client.
    const py = "import socket,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); p=s.getsockname()[1]; s.connect(('127.0.0.1',p)); print(p,flush=True); time.sleep(60)";
    const c = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = Number(await new Promise<string>((r) => c.stdout.once('data', (d: Buffer) => r(d.toString()))));
      expect(await portFree(port)).toBe(false);
      expect(portOwner(port)).toMatchObject({ pid: c.pid, listening: false });
      expect(portHolder(port).en).toMatch(new RegExp(`^pid ${c.pid}: \\S*python3 -c import socket,time s=socket.* \\(a connection whose local end is this port\\)$`));
      // The error assertPortFree (after its 2 s grace) and a log's bind failure raise.
      const e = portHeld(port, 'vault vault-1');
      expect(e).toBeInstanceOf(PortHeldError);
      expect(e!.text.en.split('\n')).toHaveLength(1);
      expect(e!.text.en).toContain(`port ${port} (vault vault-1) is already in use — pid ${c.pid}: `);
    } finally {
      c.kill('SIGKILL');
    }
  });
});
