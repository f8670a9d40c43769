/**
 * Korean lint: one term per idea and attached particles, everywhere a learner reads Korean (lessons, the glossary, step
 * and check messages, the CLI's messages, the site's own text).
 *
 *   node scripts/lint-ko.ts            lint the repository; exit 1 with file:line for each finding
 *
 * Rules: (1) the glossary's "쓰지 않는 말" column and its "피하는 표현" table are banned (an entry with a
 * parenthesised qualifier depends on context and is left to the reader); (2) a particle is written against the Latin
 * word, code or number before it ("Secret에는", never "Secret 에는"); (3) no machine-like "을(를)"/"이(가)".
 * Markdown: fenced code except mermaid is skipped, inline code counts as one Latin word. TypeScript: only string
 * literals that contain Hangul are read, `${…}` counting as one Latin word. Real exceptions go in scripts/lint-ko.allow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Finding {
  file: string;
  line: number;
  rule: 'banned' | 'particle' | 'either-particle';
  text: string;
  detail: string;
}

export interface Rules {
  /** `inside`: allowed terms that contain the banned one ("자격 증명" holds "증명"): a match inside them is fine. */
  banned: { term: string; re: RegExp; use: string; inside: string[] }[];
}

const HANGUL = /[\uac00-\ud7a3]/;

/** Particles (and the copula) that attach to the word before them. Longest first, so 에는 wins over 에. */
const PARTICLES = [
  '으로부터', '로부터', '에서는', '에서도', '에서의', '이라는', '이라고', '이지만', '으로는', '으로도', '으로만', '이어야', '여야',
  '에서', '에는', '에도', '에만', '에게', '으로', '로는', '로도', '로만', '부터', '까지', '마다', '처럼', '보다', '이나', '이라', '라는',
  '라고', '이고', '이며', '이면', '이란', '이든', '입니다', '이다', '였', '이었', '하고', '이랑', '랑', '조차', '밖에', '뿐',
  '은', '는', '이', '가', '을', '를', '에', '로', '와', '과', '의', '도', '만', '나', '인',
];
const BEFORE = "[A-Za-z0-9`'\")\\]}%>]";
const AFTER = "(?=$|[\\s.,:;!?()\\]\"'`·…/~-])";
const PARTICLE_RE = new RegExp(`${BEFORE}( (${PARTICLES.join('|')}))${AFTER}`, 'gu');
const EITHER_RE = /[을를이가은는와과]\([을를이가은는와과]\)|\(으\)로|\((?:이|을|은|과)\)[가를는와]/gu;

/** Verb entries ("unseal하다") match every conjugation of the stem, spaced or not. */
function termPattern(term: string, allowed: string[]): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let body: string;
  const verb = /^(.*?)\s?(하다|되다)$/.exec(term);
  if (verb && /[A-Za-z]$/.test(verb[1]!)) body = `${esc(verb[1]!)}\\s?${verb[2] === '하다' ? '(?:하|해|했|합|함)' : '(?:되|돼|됐|됨|됩)'}`;
  else body = esc(term).replace(/ /g, '\\s+');
  // "과반" is banned but "과반수" is the word to use: never flag the start of an allowed term.
  const guards = allowed.filter((a) => a !== term && a.startsWith(term)).map((a) => `(?!${esc(a.slice(term.length))})`);
  const start = /^[A-Za-z]/.test(term) ? '(?<![A-Za-z])' : '';
  return new RegExp(`${start}${body}${guards.join('')}`, 'gu');
}

