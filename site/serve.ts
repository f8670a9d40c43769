/** A small static file server for the built site, on loopback only. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { LabError, Exit } from '../src/engine/errors.ts';
import { msg } from '../src/engine/i18n.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

export function createSiteServer(dir: string): http.Server {
  const root = path.resolve(dir);
  return http.createServer((req, res) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let file = path.resolve(root, '.' + pathname);
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 — 페이지가 없습니다 / not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : data);
    });
  });
}

/** Resolves once listening; throws a bilingual LabError (exit 3) when the port is taken. */
export async function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        e.code === 'EADDRINUSE' || e.code === 'EACCES'
          ? new LabError(msg(`포트 ${port}를 쓸 수 없습니다 (${e.code}).`, `cannot use port ${port} (${e.code}).`), {
              exitCode: Exit.environment,
              hint: msg('다른 포트를 고르세요: npx lab site serve --port 8081', 'Pick another port: npx lab site serve --port 8081'),
            })
          : e,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}
