/** `[step]` of hint/solve/reset: an id or the number `lab hint` shows; `--help` lists them; another platform's step says so. */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, useTempLabHome } from '../helpers.ts';

describe('step names and numbers (issue 22, item 7)', () => {
  beforeAll(() => {
    useTempLabHome();
  });

  it('lab hint k8s-auth 6 is the step the hint numbers [6/8]; the id works too', async () => {
    const n = await cli('hint', 'k8s-auth', '6', '--lang', 'en');
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toMatch(/^■ \[6\/8\] Log in with the SA token$/m);
    const id = await cli('hint', 'k8s-auth', 'login', '--lang', 'en');
    expect(id.stdout).toBe(n.stdout);
  });

  it('a number past the last step is a usage error listing the numbered ids', async () => {
    const r = await cli('hint', 'k8s-auth', '9', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/numbers its steps 1 to 8/);
    expect(r.stderr).toMatch(/6 login, 7 refusals, 8 recreate/);
  });

  it('--help of hint, solve and reset lists the step ids with their numbers, per platform', async () => {
    for (const c of ['hint', 'solve', 'reset']) {
      const r = await cli(c, 'vso', '--help', '--lang', 'en');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^ {2}vso \(local, with ESO\): 1 by-hand, 2 secret-store, 3 external-secret, 4 drift$/m);
      expect(r.stdout).toMatch(/^ {2}vso \(kind, with VSO\): 1 install, 2 auth, 3 static-secret$/m);
    }
  });

  it("a kind-only step read on local says it is not this lab's to do", async () => {
    const r = await cli('hint', 'vso', 'static-secret', '--lang', 'en');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/step 'static-secret' is done on kind only: nothing to do in this local lab/);
    expect(r.stdout).toMatch(/^■ \[kind\] /m);
  });
});