/** Banned variants from the glossary's tables. */
export function rulesFromGlossary(md: string): Rules {
  const banned: Rules['banned'] = [];
  const allowed: string[] = [];
  const rows: { use: string; avoid: string }[] = [];
  let header: string[] = [];
  for (const line of md.split('\n')) {
    if (!line.startsWith('|')) {
      header = [];
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (!header.length) {
      header = cells;
      continue;
    }
    if (cells.every((c) => /^-+$/.test(c))) continue;
    const use = cells[header.indexOf('쓰는 말')];
    const avoid = cells[header.indexOf('쓰지 않는 말')] ?? cells[header.indexOf('피하는 표현')];
    if (use === undefined || avoid === undefined) continue;
    rows.push({ use, avoid });
    allowed.push(...use.split(/,\s*/).map((u) => u.replace(/\(.*?\)/g, '').trim()).filter(Boolean));
  }
  for (const { use, avoid } of rows) {
    for (const raw of avoid.split(/,\s*/)) {
      const term = raw.trim();
      if (!term || /[()]/.test(term)) continue;
      banned.push({ term, re: termPattern(term, allowed), use, inside: allowed.filter((a) => a !== term && a.includes(term) && !a.startsWith(term)) });
    }
  }
  return { banned };
}

/** Korean text of one file, with its line numbers: prose of Markdown, Hangul string literals of TypeScript. */
export function koreanText(file: string, src: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  if (file.endsWith('.md')) {
    let fence: string | undefined;
    src.split('\n').forEach((l, i) => {
      const f = /^\s*(```+)(\w*)/.exec(l);
      if (f) {
        fence = fence === undefined ? (f[2] === 'mermaid' ? '' : 'skip') : undefined;
        return;
      }
      if (fence === 'skip' || !HANGUL.test(l)) return;
      out.push({ line: i + 1, text: l.replace(/`[^`]*`/g, '`C`').replace(/<!--.*?-->/g, '') });
    });
    return out;
  }
  // TypeScript: a small scanner (comments, '…', "…", `…${…}…` nested) collecting string literals.
  let i = 0;
  let line = 1;
  const stack: number[] = []; // brace depth of each open ${ in a template
  let depth = 0;
  const push = (start: number, text: string) => {
    if (HANGUL.test(text)) text.split('\n').forEach((t, k) => HANGUL.test(t) && out.push({ line: start + k, text: t }));
  };
  const readString = (q: string): void => {
    const startLine = line;
    let s = '';
    i++;
    while (i < src.length && src[i] !== q) {
      if (src[i] === '\\') {
        s += src[i + 1] === 'n' ? ' ' : (src[i + 1] ?? '');
        i += 2;
        continue;
      }
      if (src[i] === '\n') line++;
      s += src[i++];
    }
    i++;
    push(startLine, s);
  };
  // A template's text runs on across its ${…} (which counts as one Latin word, X): "${file} 이(가)" is one phrase.
  const pending: { s: string; startLine: number }[] = [];
  const readTemplate = (resume?: { s: string; startLine: number }): void => {
    const startLine = resume?.startLine ?? line;
    let s = resume?.s ?? '';
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\') {
        s += src[i + 1] === 'n' ? ' ' : (src[i + 1] ?? '');
        i += 2;
        continue;
      }
      if (c === '`') {
        i++;
        push(startLine, s);
        return;
      }
      if (c === '$' && src[i + 1] === '{') {
        pending.push({ s: s + 'X', startLine });
        i += 2;
        stack.push(depth);
        depth++;
        return;
      }
      if (c === '\n') line++;
      s += c;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) {
        if (src[i] === '\n') line++;
        i++;
      }
      i += 2;
    } else if (c === "'" || c === '"') {
      readString(c);
    } else if (c === '`') {
      i++;
      readTemplate();
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      depth--;
      i++;
      if (stack.length && stack[stack.length - 1] === depth) {
        stack.pop();
        readTemplate(pending.pop());
      }
    } else i++;
  }
  return out;
}

export function lintText(file: string, src: string, rules: Rules, opts: { skipBanned?: boolean } = {}): Finding[] {
  const findings: Finding[] = [];
  for (const { line, text } of koreanText(file, src)) {
    if (!opts.skipBanned) {
      for (const b of rules.banned) {
        for (const m of text.matchAll(b.re)) {
          const at = m.index;
          const within = b.inside.some((a) => {
            const k = a.indexOf(b.term);
            return text.slice(at - k, at - k + a.length) === a;
          });
          if (!within) findings.push({ file, line, rule: 'banned', text: m[0], detail: `'${b.term}' → ${b.use}` });
        }
      }
    }
    for (const m of text.matchAll(PARTICLE_RE)) findings.push({ file, line, rule: 'particle', text: m[0], detail: `붙여 씁니다: '${m[0].replace(' ', '')}'` });
    for (const m of text.matchAll(EITHER_RE)) findings.push({ file, line, rule: 'either-particle', text: m[0], detail: '앞말에 맞는 조사 하나로, 또는 조사가 필요 없게 고쳐 씁니다' });
  }
  return findings;
}

/** Allow-list lines: `<file> | <text the finding's line contains>`; # comments. */
export function parseAllow(text: string): { file: string; needle: string }[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const [file, ...rest] = l.split(' | ');
      return { file: file!.trim(), needle: rest.join(' | ').trim() };
    });
}

function walk(dir: string, exts: string[]): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'out' || e.name === 'node_modules' ? [] : walk(p, exts);
    return exts.some((x) => e.name.endsWith(x)) ? [p] : [];
  });
}

export function lintRepo(root: string): Finding[] {
  const rel = (p: string) => path.relative(root, p);
  const glossaryFile = path.join(root, 'site/glossary.ko.md');
  const rules = rulesFromGlossary(fs.readFileSync(glossaryFile, 'utf8'));
  const files = [
    ...walk(path.join(root, 'labs'), ['.md', '.ts']),
    ...walk(path.join(root, 'scenarios'), ['.ts']),
    ...walk(path.join(root, 'checkers'), ['.ts']),
    ...walk(path.join(root, 'src'), ['.ts']),
    ...walk(path.join(root, 'site'), ['.md', '.ts']),
  ];
  const allowFile = path.join(root, 'scripts/lint-ko.allow');
  const allow = fs.existsSync(allowFile) ? parseAllow(fs.readFileSync(allowFile, 'utf8')) : [];
  const findings: Finding[] = [];
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    const lines = src.split('\n');
    // The glossary names the banned variants on purpose.
    for (const x of lintText(rel(f), src, rules, { skipBanned: f === glossaryFile })) {
      const whole = lines[x.line - 1] ?? '';
      if (allow.some((a) => a.file === x.file && whole.includes(a.needle))) continue;
      findings.push(x);
    }
  }
  return findings;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const findings = lintRepo(root);
  for (const f of findings) console.log(`${f.file}:${f.line}: ${f.rule}: ${f.text.trim()} (${f.detail})`);
  console.log(findings.length ? `lint-ko: ${findings.length} finding(s)` : 'lint-ko: ok');
  process.exit(findings.length ? 1 : 0);
}
