/**
 * The CLI entry point: parse argv, load one command lazily, handle every error in one place.
 * Tests call main(argv, io) directly; bin/lab.js is a two-line wrapper.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LabError, Exit } from '../engine/errors.ts';
import { msg, parseLang, type Lang, type Msg } from '../engine/i18n.ts';
import { Reporter, terminalWidth } from '../engine/reporter.ts';
import { suggest } from '../engine/catalogue.ts';
import { redact } from '../engine/redact.ts';
import { setAbortSignal } from '../exec.ts';
import { currentAbortSignal } from '../engine/poll.ts';
import { releaseAllLocks } from '../engine/lock.ts';

export type { Io, CommandArgs, CommandFn } from './types.ts';
import type { Io, CommandArgs } from './types.ts';
import { bindPositionals, helpOf, parseOptions, usageOf, type ArgDefs, type Command, type CommandContext } from './define.ts';
import { summaries, valuedOptions, type CommandName } from './commands/meta.ts';

type Opts = NonNullable<ParseArgsConfig['options']>;

/** Each command is one file under commands/, loaded only when it runs or shows its help (`lab --help` loads none). */
export const commands: Record<CommandName, { summary: Msg; load: () => Promise<{ default: Command<ArgDefs> }> }> = {
  list: { summary: summaries.list, load: () => import('./commands/list.ts') },
  run: { summary: summaries.run, load: () => import('./commands/run.ts') },
  start: { summary: summaries.start, load: () => import('./commands/start.ts') },
  check: { summary: summaries.check, load: () => import('./commands/check.ts') },
  hint: { summary: summaries.hint, load: () => import('./commands/hint.ts') },
  solve: { summary: summaries.solve, load: () => import('./commands/solve.ts') },
  reset: { summary: summaries.reset, load: () => import('./commands/reset.ts') },
  env: { summary: summaries.env, load: () => import('./commands/env.ts') },
  info: { summary: summaries.info, load: () => import('./commands/info.ts') },
  status: { summary: summaries.status, load: () => import('./commands/status.ts') },
  down: { summary: summaries.down, load: () => import('./commands/down.ts') },
  node: { summary: summaries.node, load: () => import('./commands/node.ts') },
  doctor: { summary: summaries.doctor, load: () => import('./commands/doctor.ts') },
  site: { summary: summaries.site, load: () => import('./commands/site.ts') },
  chaos: { summary: summaries.chaos, load: () => import('./commands/chaos.ts') },
  mcp: { summary: summaries.mcp, load: () => import('./commands/mcp.ts') },
  dev: { summary: summaries.dev, load: () => import('./commands/dev.ts') },
};

const globalArgs = {
  lang: { type: 'string', value: 'ko|en', description: msg('메시지 언어', 'language of messages') },
  verbose: { type: 'boolean', short: 'v', description: msg('자세히', 'more detail') },
  help: { type: 'boolean', short: 'h', description: msg('도움말', 'this help') },
} as const satisfies ArgDefs;
const globalOpts: Opts = parseOptions(globalArgs);

