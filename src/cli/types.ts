/** What every command receives, and what it returns: the CLI's types, apart from main.ts so commands need not import it. */
import type { Lang } from '../engine/i18n.ts';
import type { Reporter, Out } from '../engine/reporter.ts';

export interface Io {
  stdout: Out & { isTTY?: boolean; columns?: number };
  stderr: Out & { isTTY?: boolean };
  /** The learner's shell environment (default process.env): `lab check`/`hint` compare it with the lab's. */
  env?: Record<string, string | undefined>;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  lang: Lang;
  report: Reporter;
  io: Io;
  json: boolean;
  signal: AbortSignal | undefined;
  /** Set for commands that change a lab: openLab takes the topic's lock (see engine/lock.ts). */
  lock?: { command: string; wait: boolean };
}
export type CommandFn = (a: CommandArgs) => Promise<number>;
