/** Test plumbing: a private LAB_HOME and port range per test file, and the CLI called in-process. */
import { expect } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main } from '../src/cli/main.ts';
import { LabDir } from '../src/engine/state.ts';
import { loadTopic } from '../src/engine/catalogue.ts';
import { createPlatform } from '../src/platforms/index.ts';
import { createContext } from '../src/engine/context.ts';
import { Reporter } from '../src/engine/reporter.ts';
import type { Cmd, LabContext, Verdict } from '../src/engine/types.ts';
import { renderFor } from '../src/platforms/render.ts';
import type { Lang } from '../src/engine/i18n.ts';
import { run } from '../src/exec.ts';
import { rootDir } from '../src/engine/paths.ts';

/**
 * The first port of the tests' range: TEST_PORT_BASE, default 28200. Below Linux's ephemeral range (32768–60999 by
 * default), so no outgoing connection is ever handed a port a test server is about to listen on; the kind emulator adds
 * 400 and fixed test ports stay under base + 600. Apart from the learner's default (18200).
 */
export const testPortBase = (): number => Number(process.env.TEST_PORT_BASE ?? 28200);

/** Each test file gets its own lab home; ports from testPortBase() so a learner's labs are untouched. */
export function useTempLabHome(prefix = 'vault-lab-test-'): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // Tests stop their servers in afterAll; the folder goes when the worker exits (KEEP_LAB_HOME=1 keeps it for a post-mortem).
  if (!process.env.KEEP_LAB_HOME) process.once('exit', () => fs.rmSync(home, { recursive: true, force: true }));
  process.env.LAB_HOME = home;
  process.env.LAB_PORT_BASE = String(testPortBase());
  process.env.NO_COLOR = '1';
  return home;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void ((stderr += s), process.env.LAB_TEST_ECHO && process.stderr.write(s)) },
  });
  return { code, stdout, stderr };
}

/** A LabContext for gather/solve calls from tests (what `lab check` would build). */
export async function labContext(topicId: string, lang: Lang = 'en'): Promise<LabContext> {
  const topic = await loadTopic(topicId);
  const lab = new LabDir(topicId);
  const platform = await createPlatform(lab.record()?.platform ?? 'local', topic, lab);
  const sink = { write: () => undefined };
  const report = new Reporter({ lang, color: false, verbose: false, stdout: sink, stderr: sink });
  return createContext(topic, platform, lab, report, lang);
}

export function failedIds(r: CliResult): string[] {
  const j = JSON.parse(r.stdout) as { results: { id: string; ok: boolean }[] };
  return j.results.filter((x) => !x.ok).map((x) => x.id);
}

/**
 * The learner's bash, in the checkout: `npx lab` is this checkout's CLI; PATH is `path` (the project's Node first by
 * default). Returns what the shell printed, never throws.
 */
export async function learnerBash(script: string, o: { input?: string; path?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const prelude = `npx() { if [ "$1" = lab ]; then shift; node bin/lab.js "$@"; else command npx "$@"; fi; }`;
  const PATH = o.path ?? `${rootDir}node_modules/.bin:${process.env.PATH}`;
  const r = await run('bash', ['-c', `${prelude}\n${script}`], { cwd: rootDir, reject: false, timeoutMs: o.timeoutMs ?? 120_000, env: { PATH }, ...(o.input !== undefined ? { input: o.input } : {}) });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** The lines after the first blank line of `lab hint`'s step, up to the next blank line: what a learner selects and pastes. */
export function commandBlock(hint: string): string {
  const lines = hint.split('\n');
  const start = lines.findIndex((l) => l.startsWith('■'));
  const from = lines.indexOf('', start);
  const to = lines.indexOf('', from + 1);
  return lines.slice(from + 1, to < 0 ? undefined : to).join('\n');
}

/** A port the kernel says is free now: a fixed port in the ephemeral range can be held by a client socket (seen once). */
export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

type Bash = (script: string, input?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * A learner who only ever pastes the command block `lab hint` shows into `bash`, until the hint says all passed (at
 * most 30 rounds). Returns the step titles shown, in order, the blocks pasted, and the ending ('' when none came).
 */
export async function pasteHints(topicId: string, bash: Bash, o: { settleMs?: number; afterPaste?: (title: string, block: string, out: { stdout: string; stderr: string }) => Promise<void> } = {}): Promise<{ seen: string[]; blocks: string[]; ending: string }> {
  const seen: string[] = [];
  const blocks: string[] = [];
  let ending = '';
  for (let i = 0; i < 30 && !ending; i++) {
    const h = await bash(`eval "$(node bin/lab.js env ${topicId})"\nnode bin/lab.js hint ${topicId} --lang en`);
    expect(h.code, h.stderr).toBe(0);
    const title = /^■ \[\d+\/\d+\] (.*)$/m.exec(h.stdout)?.[1];
    if (!title) {
      if (/^all passed/m.test(h.stdout)) ending = h.stdout;
      else await new Promise((r) => setTimeout(r, 1000)); // steps done, a check still settling (voters after the rejoin)
      continue;
    }
    seen.push(title);
    const block = commandBlock(h.stdout);
    expect(block.trim(), h.stdout).not.toBe('');
    blocks.push(block);
    const pasted = await bash(`eval "$(node bin/lab.js env ${topicId})"\nbash`, block);
    await o.afterPaste?.(title, block, pasted);
    if (o.settleMs) await new Promise((r) => setTimeout(r, o.settleMs));
  }
  return { seen, blocks, ending };
}

/** The command lines `lab solve` printed (stderr) while it ran one step: between its `[i/n] title …` and `✓ title`. */
export function ranLines(stderr: string, title: string): string[] {
  const lines = stderr.split('\n');
  const from = lines.findIndex((l) => l.endsWith(`] ${title} …`));
  const to = lines.findIndex((l, i) => i > from && l.trim().startsWith(`✓ ${title}`));
  expect(from, stderr).toBeGreaterThanOrEqual(0);
  expect(to, stderr).toBeGreaterThan(from);
  return lines.slice(from + 1, to);
}

/** How a topic's commands look on a platform (a judge's `fixCmds` included): the renderer `lab check` uses there. */
export async function renderOn(platform: 'local' | 'kind', topicId: string): Promise<(c: Cmd) => string> {
  return renderFor(platform, await loadTopic(topicId));
}

/** A verdict's whole fix as the learner reads it: the note, then each command rendered (`render` from renderOn). */
export function fixText(v: Verdict, render: (c: Cmd) => string, lang: Lang = 'en'): string {
  return [v.fix?.[lang] ?? '', ...(v.fixCmds ?? []).map(render)].filter(Boolean).join('\n');
}
