/** The CLI contract through the in-process entry point (and once through the real bin). */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { topicIds } from '../../src/engine/catalogue.ts';
import { nonEmpty } from '../non-empty.ts';

describe('lab CLI', () => {
  beforeAll(() => {
    useTempLabHome();
  });

  it('--help lists every command, in Korean by default and English on request', async () => {
    const ko = await cli('--help');
    expect(ko.code).toBe(0);
    for (const c of ['list', 'run', 'start', 'check', 'hint', 'solve', 'reset', 'env', 'info', 'status', 'down', 'doctor']) expect(ko.stdout).toContain(`  ${c}`);
    expect(ko.stdout).toContain('종료 코드');
    const en = await cli('--help', '--lang', 'en');
    expect(en.stdout).toContain('exit codes: 0 ok, 1 checks failed, 2 usage error, 3 environment error');
  });

  it('every command has --help', async () => {
    const { commands } = await import('../../src/cli/main.ts');
    expect(Object.keys(commands).length).toBeGreaterThan(10);
    for (const c of nonEmpty(Object.keys(commands))) {
      const r = await cli(c, '--help', '--lang', 'en');
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain(`lab ${c}`);
    }
  });

  it('options before the command do not hide it; a bad --interval is a usage error before anything runs', async () => {
    const { commandName } = await import('../../src/cli/main.ts');
    expect(commandName(['--platform', 'kind', 'list'])).toBe('list');
    expect(commandName(['--lang', 'en', '-p', 'local', 'run', 'x'])).toBe('run');
    expect(commandName(['-v', 'check'])).toBe('check');
    const r = await cli('check', 'vault-k8s', '--watch', '--interval', 'abc', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--interval');
  });

  it('an unknown topic is a usage error with a suggestion', async () => {
    const r = await cli('run', 'ha-failvoer', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean 'ha-failover'?");
  });

  it('an unknown command is a usage error with a suggestion', async () => {
    const r = await cli('chekc');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'check'");
  });

  it('an unknown flag and a bad --lang are usage errors', async () => {
    expect((await cli('check', 'ha-failover', '--bogus')).code).toBe(2);
    expect((await cli('list', '--lang', 'fr')).code).toBe(2);
  });

  it('an unknown step names the steps that exist', async () => {
    const r = await cli('hint', 'ha-failover', 'unseal-all', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unseal-leader');
  });

  it('list --platform kind shows all eight topics (each runs on kind); an unknown platform is a usage error', async () => {
    const r = await cli('list', '--platform', 'kind', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }[]).map((x) => x.id).sort()).toEqual([...topicIds].sort());
    expect(topicIds).toHaveLength(8);
    const bad = await cli('list', '--platform', 'kube', '--lang', 'en');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown platform 'kube'");
  });

  it('list --json shows every scenario that exists with titles, platforms and state', async () => {
    const r = await cli('list', '--json');
    const rows = JSON.parse(r.stdout) as { id: string; state: string; platforms: string[]; title: { ko: string; en: string } }[];
    expect(rows.map((x) => x.id)).toEqual(expect.arrayContaining(['vault-k8s', 'ha-failover']));
    for (const row of nonEmpty(rows)) {
      expect(topicIds).toContain(row.id);
      expect(row.state).toBe('not-started');
      expect(row.title.ko).toMatch(/[가-힣]/);
    }
  });

  it('hint shows the commands a step runs, rendered for the learner', async () => {
    const r = await cli('hint', 'ha-failover', 'unseal-followers');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("VAULT_UNSEAL_KEY_1=$(jq -r '.unseal_keys_b64[0]' \"$LAB_DIR/cluster-keys.json\")");
    // The key on stdin, never in argv (issue 22, item 12).
    expect(r.stdout).toContain('vault write -address="$VAULT_ADDR_2" sys/unseal key=- <<< "$VAULT_UNSEAL_KEY_3"');
  });

  it('check/env on a lab that was never created is an environment error that says how to start', async () => {
    for (const c of ['env', 'check']) {
      const r = await cli(c, 'vault-k8s', '--lang', 'en');
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('npx lab start vault-k8s');
    }
    expect((await cli('check')).code).toBe(2);
  });

  it('NO_COLOR output has no escape codes', async () => {
    process.env.FORCE_COLOR = '';
    const r = await cli('run', 'nope');
    expect(r.stderr).not.toMatch(/\u001b\[/);
  });

  it('the real bin starts on Node >= 22 and answers --help', async () => {
    const r = await run(`${rootDir}node_modules/.bin/node`, [`${rootDir}bin/lab.js`, '--help', '--lang', 'en'], { env: { NO_COLOR: '1' } });
    expect(r.stdout).toContain('usage: npx lab <command>');
  });
});
