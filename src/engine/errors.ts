import type { Msg } from './i18n.ts';

/** The CLI's documented exit codes. */
export const Exit = {
  ok: 0,
  checksFailed: 1,
  usage: 2,
  environment: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

/** The one user-facing error type: a bilingual message, an exit code and optional detail shown with -v. */
export class LabError extends Error {
  readonly text: Msg;
  readonly exitCode: ExitCode;
  readonly hint: Msg | undefined;
  readonly detail: string | undefined;
  constructor(text: Msg, opts: { exitCode?: ExitCode; hint?: Msg; detail?: string; cause?: unknown } = {}) {
    super(text.en, { cause: opts.cause });
    this.name = 'LabError';
    this.text = text;
    this.exitCode = opts.exitCode ?? Exit.environment;
    this.hint = opts.hint;
    this.detail = opts.detail;
  }
}

/** A port the lab needs is held by another process: no retry or data wipe helps, only freeing the port. */
export class PortHeldError extends LabError {
  readonly port: number;
  constructor(port: number, text: Msg, opts: { hint?: Msg } = {}) {
    super(text, { exitCode: Exit.environment, ...opts });
    this.name = 'PortHeldError';
    this.port = port;
  }
}

export const usageError = (text: Msg, hint?: Msg): LabError => new LabError(text, { exitCode: Exit.usage, ...(hint ? { hint } : {}) });
export const envError = (text: Msg, hint?: Msg, detail?: string): LabError =>
  new LabError(text, { exitCode: Exit.environment, ...(hint ? { hint } : {}), ...(detail ? { detail } : {}) });
