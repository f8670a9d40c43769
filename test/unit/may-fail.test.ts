/** Issue 19, defect 11: a line the lesson expects to be refused (`mayFail`) must not pass off a missing program as a refusal. */
import { describe, expect, it } from 'vitest';
import { labContext, useTempLabHome } from '../helpers.ts';

useTempLabHome('may-fail-');

describe('mayFail', () => {
  it('a refused command is returned; a program that is not installed is an error naming it', async () => {
    const ctx = await labContext('k8s-auth');
    const refused = await ctx.exec({ kind: 'exec', file: 'sh', args: ['-c', 'echo permission denied >&2; exit 2'], mayFail: true });
    expect(refused.exitCode).toBe(2);
    await expect(ctx.exec({ kind: 'exec', file: 'vault-lab-no-such-program', args: ['write', 'auth/kubernetes/login'], mayFail: true })).rejects.toThrow(/vault-lab-no-such-program is not installed/);
  });
});
