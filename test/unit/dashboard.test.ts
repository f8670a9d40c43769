/** The dashboard's topic lines come from the topic itself (issue 20 item 5): ha-failover turns its observations into them. */
import { describe, expect, it } from 'vitest';
import { failoverLines, leaderObserved } from '../../labs/ha-failover/data.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';

describe('topic dashboard lines', () => {
  it('ha-failover: a leader change observed becomes "last leader change: from → to (within s)"', async () => {
    let o: Record<string, unknown> = {};
    o = leaderObserved(o, 'vault-0', 3, 3, 1_000);
    expect(failoverLines(o)).toEqual([]);
    o = leaderObserved(o, 'vault-1', 4, 2, 3_500);
    const [line, ...rest] = failoverLines(o);
    expect(rest).toEqual([]);
    expect(line!.en).toMatch(/^last leader change: vault-0 → vault-1 \(\d\d:\d\d:\d\d, within 2\.5s\)$/);
    expect(line!.ko).toContain('2.5초 이내');
    const topic = await loadTopic('ha-failover');
    expect(topic.dashboard?.(o)).toEqual(failoverLines(o));
  });

  it('ha-failover: leaders seen in turn without a timed change are still listed', () => {
    expect(failoverLines({ leaders: ['vault-0', 'vault-2'] })[0]!.en).toBe('leader changes observed: vault-0 → vault-2');
  });

  it('a topic without observations of its own adds nothing', async () => {
    const topic = await loadTopic('vault-k8s');
    expect(topic.dashboard).toBeUndefined();
  });
});
