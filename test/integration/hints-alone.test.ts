/**
 * "Doing a topic by hand from the hints alone reaches all pass with no loop and no skipped action": a learner who
 * only ever pastes the command block `lab hint` shows into bash. Real OpenBao, real slapd; nothing runs `lab solve`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, commandBlock, learnerBash, useTempLabHome } from '../helpers.ts';

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
    const seen: string[] = [];
    let ending = '';
    for (let i = 0; i < 30 && !ending; i++) {
      const h = await bash(`eval "$(node bin/lab.js env ${topicId})"\nnode bin/lab.js hint ${topicId} --lang en`);
      expect(h.code, h.stderr).toBe(0);
      const title = /^■ \[\d+\/\d+\] (.*)$/m.exec(h.stdout)?.[1];
      if (!title) {
        if (/^all passed/m.test(h.stdout)) ending = h.stdout;
        else await new Promise((r) => setTimeout(r, 1000)); // steps done, a check still settling (voters after the rejoin)
        continue;
      }
      seen.push(title);
      const block = commandBlock(h.stdout);
      expect(block.trim(), h.stdout).not.toBe('');
      await bash(`eval "$(node bin/lab.js env ${topicId})"\nbash`, block);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(ending, seen.join('\n')).toMatch(/^all passed \((\d+)\/\1\)/m);
    expect(ending).toMatch(/^next topic: /m);
    // No loop: a step may come back while the cluster settles (autopilot, an election), never over and over.
    const counts = new Map<string, number>();
    for (const t of seen) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [t, n] of counts) expect(n, `${t} shown ${n} times:\n${seen.join('\n')}`).toBeLessThanOrEqual(3);
    const check = await cli('check', topicId, '--json');
    expect(check.code, check.stdout).toBe(0);
  });
});
