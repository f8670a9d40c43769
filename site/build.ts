/**
 * Builds the static study site: one page per lesson (labs/<topic>/lesson.ko.md), an index with the
 * learner's progress, a bigram search index and the bundled assets (highlight.js theme, mermaid). Pages
 * use relative links and classic scripts only, so the folder works from file:// as well as over HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { topicIds, loadTopic } from '../src/engine/catalogue.ts';
import { rootDir, labsDir } from '../src/engine/paths.ts';
import type { Topic } from '../src/engine/types.ts';
import { createMarkdown, renderLesson, checkInfos, escapeHtml, statusMark, highlight, CHECK_HINT_LABEL, type CheckInfo, type RenderedLesson } from './markdown.ts';
import { COVERAGE } from './coverage.ts';
import { buildIndex, pageSections, type SearchSection } from './search.ts';
import { readLabProgress, readResultsFile, type ProgressMap } from './progress.ts';

export const siteDir = path.join(rootDir, 'site');
export const defaultOutDir = path.join(siteDir, 'out');
const require = createRequire(import.meta.url);

export interface BuildOptions {
  outDir?: string;
  /** `lab check --json` output; otherwise each lab's progress.json under LAB_HOME. */
  resultsFile?: string;
  labHome?: string;
}

export interface PageInfo {
  topicId: string;
  file: string;
  title: string;
  hasScenario: boolean;
  mermaid: number;
  checks?: string[];
}

export interface BuildResult {
  outDir: string;
  pages: PageInfo[];
  ms: number;
  /** Topics published without their scenario or checker (not written yet), and coverage headings not found. */
  warnings: string[];
  /** Coverage rows whose lesson heading does not exist: "topic: heading". */
  unresolvedCoverage: string[];
}

interface Lesson {
  id: string;
  file: string;
  topic?: Topic;
  checks?: CheckInfo[];
  r: RenderedLesson;
}

const missingModule = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND';

/** A topic can be listed before its scenario (or checker) lands; its lesson is still published, marked pending. */
async function tryLoad(id: string, warnings: string[]): Promise<{ topic?: Topic; checks?: CheckInfo[] }> {
  let topic: Topic;
  try {
    topic = await loadTopic(id);
  } catch (e) {
    if (!missingModule(e)) throw e;
    warnings.push(`${id}: ${(e as Error).message.split('\n')[0]}`);
    return {};
  }
  try {
    return { topic, checks: checkInfos((await topic.checker()).checks) };
  } catch (e) {
    if (!missingModule(e)) throw e;
    warnings.push(`${id}: ${(e as Error).message.split('\n')[0]}`);
    return { topic };
  }
}

const statusOf = (p: ProgressMap, id: string): Record<string, boolean> | undefined => (p[id] ? Object.fromEntries(p[id].results.map((r) => [r.id, r.ok])) : undefined);

