/**
 * Every check's fix, rendered on both platforms (issue 20): from the unit tests' recorded verdicts (LAB_JUDGE_RECORD,
 * see test/setup.ts, which also re-judges each observation on the other platform), each failing verdict's `fixCmds` go
 * through the platform's renderer, the one steps use, and a kind rendering must hold no local-only form: a pid file
 * or log under $LAB_DIR/logs, a local node's 127.0.0.1:<port>, a bare `vault …` line (a kind learner runs Vault through
 * `kubectl exec`; the CLI is not on their PATH), a `kill` of a local process. Every check applying to kind must have
 * failed in a fixture judged there, so no fix goes unrendered.
 *
 *   LAB_JUDGE_RECORD=test-results/judges.jsonl npx vitest run test/unit && node scripts/check-fix-render.ts test-results/judges.jsonl
 */
import fs from 'node:fs';
import { loadTopic, provideContent, topicIds } from '../src/engine/catalogue.ts';
import { renderFor } from '../src/platforms/render.ts';
import type { Cmd, PlatformName } from '../src/engine/types.ts';
import type { Msg } from '../src/engine/i18n.ts';
import { catalogue } from '../scenarios/index.ts';

/** Forms that exist only on the local platform; each names why. */
export const LOCAL_ONLY: { re: RegExp; why: string }[] = [
  { re: /\$\{?LAB_DIR\}?\/logs\b/, why: 'a local log or pid file' },
  { re: /\.pid\b/, why: 'a local pid file' },
  { re: /(127\.0\.0\.1|localhost):\d+/, why: "a local node's address" },
  { re: /\bkill\s+-(9|TERM|KILL)\b/, why: 'kills a local process' },
  // `kubectl exec … -- vault …` and `sh -c '… exec vault …'` are kind's forms; a bare vault line is the local one.
  { re: /(?<!-- |exec |\w)(vault|bao) (operator|write|read|kv|auth|secrets|policy|token|status|login|audit|lease|list|delete|patch|unwrap)\b/, why: 'a bare vault CLI line (kind runs it through kubectl exec)' },
];

export function localOnly(text: string): string[] {
  return text.split('\n').flatMap((l) => LOCAL_ONLY.filter((f) => f.re.test(l)).map((f) => `${f.why}: ${l.trim()}`));
}

interface Rec {
  topic: string;
  id: string;
  ok: boolean;
  platform?: PlatformName;
  fix?: Msg;
  fixCmds?: Cmd[];
}

/** Every failing recorded verdict's fix rendered on each platform of its topic; the problems found, and how much was rendered. */
export async function fixRenderProblems(file: string): Promise<{ problems: string[]; rendered: number; checks: number }> {
  provideContent({ catalogue });
  const recs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Rec).filter((r) => !r.ok);
  const problems: string[] = [];
  let rendered = 0;
  let checks = 0;
  for (const id of topicIds) {
    const topic = await loadTopic(id);
    const { checks: defs } = await topic.checker();
    for (const p of topic.platforms) {
      const render = renderFor(p, topic);
      for (const c of defs) {
        const meta = c as { platforms?: PlatformName[] };
        if (meta.platforms && !meta.platforms.includes(p)) continue;
        checks++;
        // A verdict judged for the other platform may name that platform's tools in its note; the commands render anywhere.
        const mine = recs.filter((r) => r.topic === id && r.id === c.id && (r.platform === undefined || r.platform === p));
        if (!mine.length) problems.push(`${id}/${c.id} on ${p}: no unit fixture fails it there, so its fix is never rendered`);
        for (const r of mine) {
          for (const lang of ['ko', 'en'] as const) {
            const text = [r.fix?.[lang] ?? '', ...(r.fixCmds ?? []).map(render)].join('\n');
            rendered++;
            if (p === 'kind') for (const hit of localOnly(text)) problems.push(`${id}/${c.id} on kind (${lang}): ${hit}`);
          }
        }
      }
    }
  }
  return { problems: [...new Set(problems)], rendered, checks };
}

if (import.meta.main) {
  const { problems, rendered, checks } = await fixRenderProblems(process.argv[2] ?? 'test-results/judges.jsonl');
  for (const p of problems) console.log(p);
  console.log(problems.length ? `fix render: ${problems.length} problems in ${rendered} renderings of ${checks} check×platform` : `fix render: ${rendered} renderings of ${checks} check×platform, no local-only form on kind`);
  process.exit(problems.length ? 1 : 0);
}
