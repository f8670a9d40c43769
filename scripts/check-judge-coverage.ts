/**
 * The meta-test of the checks: in the unit tests' recorded verdicts (LAB_JUDGE_RECORD, see test/setup.ts), every check
 * of every topic must have failed at least once and passed at least once. A check that never fails in a fixture could
 * be replaced by `pass()` unnoticed; one that never passes could be `fail()`.
 *
 *   LAB_JUDGE_RECORD=test-results/judges.jsonl npx vitest run test/unit && node scripts/check-judge-coverage.ts test-results/judges.jsonl
 */
import fs from 'node:fs';
import { loadTopic, provideContent, topicIds } from '../src/engine/catalogue.ts';
import { catalogue } from '../scenarios/index.ts';

const file = process.argv[2] ?? 'test-results/judges.jsonl';
const seen = new Map<string, { pass: boolean; fail: boolean }>();
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line) as { topic: string; id: string; ok: boolean; flipped?: boolean };
  // A verdict re-judged on the other platform (for check-fix-render.ts) proves nothing about the fixtures.
  if (r.flipped) continue;
  const k = `${r.topic}/${r.id}`;
  const s = seen.get(k) ?? { pass: false, fail: false };
  if (r.ok) s.pass = true;
  else s.fail = true;
  seen.set(k, s);
}
provideContent({ catalogue });
const problems: string[] = [];
let total = 0;
for (const topic of topicIds) {
  const { checks } = await (await loadTopic(topic)).checker();
  for (const c of checks) {
    total++;
    const s = seen.get(`${topic}/${c.id}`);
    if (!s) problems.push(`${topic}/${c.id}: no unit test judges it`);
    else if (!s.fail) problems.push(`${topic}/${c.id}: never fails in a unit fixture`);
    else if (!s.pass) problems.push(`${topic}/${c.id}: never passes in a unit fixture`);
  }
}
for (const p of problems) console.log(p);
console.log(problems.length ? `judge coverage: ${problems.length} of ${total} checks not proven both ways` : `judge coverage: all ${total} checks fail in one fixture and pass in another`);
process.exit(problems.length ? 1 : 0);
