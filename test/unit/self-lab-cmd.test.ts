/**
 * `npx lab …` in a lesson (mcp's `lab mcp call`, ha-failover's `lab check`) is this lab itself: `lab solve` runs the
 * very line the hint shows, from this checkout with this Node, even where npx is not on PATH or the cwd is elsewhere
 * (npx resolves `lab` from the cwd). Before, mcp's solve ran bin/lab.js by hand beside the `npx lab` lines it showed.
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { LabDir } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { createPlatform } from '../../src/platforms/index.ts';
import { createContext } from '../../src/engine/context.ts';
import { Reporter } from '../../src/engine/reporter.ts';

useTempLabHome('self-lab-test-');

describe('npx lab as a command', () => {
  it('runs this lab, whatever PATH and cwd the caller has', async () => {
    const topic = await loadTopic('mcp');
    const lab = new LabDir(topic.id);
    const platform = await createPlatform('local', topic, lab);
    const shown: string[] = [];
    const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: { write: () => undefined }, stderr: { write: (s: string) => void shown.push(s) } });
    report.showCommands = true;
    const ctx = createContext(topic, platform, lab, report, 'en');
    const [path, cwd] = [process.env.PATH, process.cwd()];
    try {
      // No npx anywhere, and a folder without this project: the learner's npx could not find `lab` here.
      process.env.PATH = '/nonexistent-bin';
      process.chdir(os.tmpdir());
      const r = await ctx.exec({ kind: 'exec', file: 'npx', args: ['lab', '--version'] });
      expect(r.stdout).toMatch(/^vault-lab \d+\.\d+\.\d+/);
    } finally {
      process.env.PATH = path;
      process.chdir(cwd);
    }
    expect(shown.join('')).toContain('npx lab --version');
  });
});
