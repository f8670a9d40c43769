/** Terminal output: progress lines to stderr (so stdout stays clean for --json and `lab env`), colour unless NO_COLOR. */
import { redact } from './redact.ts';
import type { Lang, Msg } from './i18n.ts';

export interface Out {
  write(s: string): void;
}

export interface ReporterOptions {
  lang: Lang;
  color: boolean;
  verbose: boolean;
  quiet?: boolean;
  /** Columns to wrap prose at (a terminal's width); undefined: no wrapping. */
  width?: number;
  stdout: Out;
  stderr: Out;
}

const codes = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof codes;

export class Reporter {
  readonly lang: Lang;
  readonly verbose: boolean;
  /** `lab solve <step>`: each command the lab runs for a step is shown (rendered, never resolved). */
  showCommands = false;
  commandsShown = 0;
  private readonly o: ReporterOptions;
  constructor(o: ReporterOptions) {
    this.o = o;
    this.lang = o.lang;
    this.verbose = o.verbose;
  }
  static colorWanted(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
    if (env.FORCE_COLOR) return true;
    return Boolean(stream.isTTY);
  }

  style(s: string, st: Style): string {
    if (!this.o.color) return s;
    const [a, b] = codes[st];
    return `\u001b[${a}m${s}\u001b[${b}m`;
  }
  t(m: Msg): string {
    return m[this.lang];
  }
  get width(): number | undefined {
    return this.o.width;
  }
  /** Prose for stdout, wrapped to the terminal at spaces (never inside a word), each line prefixed. */
  prose(text: string, prefix = ''): void {
    for (const l of wrap(text, this.o.width === undefined ? undefined : this.o.width - displayWidth(prefix))) this.out(prefix + l);
  }

  /** Data for the caller (stdout). */
  out(line: string): void {
    this.o.stdout.write(redact(line) + '\n');
  }
  /** Progress and diagnostics (stderr). */
  info(line: string): void {
    if (!this.o.quiet) this.o.stderr.write(redact(line) + '\n');
  }
  /** A command the lab runs: shown under `lab solve <step>` (stderr), else only with -v. */
  command(rendered: string): void {
    if (!this.showCommands) return this.debug(`$ ${rendered.split('\n')[0]}`);
    this.commandsShown++;
    for (const l of rendered.split('\n')) this.info(this.style(l, 'dim'));
  }
  debug(line: string): void {
    if (this.o.verbose) this.o.stderr.write(this.style(redact(line), 'dim') + '\n');
  }
  warn(line: string): void {
    this.o.stderr.write(this.style('! ', 'yellow') + redact(line) + '\n');
  }
  error(line: string): void {
    this.o.stderr.write(this.style('✗ ', 'red') + redact(line) + '\n');
  }

  stepStart(i: number, n: number, title: string): void {
    this.info(`${this.style(`[${i}/${n}]`, 'cyan')} ${title} …`);
  }
  stepEnd(status: 'done' | 'skipped' | 'failed', title: string, ms: number): void {
    const mark = status === 'done' ? this.style('✓', 'green') : status === 'skipped' ? this.style('=', 'dim') : this.style('✗', 'red');
    const note = status === 'skipped' ? (this.lang === 'ko' ? ' (이미 완료)' : ' (already done)') : '';
    this.info(`  ${mark} ${title}${note} ${this.style(`${(ms / 1000).toFixed(1)}s`, 'dim')}`);
  }
}

/** Terminal columns a string takes: Hangul and other wide East Asian characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(/\u001b\[[0-9;]*m/g, '')) {
    const c = ch.codePointAt(0)!;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ? 2 : 1;
  }
  return w;
}

/** Greedy wrap at spaces; a word longer than the width stays whole on its own line. */
export function wrap(text: string, width: number | undefined): string[] {
  if (width === undefined || width < 10) return text.split('\n');
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line && displayWidth(line) + 1 + displayWidth(word) > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

/** The width to wrap at: the terminal's when stdout is one, else $COLUMNS when set, else none. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number }, env: Record<string, string | undefined> = process.env): number | undefined {
  if (stream.isTTY && stream.columns) return stream.columns;
  const c = Number(env.COLUMNS);
  return Number.isInteger(c) && c > 0 ? c : undefined;
}
