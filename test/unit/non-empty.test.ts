/** The guard every `for … expect` loop walks through: a loop over nothing must fail, not pass. */
import { describe, expect, it } from 'vitest';
import { nonEmpty } from '../non-empty.ts';

describe('nonEmpty', () => {
  it('fails on an empty list, map or iterator, naming what was empty', () => {
    expect(() => nonEmpty([], 'pids')).toThrow(/pids is empty: nothing was checked/);
    expect(() => nonEmpty(new Map())).toThrow(/is empty/);
    expect(() => nonEmpty('x'.matchAll(/y/g))).toThrow(/is empty/);
  });
  it('passes the items through, an iterator read once', () => {
    expect(nonEmpty(new Map([['a', 1]]))).toEqual([['a', 1]]);
    expect(nonEmpty('a1b2'.matchAll(/\d/g)).map((m) => m[0])).toEqual(['1', '2']);
  });
});
