/** Ctrl-C wins over the error it causes (CI: `lab run` interrupted at the drill exited 3, "no active node to stop"). */
import { afterEach, describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/main.ts';
import { LabError, Exit } from '../../src/engine/errors.ts';
import { msg } from '../../src/engine/i18n.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { setAbortSignal } from '../../src/engine/poll.ts';

const reporter = () => {
  const out: string[] = [];
  const sink = { write: (s: string) => void out.push(s) };
  return { out, r: new Reporter({ lang: 'en', color: false, verbose: false, stdout: sink, stderr: sink }) };
};

describe('reportError', () => {
  afterEach(() => setAbortSignal(undefined));
  it('an error that arrives after Ctrl-C is reported as the interruption (exit 130), not as a finding', () => {
    const c = new AbortController();
    setAbortSignal(c.signal);
    c.abort();
    const { out, r } = reporter();
    expect(reportError(new LabError(msg('x', 'no active node to stop: finish the cluster first.')), r, false)).toBe(Exit.interrupted);
    expect(out.join('')).toContain('interrupted');
    expect(out.join('')).not.toContain('no active node');
  });
  it('without Ctrl-C the error is itself', () => {
    setAbortSignal(new AbortController().signal);
    const { out, r } = reporter();
    expect(reportError(new LabError(msg('x', 'no active node to stop: finish the cluster first.')), r, false)).toBe(Exit.environment);
    expect(out.join('')).toContain('no active node to stop');
  });
});
