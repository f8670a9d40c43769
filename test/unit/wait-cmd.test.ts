/**
 * A wait is a command as data: the learner's `until … do sleep 1; done` line and the lab's poll ask the same probe. A
 * joining follower answers "sealed" for seconds after its last key (typed-commands failed on it in CI: the next step's
 * read through vault-1 got 503), so the lesson waits, and so does `lab solve`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { LabDir } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { createPlatform } from '../../src/platforms/index.ts';
import { createContext } from '../../src/engine/context.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { LabError } from '../../src/engine/errors.ts';
import type { Cmd } from '../../src/engine/types.ts';

useTempLabHome('wait-cmd-test-');

async function context(platformName: 'local' | 'kind') {
  const topic = await loadTopic('ha-failover');
  const lab = new LabDir(topic.id);
  const platform = await createPlatform(platformName, topic, lab);
  const shown: string[] = [];
  const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: { write: () => undefined }, stderr: { write: (s: string) => void shown.push(s) } });
  report.showCommands = true;
  return { topic, platform, shown, ctx: createContext(topic, platform, lab, report, 'en') };
}

describe('wait commands', () => {
  it('render as one until-loop per platform, with the probe each platform would run', async () => {
    const w: Cmd = { kind: 'wait', probe: { kind: 'vault', node: 1, args: ['status'] }, timeoutSec: 60 };
    const local = (await context('local')).platform.render(w);
    expect(local).toBe('until vault status -address="$VAULT_ADDR_1" > /dev/null 2>&1; do sleep 1; done');
    const kind = (await context('kind')).platform.render(w);
    expect(kind).toMatch(/^until kubectl --context "\$LAB_KUBE_CONTEXT" exec vault-1 -n vault -- vault status > \/dev\/null 2>&1; do sleep 1; done$/);
  });

  it('ha-failover waits for each follower to be unsealed before it reads through one (the CI flake)', async () => {
    const { topic, platform } = await context('local');
    const step = topic.steps.find((s) => s.id === 'unseal-followers')!;
    const lines = (step.commands ?? []).map((c) => platform.render(c));
    const lastKey = (n: number) => lines.findLastIndex((l) => l.includes(`-address="$VAULT_ADDR_${n}"`) && l.includes('sys/unseal'));
    for (const n of [1, 2]) {
      const wait = lines.indexOf(`until vault status -address="$VAULT_ADDR_${n}" > /dev/null 2>&1; do sleep 1; done`);
      expect(wait, lines.join('\n')).toBeGreaterThan(lastKey(n));
    }
  });

  it('the lab polls the probe until it succeeds, and shows the line once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wait-'));
    const flag = path.join(dir, 'ready');
    setTimeout(() => fs.writeFileSync(flag, ''), 700);
    const { ctx, shown } = await context('local');
    const t0 = Date.now();
    const r = await ctx.exec({ kind: 'wait', probe: { kind: 'exec', file: 'test', args: ['-e', flag] }, timeoutSec: 10 });
    expect(r.exitCode).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(shown.filter((l) => l.includes('until test -e'))).toHaveLength(1);
  });

  it('a probe that never succeeds ends at its deadline with an error naming the probe', async () => {
    const { ctx } = await context('local');
    const e = await ctx.exec({ kind: 'wait', probe: { kind: 'exec', file: 'false', args: [] }, timeoutSec: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).text.en).toContain('waited 1s');
    expect((e as LabError).text.en).toContain('false');
  });

  it('a guard (unless) skips a line whose effect is already there, and only then; the line shown is the line run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    const file = path.join(dir, 'made');
    const { ctx, shown } = await context('local');
    const touch: Cmd = { kind: 'exec', file: 'touch', args: [file], unless: async () => fs.existsSync(file) };
    await ctx.exec(touch);
    expect(fs.existsSync(file)).toBe(true);
    expect(shown.filter((l) => l.includes(`touch ${file}`))).toHaveLength(1);
    fs.writeFileSync(file, 'kept');
    await ctx.exec(touch);
    expect(shown.filter((l) => l.includes(`touch ${file}`))).toHaveLength(1);
    expect(fs.readFileSync(file, 'utf8')).toBe('kept');
  });
});
