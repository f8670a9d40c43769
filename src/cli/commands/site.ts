/** `lab site build [--out DIR] [--results FILE]` and `lab site serve [--port N] [--out DIR]`. */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandFn } from '../types.ts';
import { usageError, Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { shellQuote } from '../../exec.ts';
import { providedContent } from '../../engine/catalogue.ts';

const USAGE = msg('사용법: npx lab site build [--out DIR] [--results FILE] | npx lab site serve [--port N] [--out DIR]', 'usage: npx lab site build [--out DIR] [--results FILE] | npx lab site serve [--port N] [--out DIR]');

export const site: CommandFn = async (a) => {
  const sub = a.positionals[0];
  const load = providedContent().site;
  if (!load) throw usageError(msg('이 실행에는 학습 사이트가 없습니다.', 'this build has no study site.'));
  const { buildSite, defaultOutDir, createSiteServer, listen } = await load();
  const out = typeof a.values.out === 'string' ? path.resolve(a.values.out) : defaultOutDir;
  const results = typeof a.values.results === 'string' ? a.values.results : undefined;
  const r = a.report;

  if (sub === 'build') {
    if (a.positionals.length > 1) throw usageError(msg(`알 수 없는 인자: ${a.positionals.slice(1).join(' ')}`, `unexpected argument: ${a.positionals.slice(1).join(' ')}`), USAGE);
    const res = await buildSite({ outDir: out, ...(results ? { resultsFile: results } : {}) });
    for (const w of res.warnings) r.info(r.t(msg(`준비 중으로 표시한 주제: ${w}`, `published as pending: ${w}`)));
    r.out(r.t(msg(`사이트를 만들었습니다: ${res.pages.length}개 레슨, ${res.ms} ms`, `site built: ${res.pages.length} lessons in ${res.ms} ms`)));
    r.out(r.t(msg(`파일로 열기: ${path.join(res.outDir, 'index.html')}`, `open from disk: ${path.join(res.outDir, 'index.html')}`)));
    const serve = `npx lab site serve${typeof a.values.out === 'string' ? ` --out ${shellQuote(a.values.out)}` : ''}`;
    r.out(r.t(msg(`미리보기: ${serve}`, `preview: ${serve}`)));
    return Exit.ok;
  }

  if (sub === 'serve') {
    const portText = typeof a.values.port === 'string' ? a.values.port : '8080';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw usageError(msg(`--port는 1~65535 사이 숫자입니다: '${portText}'`, `--port takes a number from 1 to 65535: '${portText}'`), USAGE);
    if (!fs.existsSync(path.join(out, 'index.html')) || results) {
      const res = await buildSite({ outDir: out, ...(results ? { resultsFile: results } : {}) });
      r.info(r.t(msg(`사이트를 만들었습니다 (${res.ms} ms).`, `site built (${res.ms} ms).`)));
    }
    const server = createSiteServer(out);
    const bound = await listen(server, port);
    r.out(r.t(msg(`http://127.0.0.1:${bound}/ 에서 보는 중 (${out}). 끝내려면 Ctrl-C.`, `serving ${out} at http://127.0.0.1:${bound}/ — Ctrl-C stops.`)));
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        server.closeAllConnections();
      };
      if (a.signal) {
        if (a.signal.aborted) stop();
        else a.signal.addEventListener('abort', stop, { once: true });
      } else {
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
    });
    return Exit.ok;
  }

  throw usageError(sub ? msg(`알 수 없는 site 명령: '${sub}'`, `unknown site command '${sub}'`) : msg('site 다음에 build 또는 serve를 쓰세요.', 'site needs build or serve.'), USAGE);
};
