/** What bin/lab.js does before main(): hand the content to the engine. Every test file runs with it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { loadTopic, provideContent, topicIds } from '../src/engine/catalogue.ts';
import type { CheckDef, Verdict } from '../src/engine/types.ts';
import { catalogue } from '../scenarios/index.ts';

provideContent({ catalogue, site: () => import('../site/index.ts') });

// The kind toolchain scripts/build-kind.sh leaves on this machine (real kind, kubectl, helm, its dockerd) must never reach
// a test that fakes the cluster: only test/kind/ points LAB_CACHE_DIR back at the real one.
process.env.LAB_CACHE_DIR = path.join(os.tmpdir(), 'vault-lab-tests-no-kind-toolchain');

// With LAB_JUDGE_RECORD=<file>, every verdict a unit test gets from a judge is recorded, so
// scripts/check-judge-coverage.ts can prove that every check fails in some fixture and passes in another.
const record = process.env.LAB_JUDGE_RECORD;
if (record) {
  for (const topic of topicIds) {
    const { checks } = await (await loadTopic(topic)).checker();
    for (const c of checks as CheckDef<unknown>[]) {
      const judge = c.judge;
      c.judge = (s) => {
        const v = judge(s);
        const file = expect.getState().testPath ?? '';
        if (!file.includes('/test/unit/')) return v;
        const line = (w: Verdict, platform: unknown, flipped?: true) =>
          JSON.stringify({ topic, id: c.id, ok: w.ok, ...(flipped ? { flipped } : {}), ...(w.ok ? {} : { platform, fix: w.fix, fixCmds: w.fixCmds }) }) + '\n';
        const platform = (s as { platform?: unknown } | undefined)?.platform;
        fs.appendFileSync(record, line(v, platform));
        // The same observations judged on the other platform: scripts/check-fix-render.ts renders every fix on both.
        if (platform === 'local' || platform === 'kind') {
          const other = platform === 'local' ? 'kind' : 'local';
          let w: Verdict | undefined;
          try {
            w = judge({ ...(s as object), platform: other });
          } catch {
            w = undefined;
          }
          if (w && !w.ok) fs.appendFileSync(record, line(w, other, true));
        }
        return v;
      };
    }
  }
}
