/**
 * Lesson markdown → HTML. `<!-- lab:step ID -->` and `<!-- lab:checks -->` lines become tokens rendered
 * from the topic's own steps and checks, so a lesson cannot show a command the lab does not run.
 */
import markdownIt, { type Env, type MarkdownIt, type Token } from 'markdown-it';
import anchor from 'markdown-it-anchor';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import yaml from 'highlight.js/lib/languages/yaml';
import json from 'highlight.js/lib/languages/json';
import go from 'highlight.js/lib/languages/go';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import javascript from 'highlight.js/lib/languages/javascript';
import ldif from 'highlight.js/lib/languages/ldif';
import ini from 'highlight.js/lib/languages/ini';
import type { CheckMeta, Step, Topic } from '../src/engine/types.ts';
import { defaultPlatform, renderFor } from '../src/platforms/render.ts';
import { LabError, Exit } from '../src/engine/errors.ts';
import { msg } from '../src/engine/i18n.ts';
import { suggest } from '../src/engine/catalogue.ts';

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('yaml', yaml);
hljs.registerLanguage('json', json);
hljs.registerLanguage('go', go);
hljs.registerLanguage('python', python);
hljs.registerLanguage('sql', sql);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('ldif', ldif);
hljs.registerLanguage('ini', ini);
// HCL has no highlight.js grammar; its `key = "value"` lines read well enough as ini.
hljs.registerAliases(['hcl', 'terraform'], { languageName: 'ini' });
hljs.registerAliases(['sh', 'shell', 'console'], { languageName: 'bash' });
hljs.registerAliases(['js'], { languageName: 'javascript' });

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function highlight(code: string, lang: string): string {
  const l = lang && hljs.getLanguage(lang) ? lang : '';
  const body = l ? hljs.highlight(code, { language: l, ignoreIllegals: true }).value : escapeHtml(code);
  return `<pre class="code"><code class="hljs${l ? ` language-${escapeHtml(l)}` : ''}">${body}</code></pre>\n`;
}

/** Keeps Korean letters in ids (readable URLs); drops punctuation. */
export function slugify(s: string): string {
  return (
    s
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s-]/gu, '')
      .replace(/\s+/g, '-') || 'section'
  );
}

export interface CheckInfo {
  id: string;
  title: string;
  hint?: string;
}

export interface LessonEnv extends Env {
  topicId: string;
  file: string;
  /** Undefined while the topic's scenario is not written yet. */
  topic?: Topic;
  checks?: CheckInfo[];
  /** check id → ok, from the learner's latest results. */
  status?: Record<string, boolean>;
}

export interface TocEntry {
  level: number;
  id: string;
  text: string;
}

export interface RenderedLesson {
  html: string;
  title: string;
  toc: TocEntry[];
  stepIds: string[];
  hasChecks: boolean;
  mermaid: number;
}

const DIRECTIVE = /^<!--\s*lab:(\S+)(?:\s+(\S+))?\s*-->\s*$/;

