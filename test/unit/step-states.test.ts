/**
 * Where the steps stand once every check passes (CI, `check --watch` on a loaded machine): the verdict decides, so a
 * step's own probe that fails for a moment cannot redraw an all-pass dashboard as unfinished.
 */
import { describe, expect, it } from 'vitest';
import { stepStates } from '../../src/engine/runner.ts';
import type { CheckResult, LabContext, Step, Topic } from '../../src/engine/types.ts';
import { msg } from '../../src/engine/i18n.ts';

let asked = 0;
const step = (id: string, done: () => Promise<boolean>): Step => ({ id, kind: 'task', title: msg(id, id), task: msg(id, id), checks: [id], done }) as unknown as Step;
// A probe as a loaded machine answers it: it times out.
const timesOut = async () => {
  asked++;
  throw new Error('timeout');
};
const topic = { id: 't', steps: [step('a', async () => true), step('b', timesOut)] } as unknown as Topic;
const ctx = { topic, platform: { name: 'local' } } as unknown as LabContext;
const result = (id: string, ok: boolean) => ({ id, ok, title: id }) as CheckResult;

describe('stepStates', () => {
  it('every check passing: every step is done, and no probe is asked', async () => {
    asked = 0;
    const states = await stepStates(ctx, [result('a', true), result('b', true)]);
    expect(states.map((s) => [s.step.id, s.done])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(asked).toBe(0);
  });

  it('a check failing: each step asks its own probe (one that fails counts as not done)', async () => {
    asked = 0;
    const states = await stepStates(ctx, [result('a', true), result('b', false)]);
    expect(states.map((s) => [s.step.id, s.done])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(asked).toBe(1);
  });
});
