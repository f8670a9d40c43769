/**
 * The one seam through which the lab starts processes: short commands (run) and long-lived servers (daemon).
 * A failed command keeps its command line and output, with secrets redacted.
 */
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { LabError, Exit } from './engine/errors.ts';
import { msg } from './engine/i18n.ts';
import { redact } from './engine/redact.ts';
import { currentAbortSignal, poll, throwIfAborted } from './engine/poll.ts';

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  /** When false a non-zero exit is returned, not thrown. */
  reject?: boolean;
  /**
   * The child writes its stdout straight into this file (made 0600 first), so what it printed is on disk even if this
   * process dies before reading it (unseal keys from `operator init`). The result's stdout is the file's content.
   */
  stdoutFile?: string;
}
export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
export const commandLine = (file: string, args: readonly string[]): string => [file, ...args].map(shellQuote).join(' ');

export class CommandError extends LabError {
  readonly result: RunResult;
  constructor(result: RunResult) {
    const out = redact(`${result.stderr}\n${result.stdout}`.trim()).split('\n').slice(-15).join('\n');
    super(msg(`명령이 실패했습니다 (exit ${result.exitCode}): ${redact(result.command)}`, `command failed (exit ${result.exitCode}): ${redact(result.command)}`), {
      exitCode: Exit.environment,
      detail: out,
    });
    this.result = result;
  }
}

/** Hook for tests and the --verbose trace: sees every command line (already redacted). */
let tracer: ((line: string) => void) | undefined;
export function setTracer(fn: ((line: string) => void) | undefined): void {
  tracer = fn;
}

export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const command = commandLine(file, args);
  throwIfAborted();
  tracer?.(redact(command));
  // Loaded on first use: execa costs ~150 ms of start-up that `lab check` and `lab --help` never need.
  const { execa } = await import('execa');
  // Made (and emptied) 0600 here: execa opens an existing file without changing its mode.
  if (opts.stdoutFile) closeSync(openSync(opts.stdoutFile, 'w', 0o600));
  const r = await execa(file, args, {
    ...(opts.stdoutFile ? { stdout: { file: opts.stdoutFile } } : {}),
    env: opts.env,
    extendEnv: true,
    input: opts.input,
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 60_000,
    reject: false,
    stripFinalNewline: true,
    // Children die with us (Ctrl-C must not leave a half-run CLI behind).
    cleanup: true,
    ...(currentAbortSignal() ? { cancelSignal: currentAbortSignal()! } : {}),
  });
  const stdout = opts.stdoutFile ? readFileSync(opts.stdoutFile, 'utf8').replace(/\n$/, '') : String(r.stdout ?? '');
  if (r.isCanceled) throwIfAborted();
  if (r.failed && r.exitCode === undefined) {
    const why = r.code === 'ENOENT' ? 'not found' : (r.shortMessage ?? 'failed to start');
    const res: RunResult = { command, exitCode: 127, stdout, stderr: why };
    if (opts.reject === false) return res;
    throw new CommandError(res);
  }
  const res: RunResult = { command, exitCode: r.exitCode ?? 1, stdout, stderr: String(r.stderr ?? '') };
  if (res.exitCode !== 0 && opts.reject !== false) throw new CommandError(res);
  return res;
}

export interface DaemonOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  logFile: string;
}

/**
 * Starts a long-lived server in its own process group, detached from the CLI so the lab outlives the command,
 * with stdout and stderr appended to its log file. The caller records the pid.
 */
export function daemon(file: string, args: readonly string[], opts: DaemonOptions): number {
  tracer?.(redact(commandLine(file, args)));
  const fd = openSync(opts.logFile, 'a', 0o600);
  try {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) {
      throw new LabError(msg(`프로세스를 시작할 수 없습니다: ${file}`, `cannot start process: ${file}`));
    }
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed server whose parent has not reaped it yet is a zombie: gone for every purpose of the lab, once its
  // other threads (a Go server has many, sharing its sockets) have exited too.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const zombie = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
    return !zombie || readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return true;
  }
}

/** Kills a daemon's whole process group; hard means SIGKILL at once (the failover drill), else TERM then KILL. */
export async function killDaemon(pid: number, opts: { hard?: boolean; graceMs?: number } = {}): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  if (!isAlive(pid)) return;
  send(opts.hard ? 'SIGKILL' : 'SIGTERM');
  if (await poll(() => !isAlive(pid), { timeoutMs: opts.graceMs ?? 10_000, everyMs: 50 })) return;
  send('SIGKILL');
  // SIGKILL cannot be ignored, but a process stuck in the kernel (a hung disk, NFS) dies only when that call returns.
  if (await poll(() => !isAlive(pid), { timeoutMs: 10_000, everyMs: 20 })) return;
  throw new LabError(msg(`프로세스 ${pid}가 SIGKILL 뒤 10초가 지나도 끝나지 않았습니다.`, `process ${pid} has not exited 10 s after SIGKILL.`), {
    exitCode: Exit.environment,
    hint: msg(`커널 안에서 멈춘 상태일 수 있습니다: 'cat /proc/${pid}/stat'의 상태(D)를 확인하세요.`, `It may be stuck in the kernel: see its state (D) in 'cat /proc/${pid}/stat'.`),
  });
}

/** Kept here for the callers that wait and run commands: the one implementation is in engine/poll.ts. */
export { setAbortSignal, sleep, throwIfAborted } from './engine/poll.ts';
