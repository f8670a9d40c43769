/** Real TLS handshakes: what a server accepts, judged from the wire, not from its config. */
import tls from 'node:tls';
import fs from 'node:fs';

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
export function handshake(host: string, port: number, version: TlsVersion, opts: { caFile?: string; servername?: string; timeoutMs?: number } = {}): Promise<Handshake> {
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

export async function probeVersions(host: string, port: number, opts: { caFile?: string; servername?: string } = {}): Promise<Record<TlsVersion, Handshake>> {
  const versions: TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const rs = await Promise.all(versions.map((v) => handshake(host, port, v, opts)));
  return Object.fromEntries(rs.map((r) => [r.version, r])) as Record<TlsVersion, Handshake>;
}
