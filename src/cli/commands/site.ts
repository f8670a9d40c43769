/** `lab site build [--out DIR] [--results FILE]` and `lab site serve [--port N] [--out DIR]`. */
import fs from 'node:fs';
import path from 'node:path';
import { defineCommand } from '../define.ts';
import { usageError, Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { shellQuote } from '../../exec.ts';
import { providedContent } from '../../engine/catalogue.ts';

const USAGE = msg('사용법: npx lab site build [--out DIR] [--results FILE] | npx lab site serve [--port N] [--out DIR]', 'usage: npx lab site build [--out DIR] [--results FILE] | npx lab site serve [--port N] [--out DIR]');

const siteArgs = {
  out: { type: 'string', short: 'o', value: 'DIR', description: msg('사이트 폴더', 'site folder') },
  results: { type: 'string', value: 'FILE', description: msg('테스트 결과 파일 (JSON)', 'test results file (JSON)') },
} as const;

async function siteTools() {
  const load = providedContent().site;
  if (!load) throw usageError(msg('이 실행에는 학습 사이트가 없습니다.', 'this build has no study site.'));
  return load();
}

const build = defineCommand({
  meta: { name: 'build', summary: msg('학습 사이트를 파일로 만들기', 'build the study site into files'), usage: 'lab site build [--out DIR] [--results FILE]' },
  args: siteArgs,
  run: async (a) => {
    const { buildSite, defaultOutDir } = await siteTools();
    const out = a.args.out ? path.resolve(a.args.out) : defaultOutDir;
    const results = a.args.results;
    const r = a.report;
    const res = await buildSite({ outDir: out, ...(results ? { resultsFile: results } : {}) });
    for (const w of res.warnings) r.info(r.t(msg(`준비 중으로 표시한 주제: ${w}`, `published as pending: ${w}`)));
    r.out(r.t(msg(`사이트를 만들었습니다: ${res.pages.length}개 레슨, ${res.ms} ms`, `site built: ${res.pages.length} lessons in ${res.ms} ms`)));
    r.out(r.t(msg(`파일로 열기: ${path.join(res.outDir, 'index.html')}`, `open from disk: ${path.join(res.outDir, 'index.html')}`)));
    const serve = `npx lab site serve${a.args.out ? ` --out ${shellQuote(a.args.out)}` : ''}`;
    r.out(r.t(msg(`미리보기: ${serve}`, `preview: ${serve}`)));
    return Exit.ok;
  },
});

const serve = defineCommand({
  meta: { name: 'serve', summary: msg('학습 사이트 미리보기 (없으면 먼저 만듦)', 'preview the study site (built first when missing)'), usage: 'lab site serve [--port N] [--out DIR]' },
  args: { ...siteArgs, port: { type: 'string', value: 'N', default: '8080', description: msg('포트', 'port') } },
  run: async (a) => {
    const { buildSite, defaultOutDir, createSiteServer, listen } = await siteTools();
    const out = a.args.out ? path.resolve(a.args.out) : defaultOutDir;
    const results = a.args.results;
    const r = a.report;
    const portText = a.args.port;
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
  },
});

export default defineCommand({
  meta: { name: 'site', usage: 'lab site build [--out DIR] [--results FILE] | lab site serve [--port N] [--out DIR]' },
  args: {},
  subCommands: { build, serve },
});