function helpText(lang: Lang): string {
  const lines = [
    lang === 'ko' ? 'vault-lab — Vault 프로덕션 실습 (OpenBao/Vault, Raft HA, LDAP, TLS, MCP)' : 'vault-lab — hands-on Vault in production (OpenBao/Vault, Raft HA, LDAP, TLS, MCP)',
    '',
    lang === 'ko' ? '사용법: npx lab <명령> [인자] [--lang ko|en] [-v]' : 'usage: npx lab <command> [args] [--lang ko|en] [-v]',
    '',
  ];
  const w = Math.max(...Object.keys(commands).map((k) => k.length));
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(w)}  ${c.summary[lang]}`);
  lines.push(
    '',
    lang === 'ko' ? '종료 코드: 0 정상, 1 점검 실패, 2 사용법 오류, 3 환경 오류 (프로그램 없음, 포트 사용 중, 서버 응답 없음)' : 'exit codes: 0 ok, 1 checks failed, 2 usage error, 3 environment error (missing binary, busy port, server unreachable)',
    lang === 'ko' ? "예: npx lab run ha-failover && eval \"$(npx lab env ha-failover)\" && vault operator raft list-peers" : "e.g. npx lab run ha-failover && eval \"$(npx lab env ha-failover)\" && vault operator raft list-peers",
  );
  return lines.join('\n');
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const envLang = parseLang(process.env.LAB_LANG);
  // Language and verbosity are known before parsing fails, so even usage errors speak the right language.
  const li = argv.indexOf('--lang');
  const earlyLang = parseLang(li >= 0 ? argv[li + 1] : argv.find((a) => a.startsWith('--lang='))?.slice(7)) ?? envLang ?? 'ko';
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const report = new Reporter({ lang: earlyLang, color: Reporter.colorWanted(io.stderr), verbose, stdout: io.stdout, stderr: io.stderr });
  // One invocation, one Ctrl-C signal: every wait and command of this run honours it, and the next run starts clean.
  setAbortSignal(io.signal);
  try {
    const name = commandName(argv);
    if (!name) {
      if (argv.includes('--version')) {
        io.stdout.write('vault-lab 0.1.0\n');
        return Exit.ok;
      }
      io.stdout.write(helpText(earlyLang) + '\n');
      return argv.length === 0 || argv.includes('--help') || argv.includes('-h') ? Exit.ok : Exit.usage;
    }
    const spec = (commands as Record<string, (typeof commands)[CommandName] | undefined>)[name];
    if (!spec) {
      const s = suggest(name, Object.keys(commands));
      throw new LabError(msg(`알 수 없는 명령입니다: '${name}'.${s ? ` 혹시 '${s}' 인가요?` : ''}`, `unknown command '${name}'.${s ? ` Did you mean '${s}'?` : ''}`), {
        exitCode: Exit.usage,
        hint: msg("'npx lab --help'로 명령 목록을 보세요.", "See 'npx lab --help' for the commands."),
      });
    }
    const cmd = (await spec.load()).default;
    const words = [...argv.slice(0, argv.indexOf(name)), ...argv.slice(argv.indexOf(name) + 1)];
    const parse = (c: Command, extra: ArgDefs = {}) => {
      const options = { ...globalOpts, ...parseOptions({ ...extra, ...c.args }) };
      try {
        return parseArgs({ args: words, options, allowPositionals: true, strict: true });
      } catch (e) {
        throw new LabError(optionError(e, options), { exitCode: Exit.usage, hint: msg(`사용법: ${usageOf(c, [name])}`, `usage: ${usageOf(c, [name])}`) });
      }
    };
    // A sub-command is the first word after the command; its options are known only once it is picked.
    const subs = cmd.subCommands ?? {};
    const first = cmd.subCommands ? parse(cmd, Object.assign({}, ...Object.values(subs).map((s) => s.args)) as ArgDefs) : parse(cmd);
    const subName = cmd.subCommands ? first.positionals[0] : undefined;
    const target: Command = subName !== undefined && subs[subName] ? { ...subs[subName], args: { ...cmd.args, ...subs[subName].args } } : cmd;
    const path = target === cmd ? [name] : [name, subName!];
    const parsed = target === cmd ? first : parse(target);
    const lang = parsed.values.lang === undefined ? earlyLang : parseLang(String(parsed.values.lang));
    if (!lang) throw new LabError(msg(`--lang은 ko 또는 en입니다.`, `--lang takes ko or en.`), { exitCode: Exit.usage });
    const words2 = target === cmd ? parsed.positionals : parsed.positionals.slice(1);
    if (parsed.values.help) {
      io.stdout.write([...helpOf(target, path, lang, globalArgs), ...((await target.help?.(words2, lang)) ?? [])].join('\n') + '\n');
      return Exit.ok;
    }
    const usage = msg(`사용법: ${usageOf(target, path)}`, `usage: ${usageOf(target, path)}`);
    if (target === cmd && cmd.subCommands) {
      const names = Object.keys(subs);
      const s = subName === undefined ? undefined : suggest(subName, names);
      throw new LabError(
        subName === undefined
          ? msg(`${name} 다음에 ${names.join(' 또는 ')}를 쓰세요.`, `${name} needs ${names.join(' or ')}.`)
          : msg(`알 수 없는 ${name} 명령: '${subName}'.${s ? ` 혹시 '${s}' 인가요?` : ''}`, `unknown ${name} command '${subName}'.${s ? ` Did you mean '${s}'?` : ''}`),
        { exitCode: Exit.usage, hint: usage },
      );
    }
    const bound = bindPositionals(target.args, words2);
    if ('error' in bound) throw new LabError(bound.error, { exitCode: Exit.usage, hint: usage });
    const args: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(target.args)) {
      if (d.type === 'positional') args[k] = bound.values[k];
      else args[k] = parsed.values[k] ?? (d.type === 'boolean' ? false : d.default);
    }
    const width = terminalWidth(io.stdout, io.env ?? process.env);
    const r2 = new Reporter({ lang, color: Reporter.colorWanted(io.stderr, io.env ?? process.env), verbose, stdout: io.stdout, stderr: io.stderr, ...(width ? { width } : {}) });
    // The lock as a setup hook: a command that changes a lab holds its topic's lock before it runs.
    const changes = typeof target.changes === 'function' ? target.changes(args as CommandContext['args']) : Boolean(target.changes);
    const lock = changes ? { command: ['lab', ...path, ...words2, ...(parsed.values.all ? ['--all'] : [])].join(' '), wait: !parsed.values['no-wait'] } : undefined;
    if (lock) await (await import('./lab.ts')).lockTopic(typeof args.topic === 'string' ? args.topic : undefined, lock, (m) => r2.warn(r2.t(m)));
    if (!target.run) throw new LabError(usage, { exitCode: Exit.usage });
    return await target.run({ args: args as CommandContext['args'], positionals: words2, values: parsed.values as CommandArgs['values'], lang, report: r2, io, json: Boolean(parsed.values.json), signal: io.signal, ...(lock ? { lock } : {}) });
  } catch (e) {
    return reportError(e, report, verbose);
  } finally {
    releaseAllLocks();
    setAbortSignal(undefined);
  }
}

/** node:util parseArgs errors in the learner's language, with the nearest real option. */
export function optionError(e: unknown, options: Opts): Msg {
  const err = e as { code?: string; message?: string };
  const text = err.message ?? String(e);
  const opt = /'(-{1,2}[^' ]+)/.exec(text)?.[1] ?? '';
  const names = Object.entries(options).flatMap(([k, o]) => [`--${k}`, ...(o.short ? [`-${o.short}`] : [])]);
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const d = suggest(opt, names);
    return msg(`알 수 없는 옵션입니다: '${opt}'.${d ? ` 혹시 '${d}' 인가요?` : ''}`, `unknown option '${opt}'.${d ? ` Did you mean '${d}'?` : ''}`);
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /does not take an argument/.test(text)
      ? msg(`'${opt}' 옵션은 값을 받지 않습니다.`, `'${opt}' takes no value.`)
      : msg(`'${opt}' 옵션에 값이 필요합니다.`, `'${opt}' needs a value.`);
  }
  return msg(`잘못된 옵션: ${text}`, `bad option: ${text}`);
}

/** The first word that is not an option or an option's value: `lab --platform kind list` runs `list`. */
export function commandName(argv: string[]): string | undefined {
  const valued = new Set<string>();
  for (const [k, v] of Object.entries(globalOpts)) {
    if (v.type !== 'string') continue;
    valued.add(`--${k}`);
    if (v.short) valued.add(`-${v.short}`);
  }
  for (const o of valuedOptions) valued.add(o);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-')) return a;
    if (valued.has(a)) i++;
  }
  return undefined;
}

export function reportError(e: unknown, report: Reporter, verbose: boolean): number {
  // Ctrl-C wins: an error that arrives after it is its consequence (a child that got the same SIGINT exited on its own,
  // a probe cut short found "no active node"), not a finding to report.
  if ((e as Error)?.name === 'AbortError' || currentAbortSignal()?.aborted) {
    report.error(report.t(msg('중단되었습니다.', 'interrupted.')));
    if (verbose && (e as Error)?.stack) report.info(redact((e as Error).stack!));
    return Exit.interrupted;
  }
  if (e instanceof LabError) {
    report.error(report.t(e.text));
    if (e.detail) report.info(indent(e.detail));
    if (e.hint) report.info(`  → ${report.t(e.hint)}`);
    if (verbose && e.stack) report.info(redact(e.stack));
    return e.exitCode;
  }
  report.error(report.t(msg(`예상하지 못한 오류: ${(e as Error)?.message ?? String(e)}`, `unexpected error: ${(e as Error)?.message ?? String(e)}`)));
  if (verbose && (e as Error)?.stack) report.info(redact((e as Error).stack!));
  else report.info(report.t(msg('  (자세한 내용은 -v)', '  (details with -v)')));
  return Exit.environment;
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
