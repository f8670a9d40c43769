import { expect } from 'vitest';

/**
 * The list a `for … expect` loop walks, asserted non-empty first: a loop over nothing asserts nothing and passes, so
 * a gather that found no pids, no outputs or no checks would look green.
 */
export function nonEmpty<T>(items: Iterable<T>, what = 'the list a loop of assertions walks'): T[] {
  const all = [...items];
  expect(all.length, `${what} is empty: nothing was checked`).toBeGreaterThan(0);
  return all;
}
