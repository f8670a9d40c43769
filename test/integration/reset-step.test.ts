/**
 * `lab reset <topic> <step>` (issue 20 item 3), on real OpenBao and slapd: a solved step is undone by its cleanup
 * commands, the step is pending again (check and hint say so), and `lab run` converges. A step that cannot be undone
 * is a usage error naming those that can.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, useTempLabHome } from '../helpers.ts';

type Json = { ok: boolean; results: { id: string; ok: boolean }[] };
const failing = async (topic: string): Promise<string[]> => {
  const r = await cli('check', topic, '--json', '--lang', 'en');
  return (JSON.parse(r.stdout) as Json).results.filter((x) => !x.ok).map((x) => x.id);
};

describe('lab reset <topic> <step> (real servers)', () => {
  beforeAll(() => {
    useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', 'ldap');
    await cli('down', 'ha-failover');
  });

  it('ldap: groups undone → their checks fail and the hint shows the step again; lab run converges', { timeout: 180_000 }, async () => {
    expect((await cli('run', 'ldap')).code).toBe(0);
    const r = await cli('reset', 'ldap', 'groups', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('vault delete auth/ldap/groups/developers');
    const failed = await failing('ldap');
    expect(failed).toEqual(expect.arrayContaining(['group-developers', 'group-admins']));
    expect(failed).not.toContain('policies');
    const hint = await cli('hint', 'ldap', '--lang', 'en');
    expect(hint.stdout).toContain('Map groups to policies');
    expect((await cli('run', 'ldap')).code).toBe(0);
    expect(await failing('ldap')).toEqual([]);
  });

  it('ldap: enable undone disables the method (its config, groups and users go with it); lab run converges', { timeout: 180_000 }, async () => {
    expect((await cli('reset', 'ldap', 'enable')).code).toBe(0);
    expect(await failing('ldap')).toContain('ldap-enabled');
    expect((await cli('run', 'ldap')).code).toBe(0);
    expect(await failing('ldap')).toEqual([]);
  });

  it('a step with no undo: exit 2 naming the steps that can be undone', async () => {
    const r = await cli('reset', 'ldap', 'login', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("step 'login' cannot be undone");
    expect(r.stderr).toContain('enable, policies, groups, users');
  });

  it('ha-failover: data undone → data-survives alone fails; lab run converges', { timeout: 240_000 }, async () => {
    expect((await cli('run', 'ha-failover')).code).toBe(0);
    const r = await cli('reset', 'ha-failover', 'data', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    // Only the data is gone: the cluster, its voters and the drill stay as they were.
    expect(await failing('ha-failover')).toEqual(['data-survives']);
    expect((await cli('run', 'ha-failover')).code).toBe(0);
    expect(await failing('ha-failover')).toEqual([]);
  });
});
