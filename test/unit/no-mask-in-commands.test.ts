/**
 * Redaction never changes a line a learner is told to paste. The lab registers what it reads from live state (a
 * Kubernetes Secret's data, a KV value) as secret; when that value is the lesson's own demo value (`static-user`,
 * `rotated-password-2`), masking it turned `vault kv put … username=static-user` into one that stores `****`.
 */
import { describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { LabDir } from '../../src/engine/state.ts';
import { loadAll } from '../../src/engine/catalogue.ts';
import { createPlatform } from '../../src/platforms/index.ts';
import { createContext } from '../../src/engine/context.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { forgetSecrets, registerSecret } from '../../src/engine/redact.ts';
import { checks as vsoChecks, type State as VsoState } from '../../checkers/vso.ts';
import type { Topic } from '../../src/engine/types.ts';

useTempLabHome('no-mask-test-');

/** Every literal value after `=` (no $VARS): the worst case of what the lab might also read back as a secret. */
const literals = (line: string): string[] => [...line.matchAll(/=([^\s'"$]{6,})/g)].map((m) => m[1]!).filter((v) => !v.includes('$'));

async function printed(topic: Topic, platformName: 'local' | 'kind', lines: () => string[]): Promise<{ shown: string; want: string }> {
  const lab = new LabDir(topic.id);
  const platform = await createPlatform(platformName, topic, lab);
  let out = '';
  const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: { write: (s: string) => void (out += s) }, stderr: { write: () => undefined } });
  createContext(topic, platform, lab, report, 'en');
  const want = lines().join('\n');
  for (const l of want.split('\n')) report.out(l);
  return { shown: out.replace(/\n$/, ''), want };
}

describe('no mask inside a runnable line', () => {
  it('every step command of every topic, on every platform, prints as rendered while its literal values are registered secrets', async () => {
    const topics = await loadAll();
    let n = 0;
    for (const topic of topics) {
      for (const name of topic.platforms) {
        const lab = new LabDir(topic.id);
        const platform = await createPlatform(name, topic, lab);
        const render = () => topic.steps.filter((s) => !s.platforms || s.platforms.includes(name)).flatMap((s) => (s.commands ?? []).map((c) => platform.render(c)));
        forgetSecrets();
        for (const v of render().flatMap(literals)) registerSecret(v);
        const { shown, want } = await printed(topic, name, render);
        expect(shown, `${topic.id} on ${name}`).toBe(want);
        expect(shown).not.toContain('****');
        n += want.split('\n').length;
      }
    }
    expect(n).toBeGreaterThan(200);
  });

  it("vso: the check's fix (vault kv put …) with the Secret's values registered, as gather does", async () => {
    const topic = (await loadAll()).find((t) => t.id === 'vso')!;
    for (const v of ['static-user', 'static-password', 'rotated-password-2']) registerSecret(v);
    const state: VsoState = { platform: 'local', operatorKind: 'eso', vault: { username: 'static-user', password: 'static-password' }, vaultVersion: 1, vaultHistory: [] } as VsoState;
    const verdict = vsoChecks.find((c) => c.id === 'vault-change-synced')!.judge(state);
    const platform = await createPlatform('local', topic, new LabDir(topic.id));
    // The fix is command data, rendered as `lab check` renders it: redaction must leave that line alone.
    const fix = (verdict.fixCmds ?? []).map((c) => platform.render(c)).join('\n');
    expect(fix).toMatch(/^vault kv put /);
    const { shown } = await printed(topic, 'local', () => [fix]);
    expect(shown).toBe(fix);
  });
});