export function createMarkdown(): MarkdownIt {
  const md = markdownIt({ html: false, linkify: false, typographer: false, highlight: (code, lang) => highlight(code, lang) });
  md.use(anchor, { level: [2, 3], slugify, tabIndex: false, permalink: anchor.permalink.linkInsideHeader({ symbol: '#', placement: 'after', ariaHidden: true, class: 'anchor' }) });

  md.block.ruler.before('html_block', 'lab_directive', (state, startLine, _endLine, silent) => {
    const start = state.bMarks[startLine]! + state.tShift[startLine]!;
    const line = state.src.slice(start, state.eMarks[startLine]);
    const m = DIRECTIVE.exec(line);
    if (!m) return false;
    if (silent) return true;
    const token = state.push('lab_directive', '', 0);
    token.map = [startLine, startLine + 1];
    token.meta = { name: m[1], arg: m[2] };
    state.line = startLine + 1;
    return true;
  });

  md.renderer.rules.lab_directive = (tokens, idx, _opts, env) => renderDirective(tokens[idx]!, env as unknown as LessonEnv);

  // Folded answers (recap questions): exactly `<details><summary>…</summary>` and `</details>` on their own lines.
  // Raw HTML stays off; only these two forms are recognised, and the summary is rendered as inline markdown.
  md.block.ruler.before('html_block', 'lab_details', (state, startLine, _endLine, silent) => {
    const start = state.bMarks[startLine]! + state.tShift[startLine]!;
    const line = state.src.slice(start, state.eMarks[startLine]).trim();
    const open = /^<details><summary>(.+)<\/summary>$/.exec(line);
    if (!open && line !== '</details>') return false;
    if (silent) return true;
    const token = state.push(open ? 'lab_details_open' : 'lab_details_close', '', 0);
    token.map = [startLine, startLine + 1];
    if (open) token.meta = { summary: open[1] };
    state.line = startLine + 1;
    return true;
  });
  md.renderer.rules.lab_details_open = (tokens, idx) => `<details class="recap"><summary>${md.renderInline((tokens[idx]!.meta as { summary: string }).summary)}</summary>\n`;
  md.renderer.rules.lab_details_close = () => '</details>\n';

  const fence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, opts, env, self) => {
    const t = tokens[idx]!;
    if (t.info.trim() === 'mermaid') return `<pre class="mermaid">${escapeHtml(t.content)}</pre>\n`;
    return fence(tokens, idx, opts, env, self);
  };
  // highlight() already wraps in <pre>; markdown-it keeps that as is when the result starts with <pre.
  return md;
}

function buildError(env: LessonEnv, token: Token, en: string, ko: string, hint?: ReturnType<typeof msg>): LabError {
  const where = `${env.file}:${(token.map?.[0] ?? 0) + 1}`;
  return new LabError(msg(`${where}: ${ko}`, `${where}: ${en}`), { exitCode: Exit.checksFailed, ...(hint ? { hint } : {}) });
}

/** Fails the build on a directive the topic cannot satisfy; run before rendering. */
export function validateDirectives(tokens: Token[], env: LessonEnv): { stepIds: string[]; hasChecks: boolean } {
  const stepIds: string[] = [];
  let hasChecks = false;
  for (const t of tokens) {
    if (t.type !== 'lab_directive') continue;
    const { name, arg } = t.meta as { name: string; arg?: string };
    if (name === 'checks') {
      hasChecks = true;
      continue;
    }
    if (name !== 'step' || !arg) {
      throw buildError(env, t, `unknown lab directive '${name}' (use <!-- lab:step ID --> or <!-- lab:checks -->)`, `알 수 없는 lab 지시문입니다: '${name}' (<!-- lab:step ID --> 또는 <!-- lab:checks -->).`);
    }
    if (env.topic && !env.topic.steps.some((s) => s.id === arg)) {
      const ids = env.topic.steps.map((s) => s.id);
      const d = suggest(arg, ids);
      throw buildError(
        env,
        t,
        `topic '${env.topicId}' has no step '${arg}'.${d ? ` Did you mean '${d}'?` : ''}`,
        `'${env.topicId}' 주제에 '${arg}' 단계가 없습니다.${d ? ` 혹시 '${d}' 인가요?` : ''}`,
        msg(`단계: ${ids.join(', ')} — 레슨과 scenarios/${env.topicId}.ts 중 하나를 고치세요.`, `steps: ${ids.join(', ')} — fix the lesson or scenarios/${env.topicId}.ts.`),
      );
    }
    stepIds.push(arg);
  }
  return { stepIds, hasChecks };
}

export function stepCommands(topic: Topic, step: Step): string {
  const lines: string[] = [];
  // A step of one platform only (kind's in-cluster config, VSO's install) is shown as typed there.
  const shown = defaultPlatform(topic);
  const render = renderFor(step.platforms && !step.platforms.includes(shown) ? step.platforms[0]! : shown, topic);
  for (const c of step.commands ?? []) {
    if (c.note) lines.push(`# ${c.note.ko}`);
    lines.push(render(c));
  }
  return lines.join('\n');
}

