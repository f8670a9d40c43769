/**
 * A search index built at build time. Korean has no spaces between particles and stems (볼트에서, 봉인을),
 * so word tokens miss; instead every section's text is indexed by character bigrams, and the browser
 * confirms candidates with a substring match.
 */
export interface SearchSection {
  /** page file */
  p: string;
  /** page title */
  t: string;
  /** anchor id ('' for the top) */
  a: string;
  /** heading */
  h: string;
  /** plain text, lower-cased */
  x: string;
}

export interface SearchIndex {
  sections: SearchSection[];
  /** bigram → section numbers */
  grams: Record<string, number[]>;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

export function htmlToText(html: string): string {
  return html
    .replace(/<pre class="mermaid">[\s\S]*?<\/pre>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e)
    .replace(/\s+/g, ' ')
    .trim();
}

export const normalize = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();

export function bigrams(s: string): string[] {
  const out = new Set<string>();
  const chars = Array.from(s);
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = chars[i]! + chars[i + 1]!;
    if (!/\s/.test(g)) out.add(g);
  }
  return [...out];
}

/** Splits a rendered page at its h2/h3 headings (which carry ids from markdown-it-anchor). */
export function pageSections(page: string, title: string, html: string): SearchSection[] {
  const out: SearchSection[] = [];
  const re = /<h([23]) id="([^"]*)"[^>]*>([\s\S]*?)<\/h\1>/g;
  let last = 0;
  let cur = { a: '', h: title };
  let m: RegExpExecArray | null;
  const flush = (end: number) => {
    const x = normalize(htmlToText(html.slice(last, end)));
    if (x || cur.a) out.push({ p: page, t: title, a: cur.a, h: cur.h, x });
  };
  while ((m = re.exec(html))) {
    flush(m.index);
    cur = { a: m[2]!, h: htmlToText(m[3]!.replace(/<a class="anchor"[\s\S]*?<\/a>/, '')) };
    // The heading is kept in h (searched and shown apart), not repeated in the text.
    last = m.index + m[0].length;
  }
  flush(html.length);
  return out;
}

export function buildIndex(sections: SearchSection[]): SearchIndex {
  const grams: Record<string, number[]> = {};
  sections.forEach((s, i) => {
    for (const g of bigrams(`${normalize(s.h)} ${s.x}`)) (grams[g] ??= []).push(i);
  });
  return { sections, grams };
}

/** The same lookup the browser runs (site/theme/site.js), here for unit tests. */
export function search(index: SearchIndex, query: string): SearchSection[] {
  const terms = normalize(query).split(' ').filter(Boolean);
  if (!terms.length) return [];
  let cand: Set<number> | undefined;
  for (const term of terms) {
    const gs = bigrams(term);
    for (const g of gs) {
      const hits = new Set(index.grams[g] ?? []);
      cand = cand ? new Set([...cand].filter((i) => hits.has(i))) : hits;
    }
  }
  const pool = cand ? [...cand] : index.sections.map((_, i) => i);
  return pool
    .map((i) => index.sections[i]!)
    .filter((s) => terms.every((t) => `${normalize(s.h)} ${s.x}`.includes(t)));
}
