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
import { releaseAllLocks } from '../engine/lock.ts';

export type { Io, CommandArgs, CommandFn } from './types.ts';
import type { Io, CommandArgs, CommandFn } from './types.ts';

type Opts = NonNullable<ParseArgsConfig['options']>;
interface CommandSpec {
  summary: Msg;
  usage: string;
  options?: Opts;
  /** Changes a lab: one such command at a time per topic (waits, or exits 3 with --no-wait). */
  changes?: true;
  load: () => Promise<CommandFn>;
}

const platformOpt: Opts = { platform: { type: 'string', short: 'p' } };
const jsonOpt: Opts = { json: { type: 'boolean' } };
const noWaitOpt: Opts = { 'no-wait': { type: 'boolean' } };

export const commands: Record<string, CommandSpec> = {
  list: { summary: msg('주제 목록과 진행 상태', 'topics, their platforms and state'), usage: 'lab list [--platform local|kind] [--json]', options: { ...jsonOpt, ...platformOpt }, load: async () => (await import('./commands/list.ts')).list },
  run: {
    summary: msg('실습 환경을 만들고 모든 단계를 풀어 완료 상태로', 'build the lab and drive every step to the solved state'),
    usage: 'lab run <topic> [--platform local|kind] [--dry-run [--out DIR]]',
    options: { ...platformOpt, ...jsonOpt, 'dry-run': { type: 'boolean' }, out: { type: 'string', short: 'o' }, ...noWaitOpt },
    changes: true,
    load: async () => (await import('./commands/steps.ts')).runCmd,
  },
  start: {
    summary: msg('실습 환경만 만들고 첫 과제를 보여 줌', 'build the environment only and show the first task'),
    usage: 'lab start <topic> [--platform local|kind]',
    options: { ...platformOpt, ...noWaitOpt },
    changes: true,
    load: async () => (await import('./commands/steps.ts')).startCmd,
  },
  check: {
    summary: msg('자가 점검 (모두 통과하면 exit 0, 아니면 1)', 'self-check (exit 0 when all pass, 1 otherwise)'),
    usage: 'lab check [<topic>] [--json] [--watch]',
    options: { ...jsonOpt, watch: { type: 'boolean', short: 'w' }, interval: { type: 'string' } },
    load: async () => (await import('./commands/check.ts')).check,
  },
  hint: { summary: msg('지금 할 일과 명령', 'what to do next, with the commands'), usage: 'lab hint <topic> [step]', load: async () => (await import('./commands/steps.ts')).hintCmd },
  solve: { summary: msg('한 단계(또는 전부)를 대신 풀기', 'solve one step (or all)'), usage: 'lab solve <topic> [step]', options: { ...platformOpt, ...noWaitOpt }, changes: true, load: async () => (await import('./commands/steps.ts')).solveCmd },
  reset: {
    summary: msg('주제를 처음 상태로 (또는 한 단계만 되돌리기)', 'back to the start state (or undo one step)'),
    usage: 'lab reset <topic> [step]',
    options: { ...platformOpt, ...noWaitOpt },
    changes: true,
    load: async () => (await import('./commands/steps.ts')).resetCmd,
  },
  env: { summary: msg('셸 export 문 (eval "$(npx lab env <topic>)")', 'shell exports (eval "$(npx lab env <topic>)")'), usage: 'lab env <topic>', load: async () => (await import('./commands/env.ts')).env },
  info: {
    summary: msg('주소, 파일, 데모 계정', 'addresses, files, demo accounts'),
    usage: 'lab info <topic> [--json] [--show-secrets]',
    options: { ...jsonOpt, 'show-secrets': { type: 'boolean' } },
    load: async () => (await import('./commands/env.ts')).info,
  },
  status: { summary: msg('실행 중인 랩과 프로세스', 'running labs and their processes'), usage: 'lab status [--json]', options: jsonOpt, load: async () => (await import('./commands/status.ts')).status },
  down: { summary: msg('랩 프로세스 정지 (데이터는 유지)', 'stop a lab\'s processes (data is kept)'), usage: 'lab down <topic>|--all', options: { all: { type: 'boolean' }, ...noWaitOpt }, changes: true, load: async () => (await import('./commands/status.ts')).down },
  node: {
    summary: msg('노드 하나를 시작, 정상 종료(stop), 강제 종료(kill), 데이터 초기화 후 재합류(reset)', 'start, stop (SIGTERM), kill (SIGKILL) or reset (wipe and rejoin) one node'),
    usage: 'lab node <topic> start|stop|kill|reset <node>',
    options: noWaitOpt,
    changes: true,
    load: async () => (await import('./commands/status.ts')).node,
  },
  doctor: { summary: msg('필요한 프로그램 점검과 설치 방법', 'prerequisites, each with an install hint'), usage: 'lab doctor [<topic>] [--platform kind] [--json]', options: { ...jsonOpt, ...platformOpt }, load: async () => (await import('./commands/doctor.ts')).doctor },
  site: {
    summary: msg('학습 사이트 만들기/미리보기', 'build or preview the study site'),
    usage: 'lab site build [--out DIR] [--results FILE] | lab site serve [--port N]',
    options: { out: { type: 'string', short: 'o' }, port: { type: 'string' }, results: { type: 'string' } },
    load: async () => (await import('./commands/site.ts')).site,
  },
  chaos: {
    summary: msg('장애 훈련: 쓰는 도중 active 노드를 반복 강제 종료', 'chaos drill: hard-kill the active node under writes'),
    usage: 'lab chaos ha-failover [--mode crash|graceful] [--kills N] [--json]',
    options: { ...jsonOpt, kills: { type: 'string' }, mode: { type: 'string' }, ...noWaitOpt },
    changes: true,
    load: async () => (await import('./commands/chaos.ts')).chaos,
  },
  mcp: {
    summary: msg('에이전트의 MCP 서버(stdio) 실행, 또는 그 서버의 도구 호출', "run an agent's MCP server (stdio), or call its tools"),
    usage: 'lab mcp serve --agent agent-1 | lab mcp call --agent agent-1 credentials query=<SQL> revoke',
    options: { agent: { type: 'string' } },
    load: async () => (await import('../mcp/cli.ts')).mcp,
  },
  dev: { summary: msg('개발자용: 모든 콘텐츠 점검', 'for developers: prove all content'), usage: 'lab dev check', load: async () => (await import('./commands/dev.ts')).dev },
};

