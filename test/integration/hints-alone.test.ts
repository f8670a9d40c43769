/**
 * "Doing a topic by hand from the hints alone reaches all pass with no loop and no skipped action": a learner who
 * only ever pastes the command block `lab hint` shows into bash. Real OpenBao, real slapd; nothing runs `lab solve`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, learnerBash, pasteHints, useTempLabHome } from '../helpers.ts';
import { nonEmpty } from '../non-empty.ts';

const bash = (script: string, input?: string) => learnerBash(script, input !== undefined ? { input } : {});

describe.each(['ldap', 'tls', 'ha-failover'])('%s from the hints alone (real servers, bash)', (topicId) => {
  beforeAll(() => {
    useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('paste each hint until the ending: every step shown, none shown over and over, all pass', async () => {
    const started = await cli('start', topicId);
    expect(started.code, started.stderr).toBe(0);
    const { seen, ending } = await pasteHints(topicId, bash, { settleMs: 500 });
    expect(ending, seen.join('\n')).toMatch(/^all passed \((\d+)\/\1\)/m);
    expect(ending).toMatch(/^next topic: /m);
    // No loop: a step may come back while the cluster settles (autopilot, an election), never over and over.
    const counts = new Map<string, number>();
    for (const t of seen) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [t, n] of nonEmpty(counts)) expect(n, `${t} shown ${n} times:\n${seen.join('\n')}`).toBeLessThanOrEqual(3);
    const check = await cli('check', topicId, '--json');
    expect(check.code, check.stdout).toBe(0);
  });
});