export async function buildSite(opts: BuildOptions = {}): Promise<BuildResult> {
  const t0 = Date.now();
  const outDir = path.resolve(opts.outDir ?? defaultOutDir);
  const progress = opts.resultsFile ? readResultsFile(opts.resultsFile, topicIds) : readLabProgress(topicIds, opts.labHome);
  const md = createMarkdown();

  const lessons: Lesson[] = [];
  const warnings: string[] = [];
  // Loaded together: module loading overlaps, and the slowest scenario sets the pace instead of the sum.
  const loadedTopics = await Promise.all(topicIds.map((id) => tryLoad(id, warnings)));
  for (const [i, id] of topicIds.entries()) {
    const file = path.join(labsDir, id, 'lesson.ko.md');
    if (!fs.existsSync(file)) continue;
    const { topic, checks } = loadedTopics[i]!;
    const rel = path.relative(rootDir, file);
    const status = statusOf(progress, id);
    const r = renderLesson(md, fs.readFileSync(file, 'utf8'), { topicId: id, file: rel, ...(topic ? { topic } : {}), ...(checks ? { checks } : {}), ...(status ? { status } : {}) });
    lessons.push({ id, file: rel, ...(topic ? { topic } : {}), ...(checks ? { checks } : {}), r });
  }

  fs.mkdirSync(path.join(outDir, 'assets'), { recursive: true });
  const sections: SearchSection[] = [];
  const nav = lessons.map((l) => ({ id: l.id, title: l.r.title }));
  for (const l of lessons) {
    const page = `${l.id}.html`;
    sections.push(...pageSections(page, l.r.title, l.r.html));
    const html = layout({ title: l.r.title, nav, current: l.id, mermaid: l.r.mermaid > 0, body: `<article class="lesson">\n${l.r.html}</article>`, aside: lessonAside(l, progress) });
    fs.writeFileSync(path.join(outDir, page), html);
  }
  const glossary = renderLesson(md, fs.readFileSync(path.join(siteDir, 'glossary.ko.md'), 'utf8'), { topicId: 'glossary', file: 'site/glossary.ko.md' });
  sections.push(...pageSections('glossary.html', glossary.title, glossary.html));
  fs.writeFileSync(path.join(outDir, 'glossary.html'), layout({ title: glossary.title, nav, current: 'glossary', mermaid: false, body: `<article class="lesson">\n${glossary.html}</article>`, aside: '' }));
  const coverage = coverageHtml(lessons);
  for (const u of coverage.unresolved) warnings.push(`coverage: no heading ${u}`);
  fs.writeFileSync(path.join(outDir, 'index.html'), layout({ title: 'Vault 프로덕션 실습', nav, current: '', mermaid: false, body: indexBody(lessons, progress, coverage.html), aside: '' }));
  writeAssets(outDir, buildIndex(sections));

  const pages: PageInfo[] = lessons.map((l) => ({ topicId: l.id, file: `${l.id}.html`, title: l.r.title, hasScenario: Boolean(l.topic), mermaid: l.r.mermaid, ...(l.checks ? { checks: l.checks.map((c) => c.id) } : {}) }));
  return { outDir, pages, ms: Date.now() - t0, warnings, unresolvedCoverage: coverage.unresolved };
}

/** The study note's sections, each linked to the lesson headings that teach it. */
function coverageHtml(lessons: Lesson[]): { html: string; unresolved: string[] } {
  const unresolved: string[] = [];
  let h = `<table class="coverage"><thead><tr><th>학습 노트</th><th>절</th><th>레슨에서</th></tr></thead><tbody>\n`;
  for (const row of COVERAGE) {
    const links = row.targets.map((t) => {
      const l = lessons.find((x) => x.id === t.topic);
      const entry = l?.r.toc.find((e) => e.text === t.heading);
      if (!entry) unresolved.push(`${t.topic}: ${t.heading}`);
      const href = entry ? `${t.topic}.html#${entry.id}` : `${t.topic}.html`;
      return `<a href="${escapeHtml(href)}"><span class="topic-id">${escapeHtml(t.topic)}</span> ${escapeHtml(t.heading)}</a>`;
    });
    const cell = [...links, ...(row.remark ? [`<span class="muted">${escapeHtml(row.remark)}</span>`] : [])].join('<br>');
    h += `<tr><td>${escapeHtml(row.part)}</td><td>${escapeHtml(row.section)}</td><td>${cell || '—'}</td></tr>\n`;
  }
  return { html: h + `</tbody></table>\n`, unresolved };
}

function writeAssets(outDir: string, index: ReturnType<typeof buildIndex>): void {
  const a = (f: string) => path.join(outDir, 'assets', f);
  const hl = path.dirname(require.resolve('highlight.js/styles/github.min.css'));
  const css = [
    fs.readFileSync(path.join(siteDir, 'theme', 'site.css'), 'utf8'),
    '@media (prefers-color-scheme: light) {',
    fs.readFileSync(path.join(hl, 'github.min.css'), 'utf8'),
    '}\n@media (prefers-color-scheme: dark) {',
    fs.readFileSync(path.join(hl, 'github-dark.min.css'), 'utf8'),
    '}',
  ].join('\n');
  fs.writeFileSync(a('site.css'), css);
  for (const f of ['site.js', 'favicon.svg']) fs.copyFileSync(path.join(siteDir, 'theme', f), a(f));
  // A script, not JSON: fetch() of a local file is blocked under file://.
  fs.writeFileSync(a('search-index.js'), `window.LAB_SEARCH = ${JSON.stringify(index).replace(/</g, '\\u003c')};\n`);
  const mermaid = require.resolve('mermaid/dist/mermaid.min.js');
  const dst = a('mermaid.min.js');
  const st = fs.statSync(mermaid);
  const old = fs.statSync(dst, { throwIfNoEntry: false });
  if (!old || old.size !== st.size || old.mtimeMs < st.mtimeMs) fs.copyFileSync(mermaid, dst);
}