const globalOpts: Opts = {
  lang: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

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

const STEP_COMMANDS = new Set(['hint', 'solve', 'reset']);

/** `[step]` is a step id or the number `lab hint` shows: each topic's task steps, numbered per platform. */
async function stepHelp(topicId: string | undefined, lang: Lang): Promise<string> {
  const { loadAll } = await import('../engine/catalogue.ts');
  const topics = (await loadAll()).filter((t) => !topicId || t.id === topicId);
  const lines = ['', lang === 'ko' ? '단계 (id 또는 lab hint의 번호):' : 'steps (an id, or the number lab hint shows):'];
  for (const t of topics) {
    for (const p of t.platforms) {
      const tasks = t.steps.filter((x) => x.kind === 'task' && (!x.platforms || x.platforms.includes(p)));
      lines.push(`  ${t.id}${t.platforms.length > 1 ? ` (${p})` : ''}: ${tasks.map((x, i) => `${i + 1} ${x.id}`).join(', ')}`);
    }
  }
  return lines.join('\n');
}

function commandHelp(name: string, c: CommandSpec, lang: Lang): string {
  const opts = Object.entries({ ...c.options, ...globalOpts }).map(([k, o]) => `  --${k}${o.short ? `, -${o.short}` : ''}${o.type === 'string' ? ' <value>' : ''}`);
  return [`${c.usage}`, '', `  ${c.summary[lang]}`, '', lang === 'ko' ? '옵션:' : 'options:', ...opts].join('\n');
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
    const spec = commands[name];
    if (!spec) {
      const s = suggest(name, Object.keys(commands));
      throw new LabError(msg(`알 수 없는 명령입니다: '${name}'.${s ? ` 혹시 '${s}' 인가요?` : ''}`, `unknown command '${name}'.${s ? ` Did you mean '${s}'?` : ''}`), {
        exitCode: Exit.usage,
        hint: msg("'npx lab --help'로 명령 목록을 보세요.", "See 'npx lab --help' for the commands."),
      });
    }
    const rest = argv.slice(argv.indexOf(name) + 1);
    const before = argv.slice(0, argv.indexOf(name));
    let parsed;
    try {
      parsed = parseArgs({ args: [...before, ...rest], options: { ...globalOpts, ...spec.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new LabError(optionError(e, { ...globalOpts, ...spec.options }), {
        exitCode: Exit.usage,
        hint: msg(`사용법: ${spec.usage}`, `usage: ${spec.usage}`),
      });
    }
    const lang = parsed.values.lang === undefined ? earlyLang : parseLang(String(parsed.values.lang));
    if (!lang) throw new LabError(msg(`--lang은 ko 또는 en입니다.`, `--lang takes ko or en.`), { exitCode: Exit.usage });
    if (parsed.values.help) {
      io.stdout.write(commandHelp(name, spec, lang) + '\n');
      if (STEP_COMMANDS.has(name)) io.stdout.write((await stepHelp(parsed.positionals[0], lang)) + '\n');
      return Exit.ok;
    }
    const width = terminalWidth(io.stdout, io.env ?? process.env);
    const r2 = new Reporter({ lang, color: Reporter.colorWanted(io.stderr, io.env ?? process.env), verbose, stdout: io.stdout, stderr: io.stderr, ...(width ? { width } : {}) });
    const fn = await spec.load();
    const lock = spec.changes ? { command: ['lab', name, ...parsed.positionals, ...(parsed.values.all ? ['--all'] : [])].join(' '), wait: !parsed.values['no-wait'] } : undefined;
    return await fn({ positionals: parsed.positionals, values: parsed.values as CommandArgs['values'], lang, report: r2, io, json: Boolean(parsed.values.json), signal: io.signal, ...(lock ? { lock } : {}) });
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
  for (const o of [globalOpts, ...Object.values(commands).map((c) => c.options ?? {})]) {
    for (const [k, v] of Object.entries(o)) {
      if (v.type !== 'string') continue;
      valued.add(`--${k}`);
      if (v.short) valued.add(`-${v.short}`);
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-')) return a;
    if (valued.has(a)) i++;
  }
  return undefined;
}

export function reportError(e: unknown, report: Reporter, verbose: boolean): number {
  if (e instanceof LabError) {
    report.error(report.t(e.text));
    if (e.detail) report.info(indent(e.detail));
    if (e.hint) report.info(`  → ${report.t(e.hint)}`);
    if (verbose && e.stack) report.info(redact(e.stack));
    return e.exitCode;
  }
  if ((e as Error)?.name === 'AbortError') {
    report.error(report.t(msg('중단되었습니다.', 'interrupted.')));
    return Exit.interrupted;
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
