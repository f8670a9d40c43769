/**
 * The local platform's `vault-active`: one loopback address that follows the active node, as the Helm chart's
 * `vault-active` Service (and an ingress in front of it) does on Kubernetes. A plain TCP relay: TLS passes through
 * untouched (every node's certificate names 127.0.0.1), so the client verifies the node it reaches with the lab CA.
 *
 * Run as its own supervised process: node active-proxy.ts --listen <port> --ca <file> <node addr>...
 * Every 250 ms it asks each node's sys/health who is active. A new connection goes to the active node; with none known
 * (before init, all sealed, mid-election) or when that node refuses, to an unsealed standby, else the next node that
 * accepts, so `vault status` shows the truth (sealed, standby) instead of "connection refused". A standby that receives a request forwards it to
 * the active node (disable_standby_reads = true, Vault CE's behaviour), so a stale pick is slow, never wrong.
 */
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { parseArgs } from 'node:util';

export interface Target {
  host: string;
  port: number;
}

/** What a node's sys/health said at the last probe. */
export type NodeState = 'active' | 'unsealed' | 'other';

/**
 * The order to try nodes in: the active one first, then unsealed standbys (they forward to the active node, so a request
 * works even while the relay's view lags an election), then the rest, each group in node order.
 */
export function candidates(nodes: Target[], states: readonly (NodeState | undefined)[]): Target[] {
  const rank = (i: number) => ({ active: 0, unsealed: 1, other: 2 })[states[i] ?? 'other'];
  return nodes.map((n, i) => ({ n, i })).sort((a, b) => rank(a.i) - rank(b.i) || a.i - b.i).map((x) => x.n);
}

function probe(addr: string, agent: https.Agent): Promise<NodeState> {
  return new Promise((resolve) => {
    const req = https.get(`${addr}/v1/sys/health?standbyok=true&sealedcode=299&uninitcode=299`, { agent, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          const h = JSON.parse(body) as { initialized?: boolean; sealed?: boolean; standby?: boolean };
          resolve(h.initialized === true && h.sealed === false ? (h.standby === false ? 'active' : 'unsealed') : 'other');
        } catch {
          resolve('other');
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve('other'));
  });
}

function connectFirst(list: Target[], onSocket: (s: net.Socket | undefined) => void): void {
  const [first, ...rest] = list;
  if (!first) return onSocket(undefined);
  const s = net.connect(first.port, first.host);
  s.once('connect', () => {
    s.removeAllListeners('error');
    onSocket(s);
  });
  s.once('error', () => {
    s.destroy();
    connectFirst(rest, onSocket);
  });
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { listen: { type: 'string' }, ca: { type: 'string' } }, allowPositionals: true });
  const port = Number(values.listen);
  // One kept-alive connection per node: a TLS handshake per probe would cost the shared CPUs more than the relay.
  const agent = new https.Agent({ ca: fs.readFileSync(values.ca!), keepAlive: true, maxSockets: 1 });
  const addrs = positionals;
  const nodes = addrs.map((a) => {
    const u = new URL(a);
    return { host: u.hostname, port: Number(u.port) };
  });
  let states: NodeState[] = [];
  const refresh = async () => {
    const next = await Promise.all(addrs.map((a) => probe(a, agent)));
    const was = states.indexOf('active');
    const now = next.indexOf('active');
    if (now !== was) console.log(`${new Date().toISOString()} active: ${now < 0 ? 'none' : addrs[now]}`);
    states = next;
  };
  // The relay's own supervisor, a loop by design: it watches the nodes for as long as this process lives (no deadline).
  const loop = async () => {
    await refresh().catch(() => undefined);
    setTimeout(() => void loop(), 250);
  };
  void loop();
  const server = net.createServer((client) => {
    client.pause();
    client.on('error', () => client.destroy());
    connectFirst(candidates(nodes, states), (upstream) => {
      if (!upstream) return client.destroy();
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
  });
  server.listen(port, '127.0.0.1', () => console.log(`${new Date().toISOString()} listening on 127.0.0.1:${port} for ${addrs.join(' ')}`));
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
}

if (import.meta.main) main();