const RUN: [string, string][] = [
  ['start', '환경을 만들고 첫 과제 보기'],
  ['hint', '지금 할 일과 명령'],
  ['check', '자가 점검 (모두 통과하면 exit 0)'],
  ['run', '모든 단계를 자동 실행'],
];
const runHtml = (id: string) => `<dl>${RUN.map(([c, d]) => `<dt><code>npx lab ${c} ${id}</code></dt><dd>${d}</dd>`).join('')}</dl>`;

function lessonAside(l: Lesson, progress: ProgressMap): string {
  let h = '';
  if (l.r.toc.length) {
    h += `<nav class="toc" aria-label="목차"><h2>목차</h2><ol>\n`;
    for (const t of l.r.toc) h += `<li class="l${t.level}"><a href="#${escapeHtml(t.id)}">${escapeHtml(t.text)}</a></li>\n`;
    h += `</ol></nav>\n`;
  }
  h += `<section class="panel run"><h2>실행 방법</h2>${runHtml(l.id)}</section>\n`;
  if (!l.topic) return h + `<section class="panel"><p class="pending">이 주제의 실습 시나리오와 점검은 아직 준비 중입니다.</p></section>\n`;
  const shown = new Set(l.r.stepIds);
  h += `<section class="panel steps"><h2>실습 단계</h2><ol>\n`;
  for (const s of l.topic.steps) {
    const label = `${escapeHtml(s.title.ko)}${s.kind === 'setup' ? ' <span class="badge setup">준비</span>' : ''}`;
    h += `<li>${shown.has(s.id) ? `<a href="#step-${escapeHtml(s.id)}">${label}</a>` : label}</li>\n`;
  }
  h += `</ol></section>\n`;
  const status = statusOf(progress, l.id);
  h += `<section class="panel checks"><h2>자동 점검</h2>`;
  if (progress[l.id]) {
    const ok = progress[l.id]!.results.filter((r) => r.ok).length;
    h += `<p class="progress-line" data-topic="${l.id}">최근 점검: ${ok}/${progress[l.id]!.results.length} 통과</p>`;
  }
  h += `<ul>\n`;
  for (const c of l.checks ?? []) {
    h += `<li data-check-aside="${escapeHtml(c.id)}">${statusMark(status?.[c.id])}${l.r.hasChecks ? `<a href="#check-${escapeHtml(c.id)}">${escapeHtml(c.title)}</a>` : escapeHtml(c.title)}`;
    if (c.hint) h += `<details><summary>${CHECK_HINT_LABEL}</summary>${escapeHtml(c.hint)}</details>`;
    h += `</li>\n`;
  }
  return h + `</ul></section>\n`;
}

