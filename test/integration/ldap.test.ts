/** The ldap topic against a real slapd and a real OpenBao: start state, solved state, mistakes, secrecy. */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, failedIds, labContext, useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { LabDir } from '../../src/engine/state.ts';
import { portBase } from '../../src/platforms/ports.ts';
import { LDAP } from '../../src/services/ldap/directory.ts';
import { nonEmpty } from '../non-empty.ts';

let home: string;
let bindPw: string;
const outputs: string[] = [];
const call = async (...argv: string[]) => {
  const r = await cli(...argv);
  outputs.push(r.stdout, r.stderr);
  return r;
};
const check = async () => {
  const r = await call('check', 'ldap', '--json', '--lang', 'en');
  return { ids: failedIds(r), results: (JSON.parse(r.stdout) as { results: { id: string; ok: boolean; fix?: string }[] }).results };
};
const vault = async (...args: string[]) => {
  const ctx = await labContext('ldap');
  return ctx.exec({ kind: 'vault', args });
};

beforeAll(async () => {
  home = useTempLabHome('vault-lab-ldap-');
});
afterAll(async () => {
  await cli('down', '--all');
  fs.rmSync(home, { recursive: true, force: true });
});

describe('ldap topic on real slapd + OpenBao', () => {
  it('start: slapd seeded, Vault unsealed; every Vault-side check fails on the start state', async () => {
    const r = await call('start', 'ldap', '--lang', 'en', '-v');
    expect(r.code, r.stderr).toBe(0);
    const lab = new LabDir('ldap');
    bindPw = lab.readSecret('ldap/bind.password')!;
    expect(bindPw.length).toBeGreaterThanOrEqual(16);
    for (const f of ['ldap/bind.password', 'ldap/alice.password', 'ldap/bob.password']) expect(fs.statSync(lab.path(f)).mode & 0o777).toBe(0o600);
    const { ids } = await check();
    const all = (await (await labContext('ldap')).topic.checker()).checks.map((c) => c.id);
    expect(ids).toEqual(all.filter((id) => id !== 'directory'));
  });

  it('run: all checks pass', async () => {
    const r = await call('run', 'ldap', '--lang', 'en', '-v');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await check()).ids).toEqual([]);
  });

  it('the learner shell: eval lab env, vault login -method=ldap as alice, token lookup shows the three policies', async () => {
    const script = [
      `eval "$(node_modules/.bin/node bin/lab.js env ldap)"`,
      'export VAULT_LDAP_PASSWORD="$(cat "$LAB_DIR/ldap/alice.password")"',
      'unset VAULT_TOKEN BAO_TOKEN',
      'export HOME="$LAB_DIR"',
      'vault login -method=ldap username=alice >/dev/null',
      'vault token lookup -format=json',
    ].join('\n');
    const r = await run('bash', ['-c', script], { env: { LAB_HOME: home, LAB_PORT_BASE: process.env.LAB_PORT_BASE } });
    const data = (JSON.parse(r.stdout) as { data: { policies: string[]; meta: { username: string } } }).data;
    expect(data.policies.sort()).toEqual(['alice-specific-policy', 'default', 'dev-policy']);
    expect(data.meta.username).toBe('alice');
  });

  it('deleting the developers group mapping fails exactly that check, with its fix command', async () => {
    await vault('delete', 'auth/ldap/groups/developers');
    const { ids, results } = await check();
    expect(ids).toEqual(['group-developers']);
    expect(results.find((x) => x.id === 'group-developers')?.fix).toContain('vault write auth/ldap/groups/developers policies=dev-policy');
    const r = await call('solve', 'ldap', 'groups');
    expect(r.code).toBe(0);
    expect((await check()).ids).toEqual([]);
  });

  it.each([
    ['userattr=cn', 'config-userattr', 'vault write auth/ldap/config userattr=uid'],
    ['groupfilter=(&(objectClass=posixGroup)(memberUid={{.Username}}))', 'config-groupfilter', "vault write auth/ldap/config 'groupfilter="],
    ['bindpass=not-the-password', 'config-bind', 'bindpass=@"$LAB_DIR/ldap/bind.password"'],
    ['url=ldap://127.0.0.1:1', 'config-url', 'vault write auth/ldap/config url="$LDAP_URL"'],
  ])('mutation %s fails %s on the live lab, and solving the config step repairs it', async (kv, id, fix) => {
    await vault('write', 'auth/ldap/config', kv);
    const { ids, results } = await check();
    expect(ids).toContain(id);
    expect(results.find((x) => x.id === id)?.fix).toContain(fix);
    // A login that fails for the wrong config must not lock alice out for the next check.
    await call('solve', 'ldap', 'config');
    expect((await check()).ids).toEqual([]);
  });

  it("the note's config, with no groupfilter (OpenBao's default filter), passes on real slapd; memberUid alone is caught", async () => {
    const ctx = await labContext('ldap');
    const lab = new LabDir('ldap');
    await vault('auth', 'disable', 'ldap');
    await vault('auth', 'enable', 'ldap');
    const note = [`url=${ctx.platform.ldap!.url}`, `userdn=${LDAP.userDn}`, `groupdn=${LDAP.groupDn}`, `binddn=${LDAP.bindDn}`, `bindpass=@${lab.path(LDAP.files.bind!)}`, 'userattr=uid', 'groupattr=cn'];
    await vault('write', 'auth/ldap/config', ...note);
    expect((await vault('read', '-field=groupfilter', 'auth/ldap/config')).stdout).toContain('(member={{.UserDN}})');
    for (const step of ['groups', 'users']) expect((await call('solve', 'ldap', step)).code).toBe(0);
    expect((await check()).ids).toEqual([]);
    await vault('write', 'auth/ldap/config', 'groupfilter=(memberUid={{.Username}})');
    const { ids } = await check();
    await call('solve', 'ldap', 'config');
    // bob's token loses admin-policy too, so the admin path is refused to him as well.
    expect(ids).toEqual(['config-groupfilter', 'group-developers', 'group-admins', 'alice-denied-admin']);
    expect((await check()).ids).toEqual([]);
  });

  // The wrong-password check's failing side is proven by the pure judge tests: a real OpenBao cannot be made to
  // accept a wrong password, and even with deny_null_bind=false it refuses an empty one (seen with 2.6.2).
  it('the user mapping and a mapping granting alice the admin path: each caught live', async () => {
    await vault('delete', 'auth/ldap/users/alice');
    expect((await check()).ids).toEqual(['user-alice']);
    await call('solve', 'ldap', 'users');
    await vault('write', 'auth/ldap/groups/developers', 'policies=dev-policy,admin-policy');
    expect((await check()).ids).toEqual(['alice-denied-admin']);
    await call('solve', 'ldap', 'groups');
    expect((await check()).ids).toEqual([]);
  });

  it('info --show-secrets shows alice and bob, never the bind password; lab env exports LDAP_URL only', async () => {
    const lab = new LabDir('ldap');
    const info = await cli('info', 'ldap', '--show-secrets');
    expect(info.stdout).toContain(lab.readSecret('ldap/alice.password')!);
    expect(info.stdout).toContain(lab.readSecret('ldap/bob.password')!);
    expect(info.stdout).not.toContain(bindPw);
    const hidden = await call('info', 'ldap');
    expect(hidden.stdout).not.toContain(lab.readSecret('ldap/alice.password')!);
    const env = await call('env', 'ldap');
    expect(env.stdout).toMatch(/export LDAP_URL='ldap:\/\/127\.0\.0\.1:\d+'/);
    expect(env.stdout).not.toContain(bindPw);
  });

  it('the bind password never appears in output, logs or state files', async () => {
    for (const o of nonEmpty(outputs)) expect(o).not.toContain(bindPw);
    const lab = new LabDir('ldap');
    const secretFiles = new Set(['ldap/bind.password'].map((f) => lab.path(f)));
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'db' || e.name === 'data' ? [] : walk(path.join(d, e.name))) : [path.join(d, e.name)]));
    const files = walk(lab.dir).filter((f) => !secretFiles.has(f));
    expect(files.some((f) => f.endsWith('slapd.log'))).toBe(true);
    for (const f of nonEmpty(files)) expect(fs.readFileSync(f, 'utf8'), f).not.toContain(bindPw);
  });

  it('slapd missing: exit 3 with the install hint; lab doctor ldap lists slapd', async () => {
    await cli('down', 'ldap');
    process.env.LAB_SLAPD = '/nonexistent/slapd';
    try {
      const r = await cli('start', 'ldap', '--lang', 'en');
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('slapd');
      expect(r.stderr).toContain('apt-get install -y slapd ldap-utils');
    } finally {
      delete process.env.LAB_SLAPD;
    }
    const d = await cli('doctor', 'ldap', '--json');
    expect((JSON.parse(d.stdout) as { tools: { name: string; required: boolean }[] }).tools.find((t) => t.name === 'slapd')?.required).toBe(true);
  });

  it('a busy LDAP port is named with its owner, exit 3', async () => {
    await cli('down', 'ldap');
    const port = portBase('ldap') + 10;
    const srv = net.createServer();
    await new Promise<void>((resolve) => srv.listen(port, '127.0.0.1', resolve));
    try {
      const r = await cli('start', 'ldap', '--lang', 'en');
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`port ${port}`);
      expect(r.stderr).toContain('slapd');
    } finally {
      await new Promise((resolve) => srv.close(resolve));
    }
    const again = await cli('start', 'ldap');
    expect(again.code, again.stderr).toBe(0);
    expect((await check()).ids).toEqual([]);
  });
});
