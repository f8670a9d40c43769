/** Commands defined one per file: typed values, help from the definition, the light registry kept in step. */
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/main.ts';
import { valuedOptions } from '../../src/cli/commands/meta.ts';
import { bindPositionals, defineCommand, helpOf, usageOf, type Command } from '../../src/cli/define.ts';
import { msg } from '../../src/engine/i18n.ts';
import { cli, useTempLabHome } from '../helpers.ts';

const loaded = async (): Promise<[string, Command][]> => Promise.all(Object.entries(commands).map(async ([n, c]) => [n, (await c.load()).default] as [string, Command]));

describe('the command registry', () => {
  it('each file defines the command its registry entry names, with the same summary', async () => {
    for (const [name, cmd] of await loaded()) {
      expect(cmd.meta.name, name).toBe(name);
      expect(cmd.meta.summary, name).toEqual(commands[name as keyof typeof commands].summary);
    }
  });

  it('the options that take a value (found before the command name) are exactly those the commands define', async () => {
    const found = new Set<string>();
    const add = (c: Command) => {
      for (const [k, d] of Object.entries(c.args)) {
        if (d.type !== 'string') continue;
        found.add(`--${k}`);
        if (d.short) found.add(`-${d.short}`);
      }
      for (const s of Object.values(c.subCommands ?? {})) add(s);
    };
    for (const [, c] of await loaded()) add(c);
    expect([...found].sort()).toEqual([...valuedOptions].sort());
  });
});

describe('defineCommand', () => {
  const cmd = defineCommand({
    meta: { name: 'x', summary: msg('엑스', 'ex') },
    args: {
      topic: { type: 'positional', description: msg('주제', 'topic'), required: msg('주제?', 'topic?') },
      step: { type: 'positional', description: msg('단계', 'step') },
      out: { type: 'string', short: 'o', value: 'DIR', default: 'here', description: msg('폴더', 'folder') },
    },
  });

  it('binds positionals in order; a missing required one or one too many is an error', () => {
    expect(bindPositionals(cmd.args, ['a', 'b'])).toEqual({ values: { topic: 'a', step: 'b' } });
    expect(bindPositionals(cmd.args, [])).toEqual({ error: msg('주제?', 'topic?') });
    expect(bindPositionals(cmd.args, ['a', 'b', 'c'])).toEqual({ error: msg('알 수 없는 인자: c', 'unexpected argument: c') });
  });

  it('usage and help come from the definition', () => {
    expect(usageOf(cmd, ['x'])).toBe('lab x <topic> [step] [--out DIR]');
    const help = helpOf(cmd, ['x'], 'en', {}).join('\n');
    expect(help).toContain('--out, -o <DIR>');
    expect(help).toContain('folder (here)');
  });
});

describe('help generated from the definitions, through the CLI', () => {
  it("hint/solve/reset --help with a topic list the topic's step ids, marking those that can be undone", async () => {
    useTempLabHome();
    for (const verb of ['hint', 'solve', 'reset']) {
      const r = await cli(verb, 'ldap', '--help', '--lang', 'en');
      expect(r.code, verb).toBe(0);
      expect(r.stdout, verb).toContain(`lab ${verb} <topic> [step]`);
      expect(r.stdout, verb).toMatch(/groups\s+Map groups to policies \(can be undone\)/);
      expect(r.stdout, verb).toMatch(/login\s+Log in as alice and bob; look up the tokens\n/);
    }
  });

  it('sub-commands: a missing or unknown one is a usage error with the usage; options of another sub-command are refused', async () => {
    useTempLabHome();
    const none = await cli('site', '--lang', 'en');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('site needs build or serve');
    const typo = await cli('dev', 'chek', '--lang', 'en');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Did you mean 'check'?");
    const wrong = await cli('site', 'build', '--port', '1', '--lang', 'en');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("unknown option '--port'");
  });

  it('a word too many is a usage error (exit 2), not silently dropped', async () => {
    useTempLabHome();
    const r = await cli('status', 'ha-failover', 'extra', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unexpected argument: extra');
  });
});

describe('lab status <topic>', () => {
  it('an unknown topic is a usage error with a suggestion; a known one shows that lab alone', async () => {
    useTempLabHome();
    const bad = await cli('status', 'ha-failovr', '--lang', 'en');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Did you mean 'ha-failover'?");
    const none = await cli('status', 'ldap', '--lang', 'en');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('no labs.');
  });
});
