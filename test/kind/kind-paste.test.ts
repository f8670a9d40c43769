/**
 * The study note's path as a learner walks it on a REAL kind cluster: `lab start <topic> --platform kind`, then only
 * the lines `lab hint` shows, pasted into a fresh bash each time, until `lab hint` says all passed (issue 19: "all pass
 * … by pasting only what `lab hint --platform kind` shows"). vault-k8s and vso are pasted in kind-cluster.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { learnerBash, pasteHints } from '../helpers.ts';
import { lab, passed, skip, useRealClusterLab } from './real-cluster.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { nonEmpty } from '../non-empty.ts';

const TOPICS = ['ha-failover', 'k8s-auth', 'ldap', 'tls', 'mcp', 'production'];

describe.skipIf(!!skip)('a learner on a real kind cluster, from the hints alone', () => {
  useRealClusterLab('kind-paste-', TOPICS);

  it.each(TOPICS)('%s: every step\'s pasted lines, in turn, end all pass', async (topicId) => {
    const t0 = Date.now();
    try {
      passed(await lab('start', topicId, '--platform', 'kind', '--lang', 'en'));
      const PATH = `${rootDir}node_modules/.bin:${process.env.PATH}`;
      const bash = (script: string, input?: string) => learnerBash(script, { path: PATH, timeoutMs: 600_000, ...(input !== undefined ? { input } : {}) });
      const { seen, ending } = await pasteHints(topicId, bash, { settleMs: 1000 });
      expect(ending, seen.join('\n')).toMatch(/^all passed \((\d+)\/\1\)/m);
      // A step is shown again only while it settles; a block that left its step undone would be shown over and over.
      // The cap is the local hints-alone test's: on a cluster autopilot promotes a new voter only after its
      // stabilization time (10 s by default; CI run E showed "Raft peers: 3 voters" three times), and the step's hint
      // tells the learner to look again after a few seconds.
      const counts = new Map<string, number>();
      for (const t of seen) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [t, n] of nonEmpty(counts)) expect(n, `${t} shown ${n} times:\n${seen.join('\n')}`).toBeLessThanOrEqual(3);
      console.log(`[kind] ${topicId} from the hints alone: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${seen.length} hints pasted`);
    } finally {
      // The next topic needs the namespace: one Vault release per cluster.
      passed(await lab('down', topicId));
    }
  }, 1_200_000);
});
