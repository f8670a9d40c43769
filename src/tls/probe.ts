/** Real TLS handshakes: what a server accepts, judged from the wire, not from its config. */
import net from 'node:net';
import tls from 'node:tls';
import fs from 'node:fs';
import { pollFor } from '../engine/poll.ts';

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export interface Handshake {
  version: TlsVersion;
  ok: boolean;
  /** Negotiated protocol when ok. */
  protocol?: string;
  /** Chain verified against the CA given (when ok). */
  authorized?: boolean;
  authorizationError?: string;
  error?: string;
}

/**
 * One handshake pinned to exactly one protocol version. The client's own floor is lowered
 * (SECLEVEL=0) so a refusal of TLS 1.0/1.1 is the server's doing, not OpenSSL's client default.
 */
export interface HandshakeOptions {
  caFile?: string;
  servername?: string;
  timeoutMs?: number;
  /** A connection refused or cut before the server said anything is tried again for this long (see GetOptions.retryMs). */
  retryMs?: number;
}

export function handshake(host: string, port: number, version: TlsVersion, opts: HandshakeOptions = {}): Promise<Handshake> {
  return againIfDropped(() => handshakeOnce(host, port, version, opts), (h) => h.error, opts.retryMs);
}

/** The certificate the server presents (with SNI `servername`), verified against the lab CA only. */
export function peerCertificate(host: string, port: number, opts: HandshakeOptions = {}): Promise<{ cert?: tls.PeerCertificate; authorized: boolean; error?: string }> {
  return againIfDropped(
    () =>
      new Promise((resolve) => {
        const sock = tls.connect({ host, port, rejectUnauthorized: false, ...(opts.caFile ? { ca: fs.readFileSync(opts.caFile) } : {}), ...(opts.servername && !net.isIP(opts.servername) ? { servername: opts.servername } : {}) });
        sock.setTimeout(opts.timeoutMs ?? 3000, () => {
          sock.destroy();
          resolve({ authorized: false, error: 'timeout' });
        });
        sock.once('secureConnect', () => {
          const cert = sock.getPeerCertificate();
          const out = { cert, authorized: sock.authorized, ...(sock.authorizationError ? { error: String(sock.authorizationError) } : {}) };
          sock.destroy();
          resolve(out);
        });
        sock.once('error', (e) => resolve({ authorized: false, error: (e as NodeJS.ErrnoException).code ?? e.message }));
      }),
    (p) => p.error,
    opts.retryMs,
  );
}

/** One attempt, again for retryMs while it ends refused or cut before the server said anything; the last one as it is. */
async function againIfDropped<T>(attempt: () => Promise<T>, error: (t: T) => string | undefined, retryMs = 0): Promise<T> {
  let last: T | undefined;
  const got = await pollFor(
    async () => {
      last = await attempt();
      const e = error(last);
      return e === 'ECONNRESET' || e === 'ECONNREFUSED' ? undefined : last;
    },
    { timeoutMs: retryMs, everyMs: 250, probeTimesOut: true },
  );
  return got ?? last!;
}

function handshakeOnce(host: string, port: number, version: TlsVersion, opts: HandshakeOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const old = version === 'TLSv1' || version === 'TLSv1.1';
    const sock = tls.connect({
      host,
      port,
      minVersion: version,
      maxVersion: version,
      rejectUnauthorized: false,
      ...(opts.caFile ? { ca: fs.readFileSync(opts.caFile) } : {}),
      ...(opts.servername ? { servername: opts.servername } : {}),
      ...(old ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
    });
    const done = (h: Handshake) => {
      sock.destroy();
      resolve(h);
    };
    sock.setTimeout(opts.timeoutMs ?? 3000, () => done({ version, ok: false, error: 'timeout' }));
    sock.once('secureConnect', () =>
      done({
        version,
        ok: true,
        protocol: sock.getProtocol() ?? version,
        authorized: sock.authorized,
        ...(sock.authorizationError ? { authorizationError: String(sock.authorizationError) } : {}),
      }),
    );
    sock.once('error', (e) => done({ version, ok: false, error: (e as NodeJS.ErrnoException).code ?? e.message }));
  });
}

export async function probeVersions(host: string, port: number, opts: HandshakeOptions = {}): Promise<Record<TlsVersion, Handshake>> {
  const versions: TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const rs = await Promise.all(versions.map((v) => handshake(host, port, v, opts)));
  return Object.fromEntries(rs.map((r) => [r.version, r])) as Record<TlsVersion, Handshake>;
}
