/** The topics, as data handed in by the entry point. Scenario modules are small; checkers load only when a check runs. */
import type { Server } from 'node:http';
import type { CheckerHandle, Topic, TopicDef } from './types.ts';
import { usageError } from './errors.ts';
import { msg } from './i18n.ts';

export interface CatalogueEntry {
  id: string;
  load: () => Promise<Topic>;
}
export type Catalogue = CatalogueEntry[];

/** Pairs a scenario module with its checker module; the id must match the topic's own (checked on load). */
export function defineTopic(id: string, steps: () => Promise<{ topic: TopicDef }>, checks: () => Promise<{ checker: CheckerHandle }>): CatalogueEntry {
  const checker = async () => (await checks()).checker;
  return {
    id,
    load: async () => {
      const { topic } = await steps();
      if (topic.id !== id) throw new Error(`catalogue entry '${id}' loads topic '${topic.id}'`);
      return { ...topic, checker };
    },
  };
}

/** Content the entry point provides: the catalogue, and the study-site builder for `lab site`. */
export interface Content {
  catalogue: Catalogue;
  site?: () => Promise<SiteModule>;
}
/** The study site as `lab site` uses it (site/index.ts). */
export interface SiteModule {
  buildSite(opts: { outDir: string; resultsFile?: string }): Promise<{ pages: unknown[]; warnings: string[]; ms: number; outDir: string }>;
  createSiteServer(dir: string): Server;
  listen(server: Server, port: number): Promise<number>;
  defaultOutDir: string;
}

let content: Content | undefined;
/** In the study note's order; filled by provideContent. */
export let topicIds: string[] = [];

export function provideContent(c: Content): void {
  content = c;
  topicIds = c.catalogue.map((e) => e.id);
}

export function providedContent(): Content {
  if (!content) throw new Error('no content: the entry point (bin/lab.js, test/setup.ts) must call provideContent()');
  return content;
}

export async function loadTopic(id: string): Promise<Topic> {
  const entry = providedContent().catalogue.find((e) => e.id === id);
  if (!entry) throw unknownTopic(id);
  return entry.load();
}

/** Topics whose scenario exists (a topic may be listed before its scenario lands). */
export async function loadAll(): Promise<Topic[]> {
  const out: Topic[] = [];
  for (const id of topicIds) {
    try {
      out.push(await loadTopic(id));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    }
  }
  return out;
}

export function suggest(input: string, options: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = distance(input.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best !== undefined && (bestD <= Math.max(2, Math.floor(best.length / 3)) || best.includes(input) || input.includes(best)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function unknownTopic(id: string) {
  const s = suggest(id, topicIds);
  return usageError(
    msg(`알 수 없는 주제입니다: '${id}'.${s ? ` 혹시 '${s}' 인가요?` : ''}`, `unknown topic '${id}'.${s ? ` Did you mean '${s}'?` : ''}`),
    msg(`주제 목록: ${topicIds.join(', ')} (npx lab list)`, `topics: ${topicIds.join(', ')} (npx lab list)`),
  );
}
