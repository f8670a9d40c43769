/**
 * One plain HTTP(S) GET for what the Vault API client does not cover: a text body (Prometheus metrics), the UI page,
 * or a deliberate probe of how the listener answers plain HTTP or verified HTTPS. TLS is verified against the lab CA
 * when one is given. The local Kubernetes API and etcd health probes use it too (with a client certificate).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pollFor } from '../engine/poll.ts';

export interface GetOptions {
  token?: string | undefined;
  caFile?: string | undefined;
  timeoutMs?: number;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** A client certificate and key (files), for an API that authenticates by certificate (kube-apiserver). */
  clientCert?: { cert: string; key: string };
  /**
   * A connection refused or cut before any answer is tried again for this long. Through kubectl port-forward that is
   * routine: kubectl exits on the first stream error of any connection ("lost connection to pod"), and the lab's loop
   * starts it again a second later; a request in between is refused or dropped before its TLS handshake.
   */
  retryMs?: number;
}

/**
 * May the request be sent again? Refused, or cut before the TLS handshake ended: the server never saw it. Cut later: only
 * a read (a GET changes nothing).
 */
export const droppedBeforeAnswer = (e: unknown, method = 'GET'): boolean => {
  const { code, message } = (e ?? {}) as { code?: string; message?: string };
  if (code === 'ECONNREFUSED') return true;
  return code === 'ECONNRESET' && (method === 'GET' || /before secure TLS connection/.test(message ?? ''));
};

/**
 * How long a request to a node is tried again when its connection is refused or cut before any answer: only through
 * kubectl port-forward (a node marked `forwarded`); a server on loopback that refuses is down, and says so at once.
 */
export const dropRetry = (n: { forwarded?: boolean | undefined }): { retryMs?: number } => (n.forwarded ? { retryMs: 4000 } : {});

/** `f` once, then again for `retryMs` while it fails with a connection dropped before any answer (droppedBeforeAnswer). */
export async function sendAgainIfDropped<T>(f: () => Promise<T>, o: { method?: string; retryMs?: number | undefined }): Promise<T> {
  let last: unknown;
  const got = await pollFor(
    async () => {
      try {
        return { value: await f() };
      } catch (e) {
        if (!droppedBeforeAnswer(e, o.method)) throw e;
        last = e;
        return undefined;
      }
    },
    // Each request has its own timeout; any other error ends the wait as it is.
    { timeoutMs: o.retryMs ?? 0, everyMs: 250, ignoreErrors: false, probeTimesOut: true },
  );
  if (got) return got.value;
  throw last;
}

export function httpGet(url: string, opts: GetOptions = {}): Promise<{ status: number; body: string }> {
  return sendAgainIfDropped(() => getOnce(url, opts), { retryMs: opts.retryMs });
}

function getOnce(url: string, opts: GetOptions): Promise<{ status: number; body: string }> {
  const secure = url.startsWith('https:');
  const mod = secure ? https : http;
  const options: https.RequestOptions = {
    timeout: opts.timeoutMs ?? 5000,
    ...(opts.token ? { headers: { 'X-Vault-Token': opts.token } } : {}),
    ...(secure && opts.caFile ? { ca: fs.readFileSync(opts.caFile), rejectUnauthorized: true } : {}),
    ...(secure && opts.minVersion ? { minVersion: opts.minVersion } : {}),
    ...(secure && opts.clientCert ? { cert: fs.readFileSync(opts.clientCert.cert), key: fs.readFileSync(opts.clientCert.key) } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = mod.get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
