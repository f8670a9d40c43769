/**
 * A command as one definition (citty-style): its meta, its typed options and positionals, whether it changes a lab,
 * its sub-commands, and run. main.ts parses argv against the definition, so a command receives typed values and its
 * help is generated from the same data. Kept small and dependency-free on purpose (no citty dependency).
 */
import type { ParseArgsConfig } from 'node:util';
import type { Lang, Msg } from '../engine/i18n.ts';
import { msg } from '../engine/i18n.ts';
import type { CommandArgs } from './types.ts';
import { summaries, type CommandName } from './commands/meta.ts';

export type ArgDef =
  | { type: 'string'; short?: string; description: Msg; /** Placeholder in help, e.g. DIR. */ value?: string; default?: string }
  | { type: 'boolean'; short?: string; description: Msg }
  | { type: 'positional'; description: Msg; /** Message when missing (exit 2); absent: optional. */ required?: Msg; /** Takes every remaining word. */ rest?: true };
export type ArgDefs = Record<string, ArgDef>;

type ValueOf<D> = D extends { type: 'boolean' }
  ? boolean
  : D extends { type: 'positional'; rest: true }
    ? string[]
    : D extends { type: 'string'; default: string }
      ? string
      : D extends { type: 'positional'; required: Msg }
        ? string
        : string | undefined;
export type ArgValues<A extends ArgDefs> = { -readonly [K in keyof A]: ValueOf<A[K]> };

export interface CommandContext<A extends ArgDefs = ArgDefs> extends CommandArgs {
  args: ArgValues<A>;
}

export interface CommandMeta {
  name: string;
  summary: Msg;
  /** Usage line(s); generated from args when absent. */
  usage?: string;
}

export interface Command<A extends ArgDefs = ArgDefs> {
  meta: CommandMeta;
  args: A;
  /** Changes a lab: the topic's lock is taken before run (one such command at a time per topic). A function decides per call. */
  changes?: true | { bivarianceHack(args: ArgValues<A>): boolean }['bivarianceHack'];
  /** The first positional picks one; the parent's args are shared with each. */
  subCommands?: Record<string, Command>;
  /** Extra help lines for the given positionals (e.g. a topic's step ids). */
  help?: (positionals: string[], lang: Lang) => Promise<string[]>;
  run?(c: CommandContext<A>): Promise<number>;
}

/** Top-level commands take their summary from the light registry (commands/meta.ts), so `lab --help` loads no command. */
export function defineCommand<const A extends ArgDefs>(def: Omit<Command<A>, 'meta'> & { meta: { name: CommandName; usage?: string } }): Command<A>;
export function defineCommand<const A extends ArgDefs>(def: Command<A>): Command<A>;
export function defineCommand<const A extends ArgDefs>(def: Omit<Command<A>, 'meta'> & { meta: { name: string; summary?: Msg; usage?: string } }): Command<A> {
  const summary = def.meta.summary ?? (summaries as Record<string, Msg>)[def.meta.name] ?? msg('', '');
  return { ...def, meta: { ...def.meta, summary } };
}

type Opts = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs options for a definition's flags. */
export function parseOptions(args: ArgDefs): Opts {
  const out: Opts = {};
  for (const [k, d] of Object.entries(args)) {
    if (d.type === 'positional') continue;
    out[k] = { type: d.type, ...(d.short ? { short: d.short } : {}) };
  }
  return out;
}

export function usageOf(cmd: Command, path: string[]): string {
  if (cmd.meta.usage) return cmd.meta.usage;
  if (cmd.subCommands) return Object.entries(cmd.subCommands).map(([n, s]) => usageOf(s, [...path, n])).join(' | ');
  const parts = ['lab', ...path];
  for (const [k, d] of Object.entries(cmd.args)) {
    if (d.type === 'positional') parts.push(d.rest ? `[${k}…]` : d.required ? `<${k}>` : `[${k}]`);
  }
  for (const [k, d] of Object.entries(cmd.args)) {
    if (d.type === 'string') parts.push(`[--${k} ${d.value ?? 'VALUE'}]`);
    else if (d.type === 'boolean') parts.push(`[--${k}]`);
  }
  return parts.join(' ');
}

/** `lab <cmd> --help`, generated from the definition. */
export function helpOf(cmd: Command, path: string[], lang: Lang, globals: ArgDefs): string[] {
  const lines = [usageOf(cmd, path), '', `  ${cmd.meta.summary[lang]}`];
  if (cmd.subCommands) {
    lines.push('', lang === 'ko' ? '하위 명령:' : 'sub-commands:');
    const w = Math.max(...Object.keys(cmd.subCommands).map((k) => k.length));
    for (const [n, s] of Object.entries(cmd.subCommands)) lines.push(`  ${n.padEnd(w)}  ${s.meta.summary[lang]}`);
  }
  const pos = Object.entries(cmd.args).filter(([, d]) => d.type === 'positional');
  if (pos.length) {
    lines.push('', lang === 'ko' ? '인자:' : 'arguments:');
    for (const [k, d] of pos) lines.push(`  ${k.padEnd(16)}  ${d.description[lang]}`);
  }
  lines.push('', lang === 'ko' ? '옵션:' : 'options:');
  for (const [k, d] of Object.entries({ ...cmd.args, ...globals })) {
    if (d.type === 'positional') continue;
    const flag = `--${k}${d.short ? `, -${d.short}` : ''}${d.type === 'string' ? ` <${d.value ?? 'value'}>` : ''}`;
    lines.push(`  ${flag.padEnd(24)}  ${d.description[lang]}${d.type === 'string' && d.default !== undefined ? ` (${d.default})` : ''}`);
  }
  return lines;
}

/** Positionals onto their names, in order; a missing required one or a word too many is a usage message. */
export function bindPositionals(args: ArgDefs, words: string[]): { values: Record<string, string | string[] | undefined> } | { error: Msg } {
  const values: Record<string, string | string[] | undefined> = {};
  let i = 0;
  for (const [k, d] of Object.entries(args)) {
    if (d.type !== 'positional') continue;
    if (d.rest) {
      values[k] = words.slice(i);
      i = words.length;
      continue;
    }
    const w = words[i++];
    if (w === undefined && d.required) return { error: d.required };
    values[k] = w;
  }
  if (i < words.length) {
    const extra = words.slice(i).join(' ');
    return { error: msg(`알 수 없는 인자: ${extra}`, `unexpected argument: ${extra}`) };
  }
  return { values };
}