function renderStep(topic: Topic, step: Step): string {
  const kind = step.kind === 'setup' ? '준비' : '과제';
  let h = `<section class="lab-step" id="step-${escapeHtml(step.id)}" data-step="${escapeHtml(step.id)}">\n`;
  h += `<div class="lab-step-head"><span class="badge ${step.kind}">${kind}</span> <strong>${escapeHtml(step.title.ko)}</strong> <code class="step-id">${escapeHtml(step.id)}</code></div>\n`;
  h += `<p>${escapeHtml(step.task.ko)}</p>\n`;
  const cmds = stepCommands(topic, step);
  if (cmds) h += highlight(cmds, 'bash');
  else if (step.kind === 'setup') h += `<p class="muted">이 단계는 <code>npx lab start ${escapeHtml(topic.id)}</code>가 대신 해 줍니다.</p>\n`;
  if (step.hint) h += `<p class="hint"><span>힌트</span> ${escapeHtml(step.hint.ko)}</p>\n`;
  if (step.checks?.length) h += `<p class="muted">이 단계로 통과하는 점검: ${step.checks.map((c) => `<a href="#check-${escapeHtml(c)}"><code>${escapeHtml(c)}</code></a>`).join(', ')}</p>\n`;
  h += `<p class="muted">자동 실행: <code>npx lab solve ${escapeHtml(topic.id)} ${escapeHtml(step.id)}</code></p>\n`;
  return h + '</section>\n';
}

export function statusMark(ok: boolean | undefined): string {
  if (ok === undefined) return '';
  return ok ? '<span class="st ok" title="통과">✓</span> ' : '<span class="st fail" title="실패">✗</span> ';
}

function renderChecks(env: LessonEnv): string {
  if (!env.checks) return `<p class="pending">이 주제의 자동 점검은 아직 준비 중입니다.</p>\n`;
  let h = `<ul class="lab-checks">\n`;
  for (const c of env.checks) {
    h += `<li id="check-${escapeHtml(c.id)}" data-check="${escapeHtml(c.id)}">${statusMark(env.status?.[c.id])}<strong>${escapeHtml(c.title)}</strong> <code>${escapeHtml(c.id)}</code>`;
    if (c.hint) h += `<div class="hint"><span>${CHECK_HINT_LABEL}</span> ${escapeHtml(c.hint)}</div>`;
    h += `</li>\n`;
  }
  h += `</ul>\n<p class="muted">점검 실행: <code>npx lab check ${escapeHtml(env.topicId)}</code></p>\n`;
  return h;
}

function renderDirective(token: Token, env: LessonEnv): string {
  const { name, arg } = token.meta as { name: string; arg?: string };
  if (name === 'checks') return renderChecks(env);
  if (!env.topic) return `<p class="pending">단계 <code>${escapeHtml(arg ?? '')}</code>: 이 주제의 실습 시나리오는 아직 준비 중입니다.</p>\n`;
  const step = env.topic.steps.find((s) => s.id === arg)!;
  return renderStep(env.topic, step);
}

/** A check's `hint` names the typical mistake it catches: not the step hint (힌트), not the lessons' own 자주 하는 실수. */
export const CHECK_HINT_LABEL = '이 점검이 잡는 실수';

export function checkInfos(checks: CheckMeta[]): CheckInfo[] {
  return checks.map((c) => ({ id: c.id, title: c.title.ko, ...(c.hint ? { hint: c.hint.ko } : {}) }));
}

export function renderLesson(md: MarkdownIt, src: string, env: LessonEnv): RenderedLesson {
  const tokens = md.parse(src, env);
  const { stepIds, hasChecks } = validateDirectives(tokens, env);
  const toc: TocEntry[] = [];
  let title = env.topicId;
  let mermaid = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'fence' && t.info.trim() === 'mermaid') mermaid++;
    if (t.type !== 'heading_open') continue;
    const text = tokens[i + 1]?.children?.filter((c: Token) => c.type === 'text' || c.type === 'code_inline').map((c: Token) => c.content).join('').trim() ?? '';
    if (t.tag === 'h1') title = text;
    else toc.push({ level: Number(t.tag.slice(1)), id: String(t.attrGet('id') ?? ''), text });
  }
  return { html: md.renderer.render(tokens, md.options, env), title, toc, stepIds, hasChecks, mermaid };
}
