/**
 * One plain HTTP(S) GET for what the Vault API client does not cover: a text body (Prometheus metrics), the UI page,
 * or a deliberate probe of how the listener answers plain HTTP or verified HTTPS. TLS is verified against the lab CA
 * when one is given. The local Kubernetes API and etcd health probes use it too (with a client certificate).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface GetOptions {
  token?: string | undefined;
  caFile?: string | undefined;
  timeoutMs?: number;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** A client certificate and key (files), for an API that authenticates by certificate (kube-apiserver). */
  clientCert?: { cert: string; key: string };
}

export function httpGet(url: string, opts: GetOptions = {}): Promise<{ status: number; body: string }> {
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
