/**
 * The learner's latest check results, reduced to check ids and ok flags: nothing else (no why/fix text,
 * no addresses, no secrets) ever reaches the built pages.
 */
import fs from 'node:fs';
import { LabDir } from '../src/engine/state.ts';
import { LabError, Exit } from '../src/engine/errors.ts';
import { msg } from '../src/engine/i18n.ts';

export interface TopicProgress {
  at?: string;
  results: { id: string; ok: boolean }[];
}
export type ProgressMap = Record<string, TopicProgress>;

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

function clean(results: unknown): { id: string; ok: boolean }[] | undefined {
  if (!Array.isArray(results)) return undefined;
  const out: { id: string; ok: boolean }[] = [];
  for (const r of results as { id?: unknown; ok?: unknown }[]) {
    if (r && typeof r.id === 'string' && ID.test(r.id) && typeof r.ok === 'boolean') out.push({ id: r.id, ok: r.ok });
  }
  return out;
}

/** `lab check --json` output: one object, or an array of them (several topics). */
export function readResultsFile(file: string, topicIds: string[]): ProgressMap {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LabError(msg(`점검 결과 파일을 읽을 수 없습니다: ${file}`, `cannot read the results file: ${file}`), {
      exitCode: Exit.usage,
      hint: msg("'npx lab check <topic> --json > results.json'의 출력 파일을 주세요.", "Pass the output of 'npx lab check <topic> --json > results.json'."),
      detail: (e as Error).message,
    });
  }
  const out: ProgressMap = {};
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  for (const item of Array.isArray(data) ? data : [data]) {
    const o = item as { topic?: unknown; results?: unknown; at?: unknown };
    const results = clean(o?.results);
    if (typeof o?.topic !== 'string' || !topicIds.includes(o.topic) || !results) {
      throw new LabError(msg(`점검 결과 형식이 아닙니다: ${file}`, `not a check results file: ${file}`), {
        exitCode: Exit.usage,
        hint: msg("'npx lab check <topic> --json'의 출력이어야 합니다 (topic과 results 필드).", "It must be the output of 'npx lab check <topic> --json' (topic and results fields)."),
      });
    }
    out[o.topic] = { results, ...(typeof o.at === 'string' ? { at: o.at } : stat ? { at: stat.mtime.toISOString() } : {}) };
  }
  return out;
}

/** Each lab's progress.json lastCheck under LAB_HOME; a lab folder without one contributes nothing. */
export function readLabProgress(topicIds: string[], home?: string): ProgressMap {
  const out: ProgressMap = {};
  for (const id of topicIds) {
    let last;
    try {
      last = new LabDir(id, home).progress().lastCheck;
    } catch {
      continue; // a corrupt progress file must not break the study site
    }
    const results = clean(last?.results);
    if (last && results) out[id] = { results, ...(typeof last.at === 'string' ? { at: last.at } : {}) };
  }
  return out;
}
