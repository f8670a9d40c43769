/**
 * The study site's content: every lesson is published, has its diagrams, shows exactly its topic's checks
 * and the commands its scenario runs; unknown step directives fail the build; progress carries only ids/ok;
 * nothing secret-looking reaches the output.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, testPortBase, useTempLabHome } from '../helpers.ts';
import { COVERAGE } from '../../site/coverage.ts';
import { buildSite, type BuildResult } from '../../site/build.ts';
import { createMarkdown, renderLesson, stepCommands } from '../../site/markdown.ts';
import { buildIndex, pageSections, search } from '../../site/search.ts';
import { readResultsFile } from '../../site/progress.ts';
import { loadTopic, topicIds } from '../../src/engine/catalogue.ts';
import { labsDir } from '../../src/engine/paths.ts';
import { LabError, Exit } from '../../src/engine/errors.ts';
import { LabDir } from '../../src/engine/state.ts';
import type { Topic } from '../../src/engine/types.ts';
import { nonEmpty } from '../non-empty.ts';

const WITH_DIAGRAMS = ['vso', 'k8s-auth', 'ha-failover', 'ldap', 'mcp'];

let out: string;
let res: BuildResult;
let cpuMs = 0;
const html = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
const unescape = (s: string) => s.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&');

async function loaded(id: string): Promise<{ topic: Topic; checks: string[] } | undefined> {
  try {
    const topic = await loadTopic(id);
    return { topic, checks: (await topic.checker()).checks.map((c) => c.id) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

beforeAll(async () => {
  const home = useTempLabHome('site-unit-');
  // A learner's lab folder with a recent check: the index must show it (and only ids/ok).
  new LabDir('ha-failover', home).updateProgress((p) => {
    p.lastCheck = { at: '2025-01-02T03:04:05.000Z', passed: 1, failed: 1, results: [{ id: 'all-unsealed', ok: true }, { id: 'voters', ok: false }] };
  });
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'site-unit-out-'));
  const cpu = process.cpuUsage();
  res = await buildSite({ outDir: out });
  const used = process.cpuUsage(cpu);
  cpuMs = (used.user + used.system) / 1000;
});

afterAll(() => {
  if (!out) return;
  for (const f of [out, ...['r', 'bad'].map((p) => path.join(out, '..', `${p}-${path.basename(out)}.json`))]) fs.rmSync(f, { recursive: true, force: true });
});

describe('site content', () => {
  it('builds fast and publishes all eight lessons', () => {
    // CPU time, not the clock: on a loaded 2-core machine (CI beside other agents) the same build took 18 s of wall
    // time; what the test guards is the work the build does.
    expect(cpuMs, `build: ${res.ms} ms wall, ${cpuMs.toFixed(0)} ms CPU`).toBeLessThan(3000);
    expect(res.pages.map((p) => p.topicId)).toEqual(topicIds);
    expect(topicIds).toHaveLength(8);
    for (const id of nonEmpty(topicIds)) {
      expect(fs.existsSync(path.join(labsDir, id, 'lesson.ko.md')), id).toBe(true);
      const page = html(`${id}.html`);
      expect(page).toContain('<html lang="ko">');
      expect(page).toMatch(/<h1>[^<]*[가-힣][^<]*<\/h1>/);
    }
  });

  it('maps every study-note section to lesson headings that exist, and publishes the glossary', () => {
    expect(res.unresolvedCoverage).toEqual([]);
    const index = html('index.html');
    for (const row of nonEmpty(COVERAGE)) expect(index, row.section).toContain(row.section.replace(/&/g, '&amp;'));
    // Every lesson is reached from the table, and the links carry the heading's anchor.
    for (const id of nonEmpty(topicIds)) expect(index, id).toMatch(new RegExp(`href="${id}\\.html#[^"]+"`));
    const glossary = html('glossary.html');
    for (const term of ['장애 전환', '봉인 해제', '활성 노드', '대기 노드', 'root 키', '이 점검이 잡는 실수']) expect(glossary, term).toContain(term);
    expect(index).toContain('href="glossary.html"');
  });

  it('every lesson has prerequisites, a cleanup, a diagnosis table and 3 to 5 folded recap questions', () => {
    for (const id of ['vault-k8s', 'ha-failover', 'ldap', 'tls', 'mcp', 'production']) {
      const src = fs.readFileSync(path.join(labsDir, id, 'lesson.ko.md'), 'utf8');
      expect(src, id).toContain('## 시작하기 전에');
      expect(src, id).toMatch(/걸리는 시간/);
      expect(src, id).toMatch(/npx lab down /);
      expect(src, id).toContain('## 문제 해결');
      const recap = (src.match(/^<details><summary>/gm) ?? []).length;
      expect(recap, id).toBeGreaterThanOrEqual(3);
      expect(recap, id).toBeLessThanOrEqual(5);
      expect(html(`${id}.html`), id).toContain('<details class="recap"><summary>');
      expect(src, id).not.toContain('마스터 키');
    }
  });

  it('labels a check\'s typical mistake apart from the step hint and the lessons\' own sections', () => {
    const page = html('mcp.html');
    expect(page).toContain('<span>이 점검이 잡는 실수</span>');
    expect(page).toContain('<summary>이 점검이 잡는 실수</summary>');
    expect(page).not.toMatch(/<summary>힌트<\/summary>/);
  });

  it('has the diagrams the seed has, as mermaid blocks rendered client-side from the bundled copy', () => {
    for (const id of nonEmpty(topicIds)) {
      const n = (html(`${id}.html`).match(/<pre class="mermaid">/g) ?? []).length;
      // Every diagram block of the lesson is rendered, with the bundled renderer; the seed's diagrams are among them.
      const blocks = (fs.readFileSync(path.join(labsDir, id, 'lesson.ko.md'), 'utf8').match(/^```mermaid$/gm) ?? []).length;
      expect(n, id).toBe(blocks);
      expect(n >= 1 || !WITH_DIAGRAMS.includes(id), `${id} lost the seed's diagram`).toBe(true);
      expect(html(`${id}.html`).includes('<script src="assets/mermaid.min.js"></script>'), id).toBe(n > 0);
    }
    expect(fs.statSync(path.join(out, 'assets', 'mermaid.min.js')).size).toBeGreaterThan(1_000_000);
    for (const f of nonEmpty(fs.readdirSync(out).filter((x) => x.endsWith('.html')))) expect(html(f), f).not.toMatch(/(src|href)="https?:/);
  });

  it('lists exactly the checks each topic defines, with hints, beside the text and in the checks section', async () => {
    let verified = 0;
    for (const id of nonEmpty(topicIds)) {
      const page = html(`${id}.html`);
      // Every topic is published now (a topic without its scenario yet would show class="pending").
      const t = (await loaded(id))!;
      expect(t, id).toBeDefined();
      expect(page, id).not.toContain('class="pending"');
      const section = page.slice(page.indexOf('<ul class="lab-checks">'));
      const listed = [...section.slice(0, section.indexOf('</ul>')).matchAll(/data-check="([^"]+)"/g)].map((m) => m[1]);
      expect(listed, id).toEqual(t.checks);
      expect([...page.matchAll(/data-check-aside="([^"]+)"/g)].map((m) => m[1]), id).toEqual(t.checks);
      const hinted = (await t.topic.checker()).checks.filter((c) => c.hint);
      for (const c of nonEmpty(hinted, `${id}: checks with a hint`)) expect(page, `${id}/${c.id}`).toContain(c.hint!.ko.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
      for (const cmd of ['start', 'check', 'run']) expect(page).toContain(`npx lab ${cmd} ${id}`);
      verified++;
    }
    expect(verified).toBe(topicIds.length);
  });

  it('shows each step with the very commands the scenario runs (one source of truth)', async () => {
    for (const id of nonEmpty(topicIds)) {
      const t = (await loaded(id))!;
      expect(t, id).toBeDefined();
      const page = html(`${id}.html`);
      let compared = 0;
      const lesson = fs.readFileSync(path.join(labsDir, id, 'lesson.ko.md'), 'utf8');
      for (const m of nonEmpty(lesson.matchAll(/<!-- lab:step (\S+) -->/g))) {
        const step = t.topic.steps.find((s) => s.id === m[1])!;
        const start = page.indexOf(`<section class="lab-step" id="step-${step.id}"`);
        expect(start, `${id}/${step.id}`).toBeGreaterThan(0);
        const box = page.slice(start, page.indexOf('</section>', start));
        expect(unescape(box), `${id}/${step.id}`).toContain(step.title.ko);
        const cmds = stepCommands(t.topic, step);
        if (!cmds) continue;
        expect(unescape(box.slice(box.indexOf('<pre'), box.indexOf('</pre>'))).trim(), `${id}/${step.id}`).toBe(cmds);
        compared++;
      }
      expect(compared, `${id}: no step's commands were compared with the page`).toBeGreaterThan(0);
      // Every learner task of the scenario appears in its lesson.
      const shown = new Set([...lesson.matchAll(/<!-- lab:step (\S+) -->/g)].map((m) => m[1]));
      for (const s of nonEmpty(t.topic.steps.filter((x) => x.kind === 'task'))) expect(shown.has(s.id), `${id} lesson lacks step ${s.id}`).toBe(true);
    }
  });

  it('an unknown step directive fails the build with a clear error naming file, line and the near miss', async () => {
    const topic = await loadTopic('ha-failover');
    const md = createMarkdown();
    let err: unknown;
    try {
      renderLesson(md, '# t\n\ntext\n\n<!-- lab:step unseal-leadr -->\n', { topicId: 'ha-failover', file: 'labs/ha-failover/lesson.ko.md', topic });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    const e = err as LabError;
    expect(e.text.en).toContain("labs/ha-failover/lesson.ko.md:5: topic 'ha-failover' has no step 'unseal-leadr'. Did you mean 'unseal-leader'?");
    expect(e.text.ko).toContain("'unseal-leadr' 단계가 없습니다");
    expect(e.exitCode).not.toBe(Exit.ok);
    expect(() => renderLesson(md, '<!-- lab:stepz x -->\n', { topicId: 'ha-failover', file: 'f.md', topic })).toThrow(/unknown lab directive 'stepz'/);
    // The real lesson renders: its directives all name real steps.
    expect(() => renderLesson(md, fs.readFileSync(path.join(labsDir, 'ha-failover', 'lesson.ko.md'), 'utf8'), { topicId: 'ha-failover', file: 'x', topic })).not.toThrow();
  });

  it('leaks nothing secret-looking into the output', () => {
    const secretish = [/\b(hvs|hvb|hvr)\.[A-Za-z0-9_-]{20,}/, /\b[sbr]\.[A-Za-z0-9]{24}\b/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\b[A-Za-z0-9+/]{43}=/, /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/];
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.html')).concat(['assets/search-index.js', 'assets/site.js', 'assets/site.css']);
    for (const f of nonEmpty(files)) for (const re of nonEmpty(secretish)) expect(html(f), `${f} ${re}`).not.toMatch(re);
  });
});

describe('progress', () => {
  it('shows the latest check of a local lab (progress.json), ids and ok only', () => {
    const index = html('index.html');
    expect(index).toMatch(/data-topic="ha-failover"[\s\S]*?<div class="progress" data-ok="1" data-total="2">/);
    expect(index).toContain('1/2 통과');
    const lesson = html('ha-failover.html');
    expect(lesson).toMatch(/id="check-all-unsealed"[^>]*><span class="st ok"/);
    expect(lesson).toMatch(/id="check-voters"[^>]*><span class="st fail"/);
  });

  it('reads `lab check --json` output, keeping only ids and ok', () => {
    const f = path.join(out, '..', `r-${path.basename(out)}.json`);
    fs.writeFileSync(f, JSON.stringify([{ topic: 'tls', results: [{ id: 'min-version', ok: false, why: 'root token s.xxxxxxxx', fix: 'x' }, { id: '<script>', ok: true }] }]));
    const p = readResultsFile(f, topicIds);
    expect(p.tls?.results).toEqual([{ id: 'min-version', ok: false }]);
    expect(JSON.stringify(p)).not.toContain('why');
  });

  it('refuses a file that is not check results (exit 2, bilingual)', async () => {
    const f = path.join(out, '..', `bad-${path.basename(out)}.json`);
    fs.writeFileSync(f, JSON.stringify({ hello: 1 }));
    const r = await cli('site', 'build', '--out', out, '--results', f);
    expect(r.code).toBe(Exit.usage);
    expect(r.stderr).toContain('점검 결과 형식이 아닙니다');
    const r2 = await cli('site', 'build', '--out', out, '--results', f, '--lang', 'en');
    expect(r2.stderr).toContain('not a check results file');
    expect((await cli('site', 'build', '--out', out, '--results', '/nonexistent.json')).code).toBe(Exit.usage);
  });
});

describe('search index', () => {
  it('finds Korean terms, including ones glued to particles, on the right page', () => {
    const md = createMarkdown();
    const sections = topicIds.flatMap((id) => {
      const r = renderLesson(md, fs.readFileSync(path.join(labsDir, id, 'lesson.ko.md'), 'utf8'), { topicId: id, file: id });
      return pageSections(`${id}.html`, r.title, r.html);
    });
    const idx = buildIndex(sections);
    expect(new Set(search(idx, '과반수').map((s) => s.p))).toEqual(new Set(['ha-failover.html']));
    expect(search(idx, '봉인').some((s) => s.x.includes('봉인을'))).toBe(true);
    expect(search(idx, 'raft 리더').every((s) => s.x.includes('raft') && s.x.includes('리더'))).toBe(true);
    expect(search(idx, '없는낱말조합')).toEqual([]);
  });
});

describe('lab site command', () => {
  it('explains bad usage with exit 2', async () => {
    expect((await cli('site')).code).toBe(Exit.usage);
    const r = await cli('site', 'publish');
    expect(r.code).toBe(Exit.usage);
    expect(r.stderr).toContain("알 수 없는 site 명령: 'publish'");
    expect((await cli('site', 'serve', '--port', 'abc', '--out', out)).code).toBe(Exit.usage);
    expect((await cli('site', 'serve', '--port', '70000', '--out', out)).code).toBe(Exit.usage);
  });

  it('reports a busy port with exit 3', async () => {
    const port = testPortBase() + 91;
    const blocker = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const r = await cli('site', 'serve', '--port', String(port), '--out', out);
      expect(r.code).toBe(Exit.environment);
      expect(r.stderr).toContain(`포트 ${port}`);
    } finally {
      blocker.close();
    }
  });

  it('writes the default folder site/out when no --out is given', async () => {
    const r = await cli('site', 'build');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(path.join('site', 'out', 'index.html'));
  });
});