function indexBody(lessons: Lesson[], progress: ProgressMap, coverage: string): string {
  let h = `<article class="home">
<h1>Vault 프로덕션 실습</h1>
<p class="lead">OpenBao/HashiCorp Vault를 실제로 띄워 보며 HA, 인증, TLS, 운영을 익히는 실습입니다. 각 주제의 레슨을 읽고,
터미널에서 <code>npx lab start &lt;주제&gt;</code>로 환경을 만든 다음, <code>npx lab check &lt;주제&gt;</code>로 스스로 점검하세요.</p>
<h2 id="topics">주제</h2>
<ol class="topics">\n`;
  for (const l of lessons) {
    const p = progress[l.id];
    const ok = p ? p.results.filter((r) => r.ok).length : 0;
    const total = p ? p.results.length : 0;
    const pct = total ? Math.round((ok / total) * 100) : 0;
    h += `<li class="topic-card" data-topic="${l.id}"><a class="topic-link" href="${l.id}.html"><span class="topic-id">${l.id}</span><strong>${escapeHtml(l.r.title)}</strong></a>`;
    if (l.topic) h += `<p>${escapeHtml(l.topic.summary.ko)}</p>`;
    else h += `<p class="pending">실습 시나리오 준비 중</p>`;
    h += `<div class="meta">`;
    if (l.checks) h += `<span>점검 ${l.checks.length}개</span>`;
    if (l.r.mermaid) h += `<span>다이어그램 ${l.r.mermaid}개</span>`;
    h += `</div>`;
    if (p) {
      h += `<div class="progress" data-ok="${ok}" data-total="${total}"><div class="bar"><div style="width:${pct}%"></div></div><span class="progress-text">${ok}/${total} 통과${ok === total ? ' 🎉' : ''}</span>${p.at ? ` <time datetime="${escapeHtml(p.at)}">${escapeHtml(p.at.slice(0, 16).replace('T', ' '))}</time>` : ''}</div>`;
    } else h += `<div class="progress none">아직 점검 기록 없음</div>`;
    h += `</li>\n`;
  }
  h += `</ol>
<h2 id="order">학습 순서</h2>
<p>학습 노트는 VSO를 가장 먼저 다루지만, VSO는 Kubernetes 인증 위에서 동작합니다. 그래서 <a href="vault-k8s.html">vault-k8s</a>로
Vault 자체를 익히고, <a href="k8s-auth.html">k8s-auth</a>로 Kubernetes 인증을 설정한 다음 <a href="vso.html">vso</a>로 넘어가기를 권합니다.
나머지(<a href="ha-failover.html">ha-failover</a>, <a href="ldap.html">ldap</a>, <a href="tls.html">tls</a>, <a href="mcp.html">mcp</a>,
<a href="production.html">production</a>)는 vault-k8s 뒤라면 어느 순서로 해도 됩니다. 용어는 <a href="glossary.html">용어집</a>에 모아 두었습니다.</p>
<h2 id="coverage">학습 노트의 어디를 어느 레슨에서 다루나</h2>
<p>학습 노트의 절마다 그 내용을 다루는 레슨의 절로 연결합니다.</p>
${coverage}
<h2 id="progress">진행 상황 반영하기</h2>
<p>진행 표시는 사이트를 만들 때 로컬에 있는 최근 점검 결과(<code>$LAB_HOME/&lt;주제&gt;/progress.json</code>)에서 가져옵니다.
점검 ID와 통과 여부만 담기며 토큰이나 키 같은 비밀 값은 들어가지 않습니다. 결과 파일을 직접 줄 수도 있습니다.</p>
${highlight('npx lab check ha-failover --json > results.json\nnpx lab site build --results results.json\nnpx lab site serve   # http://127.0.0.1:8080', 'bash')}
</article>`;
  return h;
}

function layout(p: { title: string; nav: { id: string; title: string }[]; current: string; mermaid: boolean; body: string; aside: string }): string {
  const nav = p.nav.map((n) => `<li><a href="${n.id}.html"${n.id === p.current ? ' aria-current="page"' : ''}><span class="topic-id">${n.id}</span> ${escapeHtml(n.title)}</a></li>`).join('\n');
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(p.title)} · vault-lab</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/site.css">
</head>
<body${p.aside ? ' class="with-aside"' : ''}>
<header class="top">
<button class="menu" type="button" aria-label="주제 목록" aria-expanded="false" aria-controls="sitenav">☰</button>
<a class="brand" href="index.html">vault-lab <span>학습 사이트</span></a>
<div class="search" role="search">
<input id="q" type="search" placeholder="레슨 검색 (예: 봉인 해제)" aria-label="레슨 검색" autocomplete="off">
<ol id="results" class="results" hidden></ol>
</div>
</header>
<div class="wrap">
<nav id="sitenav" class="sitenav" aria-label="주제"><a class="home-link" href="index.html">처음으로</a><ol>
${nav}
</ol><a class="home-link" href="glossary.html"${p.current === 'glossary' ? ' aria-current="page"' : ''}>용어집</a></nav>
<main>
${p.body}
</main>
${p.aside ? `<aside class="side">\n${p.aside}</aside>` : ''}
</div>
<footer>vault-lab · 이 사이트는 <code>npx lab site build</code>로 만든 정적 파일이며 네트워크 없이 동작합니다.</footer>
<script src="assets/search-index.js"></script>
${p.mermaid ? '<script src="assets/mermaid.min.js"></script>\n' : ''}<script src="assets/site.js"></script>
</body>
</html>
`;
}
