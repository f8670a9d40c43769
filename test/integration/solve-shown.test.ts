/**
 * Issue 20 item 1, on real OpenBao and slapd: `lab solve <topic> <step>` types exactly the lines `lab hint` shows for
 * the step (ldap enable, tls client, ha-failover data: no custom solve), and a rerun skips only the lines whose
 * `unless` guard holds (the enable, the canary write), running the rest as shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, labContext, useTempLabHome } from '../helpers.ts';
import { findStep } from '../../src/engine/runner.ts';
import type { Cmd } from '../../src/engine/types.ts';

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** The command lines `lab solve` printed: vault and curl lines, in order. */
const typed = (stderr: string): string[] =>
  plain(stderr)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(vault|curl) /.test(l));

/**
 * The step's commands as this lab's platform renders them (what `lab hint` shows), first line of each; `setup`: the
 * vault and curl lines of the setup steps, which `lab solve` runs (converging) before the step.
 */
async function shown(topicId: string, stepId: string): Promise<{ setup: string[]; want: string[] }> {
  const ctx = await labContext(topicId);
  const render = (cs: Cmd[]) => cs.map((c) => ctx.platform.render(c).split('\n')[0]!);
  const setup = render(ctx.topic.steps.filter((s) => s.kind === 'setup').flatMap((s) => s.commands ?? [])).filter((l) => /^(vault|curl) /.test(l));
  return { setup, want: render(findStep(ctx.topic, stepId).commands ?? []) };
}

describe('lab solve runs the shown commands, guarded (real servers)', () => {
  beforeAll(() => {
    useTempLabHome();
  });
  afterAll(async () => {
    for (const t of ['ldap', 'tls', 'ha-failover']) await cli('down', t);
  });

  it('ldap enable: the three shown lines; a rerun skips the enable (already enabled) and still tunes and lists', { timeout: 180_000 }, async () => {
    expect((await cli('start', 'ldap')).code).toBe(0);
    const { setup, want } = await shown('ldap', 'enable');
    expect(want).toEqual(['vault auth enable ldap', expect.stringMatching(/^vault auth tune /), 'vault auth list']);
    const first = await cli('solve', 'ldap', 'enable', '--lang', 'en');
    expect(first.code, first.stderr).toBe(0);
    expect(typed(first.stderr)).toEqual([...setup, ...want]);
    const again = await cli('solve', 'ldap', 'enable', '--lang', 'en');
    expect(again.code, again.stderr).toBe(0);
    expect(typed(again.stderr)).toEqual([...setup, ...want.slice(1)]);
  });

  it('tls client: enable, put, CLI and curl reads as shown; a rerun skips the enable only', { timeout: 180_000 }, async () => {
    expect((await cli('start', 'tls')).code).toBe(0);
    const { setup, want } = await shown('tls', 'client');
    expect(want[0]).toBe('vault secrets enable -path=secret kv-v2');
    const first = await cli('solve', 'tls', 'client', '--lang', 'en');
    expect(first.code, first.stderr).toBe(0);
    expect(typed(first.stderr)).toEqual([...setup, ...want]);
    const again = await cli('solve', 'tls', 'client', '--lang', 'en');
    expect(again.code, again.stderr).toBe(0);
    expect(typed(again.stderr)).toEqual([...setup, ...want.slice(1)]);
  });

  it('ha-failover data after the drill: the shown lines reach the new active node through VAULT_ADDR; a rerun only reads', { timeout: 300_000 }, async () => {
    const ran = await cli('run', 'ha-failover');
    expect(ran.code, ran.stderr).toBe(0);
    // The drill stopped the first active node; the data step is undone and solved again against whichever leads now.
    expect((await cli('reset', 'ha-failover', 'data')).code).toBe(0);
    const { setup, want } = await shown('ha-failover', 'data');
    expect(want).toEqual(['vault secrets enable -path=secret kv-v2', expect.stringMatching(/^vault kv put secret\//), expect.stringMatching(/^vault kv get -address="\$VAULT_ADDR_1" /)]);
    const first = await cli('solve', 'ha-failover', 'data', '--lang', 'en');
    expect(first.code, first.stderr).toBe(0);
    expect(typed(first.stderr)).toEqual([...setup, ...want]);
    const again = await cli('solve', 'ha-failover', 'data', '--lang', 'en');
    expect(again.code, again.stderr).toBe(0);
    expect(typed(again.stderr)).toEqual([...setup, ...want.slice(2)]);
    const check = await cli('check', 'ha-failover', '--json');
    expect(check.code, check.stdout).toBe(0);
  });

  it('ha-failover failover a second time: the shown lines stop whichever node leads now (vault-0 was stopped first and came back a standby), and the lab typed exactly them', { timeout: 300_000 }, async () => {
    const ctx = await labContext('ha-failover');
    const leader = (await ctx.activeVault())?.node;
    expect(leader === undefined || leader === 0, `leader ${leader}`).toBe(false);
    const { setup, want } = await shown('ha-failover', 'failover');
    expect(want).toEqual(['npx lab check ha-failover', 'vault status', 'npx lab node ha-failover stop active', 'until vault kv get secret/ha/canary > /dev/null 2>&1; do sleep 1; done', 'vault status']);
    const r = await cli('solve', 'ha-failover', 'failover', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    const lines = plain(r.stderr).split('\n').map((l) => l.trim()).filter((l) => /^(vault|curl|npx|until) /.test(l));
    // The check line's purpose (the leader and term on record) the lab met a moment before, so it is skipped as done.
    expect(lines).toEqual([...setup, ...want.slice(1)]);
    // The leader was stopped, vault-0 (a standby) was not; another node leads, and the handover was reported.
    const names = ctx.platform.vaultNodes().map((n) => n.name);
    expect(plain(r.stderr)).toMatch(new RegExp(`${names[leader!]} → vault-\\d`));
    expect(await ctx.vault(leader!, null).health().then(() => 'up', () => 'down')).toBe('down');
    expect((await ctx.vault(0, null).health()).sealed).toBe(false);
    const now = (await ctx.activeVault())?.node;
    expect(now !== undefined && now !== leader, `now ${now}`).toBe(true);
  });
});
