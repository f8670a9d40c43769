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
  stdout: Out;
  stderr: Out;
}

const codes = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof codes;

export class Reporter {
  readonly lang: Lang;
  readonly verbose: boolean;
  private readonly o: ReporterOptions;
  constructor(o: ReporterOptions) {
    this.o = o;
    this.lang = o.lang;
    this.verbose = o.verbose;
  }
  static colorWanted(stream: { isTTY?: boolean }): boolean {
    if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
    if (process.env.FORCE_COLOR) return true;
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

  /** Data for the caller (stdout). */
  out(line: string): void {
    this.o.stdout.write(redact(line) + '\n');
  }
  /** Progress and diagnostics (stderr). */
  info(line: string): void {
    if (!this.o.quiet) this.o.stderr.write(redact(line) + '\n');
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
