/**
 * The mcp topic against real OpenBao and real MariaDB: every check fails on the start state, passes when
 * solved, and catches its typical mistake on the live lab; the MCP server (spawned by the SDK's
 * StdioClientTransport) answers through agent-1's short-lived credentials and is refused on db2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cli, failedIds, labContext, useTempLabHome } from '../helpers.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { run } from '../../src/exec.ts';
import { adminDb, dbUserExists } from '../../checkers/mcp.ts';
import { REVOCATION_STATEMENTS, creationStatements, policyHcl } from '../../scenarios/mcp.ts';
import type { LabContext } from '../../src/engine/types.ts';
import type { MariadbAdmin } from '../../src/services/mariadb/account.ts';

const ALL = ['approle-roles', 'agent-login', 'least-privilege', 'db1-select', 'db2-refused', 'insert-refused', 'lease-ttl', 'revoke-drops-user', 'revoke-own-lease', 'revoke-ends-sessions', 'mcp-server-used', 'audit-records'];

async function checkFailures(): Promise<string[]> {
  const r = await cli('check', 'mcp', '--json');
  return failedIds(r);
}

let ctx: LabContext;

beforeAll(async () => {
  useTempLabHome('vault-lab-mcp-');
  const r = await cli('start', 'mcp');
  expect(r.code, r.stderr).toBe(0);
  ctx = await labContext('mcp');
});

afterAll(async () => {
  await cli('down', '--all');
});

describe('mcp topic', () => {
  it('fails every check on the start state', async () => {
    expect((await checkFailures()).sort()).toEqual([...ALL].sort());
    // The lab's MariaDB is real: the anonymous accounts are gone and the seed data is there.
    const db = (await adminDb(ctx))!;
    const [anon] = await db.query("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ''");
    expect(Number((anon as { n: number }[])[0]!.n)).toBe(0);
    await db.end();
    const mode = fs.statSync(ctx.lab.path('mariadb-admin.json')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('passes every check once solved', async () => {
    const r = await cli('run', 'mcp');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await checkFailures()).toEqual([]);
  });

  it('lab solve on a solved lab runs the lines lab hint shows: enable skipped once there, the MCP calls as typed', async () => {
    for (const id of ['approle', 'db-engine', 'audit', 'mcp-server']) {
      const step = ctx.topic.steps.find((s) => s.id === id)!;
      expect([id, step.solve]).toEqual([id, undefined]);
      const r = await cli('solve', 'mcp', id);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stderr.split('\n').map((l) => l.trim());
      const shown = step.commands!.map((c) => ctx.platform.render(c));
      // The guarded line (an enable whose mount or device is there) is the only one skipped.
      const enable = shown.filter((l) => / enable /.test(l));
      expect([id, enable.length]).toEqual([id, id === 'mcp-server' ? 0 : 1]);
      for (const line of shown) expect([id, line, lines.includes(line)]).toEqual([id, line, !enable.includes(line)]);
    }
    expect(await checkFailures()).toEqual([]);
  });

  it('the roles keep secret_ids to one login within 10 minutes: read back from OpenBao, a second login is refused, 0 is caught', async () => {
    const admin = ctx.vault();
    for (const a of ['agent-1', 'agent-2']) {
      const r = (await admin.read<{ data: { secret_id_num_uses: number; secret_id_ttl: number } }>(`/auth/approle/role/${a}`)).data;
      expect([a, r.secret_id_num_uses, r.secret_id_ttl]).toEqual([a, 1, 600]);
    }
    const roleId = (await admin.read<{ data: { role_id: string } }>('/auth/approle/role/agent-2/role-id')).data.role_id;
    const sid = (await admin.write<{ data: { secret_id: string } }>('/auth/approle/role/agent-2/secret-id', {})).data.secret_id;
    const first = await admin.write<{ auth: { client_token: string } }>('/auth/approle/login', { role_id: roleId, secret_id: sid });
    expect(first.auth.client_token).toBeTruthy();
    await expect(admin.write('/auth/approle/login', { role_id: roleId, secret_id: sid })).rejects.toThrow(/400 invalid/i);
    await admin.write('/auth/approle/role/agent-2', { secret_id_num_uses: 0 });
    expect(await checkFailures()).toEqual(['approle-roles']);
    await admin.write('/auth/approle/role/agent-2', { secret_id_num_uses: 1 });
    expect(await checkFailures()).toEqual([]);
  });

  it('the MCP server answers through agent-1 short-lived credentials and is refused on db2', async () => {
    const admin = ctx.vault();
    const roleId = (await admin.read<{ data: { role_id: string } }>('/auth/approle/role/agent-1/role-id')).data.role_id;
    const wrapped = await admin.request<{ wrap_info: { token: string } }>('POST', '/auth/approle/role/agent-1/secret-id', {}, { 'X-Vault-Wrap-TTL': '60s' });
    const tokenFile = ctx.lab.path('mcp-wrapping-token');
    ctx.lab.writeSecret('mcp-wrapping-token', wrapped.wrap_info.token);
    const mariadb = ctx.lab.secretJson<MariadbAdmin>('mariadb-admin.json')!;
    const transport = new StdioClientTransport({
      command: path.join(rootDir, 'node_modules/.bin/node'),
      args: [path.join(rootDir, 'src/mcp/server.ts')],
      env: { PATH: process.env.PATH ?? '', VAULT_ADDR: ctx.platform.vaultNodes()[0]!.addr, MCP_ROLE_ID: roleId, MCP_WRAPPING_TOKEN_FILE: tokenFile, MCP_DB_ROLE: 'agent-1-role', MCP_DB_PORT: String(mariadb.port) },
      stderr: 'pipe',
    });
    let log = '';
    transport.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const client = new Client({ name: 'vault-lab-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['credentials', 'query', 'revoke']);

      const ok = await client.callTool({ name: 'query', arguments: { sql: 'SELECT name FROM db1.customers ORDER BY id' } });
      expect(ok.isError, log).toBeFalsy();
      const rows = JSON.parse((ok.content as { text: string }[])[0]!.text) as { name: string }[];
      expect(rows.map((r) => r.name)).toEqual(['Kim', 'Lee', 'Park']);

      const refused = await client.callTool({ name: 'query', arguments: { sql: 'SELECT * FROM db2.orders' } });
      expect(refused.isError).toBe(true);
      expect((refused.content as { text: string }[])[0]!.text).toMatch(/denied/i);

      const insert = await client.callTool({ name: 'query', arguments: { sql: "INSERT INTO db1.customers VALUES (99, 'x')" } });
      expect(insert.isError).toBe(true);

      const who = JSON.parse(((await client.callTool({ name: 'credentials', arguments: {} })).content as { text: string }[])[0]!.text) as { username: string; lease_duration: number; lease_ttl_seconds: number };
      expect(who.username).toMatch(/^v-/);
      expect(who.lease_duration).toBeGreaterThan(0);
      expect(who.lease_duration).toBeLessThanOrEqual(600);
      const db = (await adminDb(ctx))!;
      expect(await dbUserExists(db, who.username)).toBe(true);

      // The wrapping token was single-use: the server consumed it, so nobody else can.
      await expect(ctx.vault(0, wrapped.wrap_info.token).write('/sys/wrapping/unwrap')).rejects.toThrow();
      expect(log).not.toContain(wrapped.wrap_info.token);

      // Closing the server revokes its token, and with it the lease: the temporary user goes away.
      await client.close();
      const deadline = Date.now() + 10_000;
      while ((await dbUserExists(db, who.username)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await dbUserExists(db, who.username)).toBe(false);
      await db.end();
    } finally {
      await client.close().catch(() => undefined);
    }
  });

  it('the MCP server renews its lease and fetches new credentials when max_ttl is reached', async () => {
    const admin = ctx.vault();
    await admin.write('/sys/policy/agent-short-policy', { policy: 'path "database/creds/agent-short-role" { capabilities = ["read"] }\n' });
    await admin.write('/auth/approle/role/agent-short', { token_policies: 'agent-short-policy', token_ttl: '10m', token_max_ttl: '1h' });
    await admin.write('/database/config/mysql', { allowed_roles: 'agent-1-role,agent-2-role,agent-short-role' });
    await admin.write('/database/roles/agent-short-role', { db_name: 'mysql', creation_statements: creationStatements('agent-1'), default_ttl: '3s', max_ttl: '7s' });
    const roleId = (await admin.read<{ data: { role_id: string } }>('/auth/approle/role/agent-short/role-id')).data.role_id;
    const wrapped = await admin.request<{ wrap_info: { token: string } }>('POST', '/auth/approle/role/agent-short/secret-id', {}, { 'X-Vault-Wrap-TTL': '60s' });
    ctx.lab.writeSecret('mcp-wrapping-token-short', wrapped.wrap_info.token);
    const mariadb = ctx.lab.secretJson<MariadbAdmin>('mariadb-admin.json')!;
    const transport = new StdioClientTransport({
      command: path.join(rootDir, 'node_modules/.bin/node'),
      args: [path.join(rootDir, 'src/mcp/server.ts')],
      env: { PATH: process.env.PATH ?? '', VAULT_ADDR: ctx.platform.vaultNodes()[0]!.addr, MCP_ROLE_ID: roleId, MCP_WRAPPING_TOKEN_FILE: ctx.lab.path('mcp-wrapping-token-short'), MCP_DB_ROLE: 'agent-short-role', MCP_DB_PORT: String(mariadb.port) },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'vault-lab-test', version: '0.0.0' });
    await client.connect(transport);
    const who = async () => JSON.parse(((await client.callTool({ name: 'credentials', arguments: {} })).content as { text: string }[])[0]!.text) as { username: string; fetches: number; renewals: number };
    try {
      const first = await who();
      await new Promise((r) => setTimeout(r, 11_000));
      const later = await who();
      expect(later.renewals).toBeGreaterThanOrEqual(1);
      expect(later.fetches).toBeGreaterThanOrEqual(2);
      expect(later.username).not.toBe(first.username);
      const q = await client.callTool({ name: 'query', arguments: { sql: 'SELECT COUNT(*) AS n FROM db1.customers' } });
      expect(q.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('lab mcp serve, started by an MCP client, revokes with the agent token and the check sees it in the audit log', async () => {
    const transport = new StdioClientTransport({
      command: path.join(rootDir, 'node_modules/.bin/node'),
      args: [path.join(rootDir, 'bin/lab.js'), 'mcp', 'serve', '--agent', 'agent-2'],
      env: { PATH: process.env.PATH ?? '', LAB_HOME: process.env.LAB_HOME ?? '', LAB_PORT_BASE: process.env.LAB_PORT_BASE ?? '' },
      stderr: 'pipe',
    });
    let log = '';
    transport.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const client = new Client({ name: 'vault-lab-test', version: '0.0.0' });
    await client.connect(transport);
    const text = (r: unknown) => ((r as { content: { text: string }[] }).content[0]!.text);
    const db = (await adminDb(ctx))!;
    try {
      const who = JSON.parse(text(await client.callTool({ name: 'credentials', arguments: {} }))) as { username: string };
      expect(who.username, log).toMatch(/^v-approle-agent-2/);
      expect(await dbUserExists(db, who.username)).toBe(true);
      const other = await client.callTool({ name: 'query', arguments: { sql: 'SELECT * FROM db1.customers' } });
      expect(other.isError).toBe(true);
      const revoked = JSON.parse(text(await client.callTool({ name: 'revoke', arguments: {} }))) as { username: string; login_after_revoke: string };
      expect(revoked.username).toBe(who.username);
      expect(revoked.login_after_revoke).toBe('ER_ACCESS_DENIED_ERROR');
      expect(await dbUserExists(db, who.username)).toBe(false);
    } finally {
      await client.close();
      await db.end();
    }
    // The audit log carries the server's own revoke (its token's metadata names it), so agent-2's half passes.
    const r = await cli('check', 'mcp', '--json', '--lang', 'en');
    const json = JSON.parse(r.stdout) as { results: { id: string; ok: boolean; why?: string }[] };
    const used = json.results.find((x) => x.id === 'mcp-server-used')!;
    expect(used.ok).toBe(true);
  });

  it("the lesson's Python agent (hvac) runs as written: revoke_self ends the lease; revoke_lease with the agent token is a 403", async () => {
    const lesson = fs.readFileSync(path.join(rootDir, 'labs/mcp/lesson.ko.md'), 'utf8');
    const code = /```python\n([\s\S]*?)```/.exec(lesson)![1]!;
    expect(code).toContain('client.auth.token.revoke_self()');
    const python = path.join(rootDir, '.tools', 'venv', 'bin', 'python');
    const admin = ctx.vault();
    const roleId = (await admin.read<{ data: { role_id: string } }>('/auth/approle/role/agent-1/role-id')).data.role_id;
    const wrap = async () => (await admin.request<{ wrap_info: { token: string } }>('POST', '/auth/approle/role/agent-1/secret-id', {}, { 'X-Vault-Wrap-TTL': '60s' })).wrap_info.token;
    const env = { PATH: process.env.PATH ?? '', VAULT_ADDR: ctx.platform.vaultNodes()[0]!.addr, ROLE_ID: roleId };
    const r = await run(python, ['-c', code], { env: { ...env, WRAPPING_TOKEN: await wrap() } });
    const [user, ttl] = r.stdout.trim().split(' ');
    expect(user).toMatch(/^v-approle-agent-1/);
    expect(Number(ttl)).toBe(600);
    const db = (await adminDb(ctx))!;
    expect(await dbUserExists(db, user!)).toBe(false);
    // The call the seed-style code would make instead: the agent's policy does not open sys/leases/revoke.
    const asSeed = await run(python, ['-c', code.replace('client.auth.token.revoke_self()', 'client.sys.revoke_lease(lease_id=creds["lease_id"])')], { env: { ...env, WRAPPING_TOKEN: await wrap() }, reject: false });
    expect(asSeed.exitCode).not.toBe(0);
    expect(asSeed.stderr).toMatch(/Forbidden|permission denied/);
    await db.end();
  });

  describe('each check catches its typical mistake on the live lab', () => {
    it('a policy without the scoped revoke path breaks revoke-own-lease only', async () => {
      const admin = ctx.vault();
      await admin.write('/sys/policy/agent-1-policy', { policy: policyHcl('agent-1').replace(/path "sys\/leases[^}]*}\n/, '') });
      expect(await checkFailures()).toEqual(['revoke-own-lease']);
      await admin.write('/sys/policy/agent-1-policy', { policy: policyHcl('agent-1') });
    });

    it('the default revocation (DROP USER only) leaves an open session reading: revoke-ends-sessions fails', async () => {
      const admin = ctx.vault();
      await admin.delete('/database/roles/agent-1-role');
      await admin.write('/database/roles/agent-1-role', { db_name: 'mysql', creation_statements: creationStatements('agent-1'), default_ttl: '10m', max_ttl: '1h' });
      expect(await checkFailures()).toEqual(['revoke-ends-sessions']);
      await admin.write('/database/roles/agent-1-role', { db_name: 'mysql', creation_statements: creationStatements('agent-1'), revocation_statements: REVOCATION_STATEMENTS, default_ttl: '10m', max_ttl: '1h' });
      expect(await checkFailures()).toEqual([]);
    });

    it('a wildcard policy breaks least-privilege', async () => {
      const admin = ctx.vault();
      await admin.write('/sys/policy/agent-1-policy', { policy: 'path "secret/data/agents/*" { capabilities = ["read"] }\npath "database/creds/*" { capabilities = ["read"] }\npath "sys/leases/revoke/database/creds/agent-1-role/*" { capabilities = ["update"] }\n' });
      expect(await checkFailures()).toEqual(['least-privilege']);
      await admin.write('/sys/policy/agent-1-policy', { policy: policyHcl('agent-1') });
    });

    it('the seed statement without templates gets no working credentials', async () => {
      const admin = ctx.vault();
      await admin.write('/database/roles/agent-1-role', { db_name: 'mysql', creation_statements: "CREATE USER ''@'%' IDENTIFIED BY ''; GRANT SELECT ON db1.* TO ''@'%';", default_ttl: '10m', max_ttl: '1h' });
      const f = await checkFailures();
      expect(f).toContain('db1-select');
      expect(f).not.toContain('approle-roles');
      // That statement created an anonymous account: remove it, as a learner would have to.
      const db = (await adminDb(ctx))!;
      await db.query("DROP USER IF EXISTS ''@'%'");
      await db.end();
    });

    it('GRANT ALL ON *.* breaks db2-refused and insert-refused', async () => {
      const admin = ctx.vault();
      await admin.write('/database/roles/agent-1-role', { db_name: 'mysql', creation_statements: "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT ALL ON *.* TO '{{name}}'@'%';", default_ttl: '10m', max_ttl: '1h' });
      expect((await checkFailures()).sort()).toEqual(['db2-refused', 'insert-refused']);
    });

    it('a long default_ttl breaks lease-ttl', async () => {
      const admin = ctx.vault();
      await admin.write('/database/roles/agent-1-role', { db_name: 'mysql', creation_statements: creationStatements('agent-1'), default_ttl: '24h', max_ttl: '48h' });
      expect(await checkFailures()).toEqual(['lease-ttl']);
    });

    it('revocation statements that keep the user break revoke-drops-user', async () => {
      const admin = ctx.vault();
      await admin.write('/database/roles/agent-1-role', { db_name: 'mysql', creation_statements: creationStatements('agent-1'), revocation_statements: "REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{{name}}'@'%';", default_ttl: '10m', max_ttl: '1h' });
      expect(await checkFailures()).toEqual(['revoke-drops-user', 'revoke-ends-sessions']);
      await admin.delete('/database/roles/agent-1-role');
      await admin.write('/database/roles/agent-1-role', { db_name: 'mysql', creation_statements: creationStatements('agent-1'), revocation_statements: REVOCATION_STATEMENTS, default_ttl: '10m', max_ttl: '1h' });
    });

    it('a shared or long-lived role breaks approle-roles', async () => {
      const admin = ctx.vault();
      await admin.write('/auth/approle/role/agent-2', { token_policies: 'agent-1-policy,agent-2-policy', token_ttl: '10m', token_max_ttl: '1h' });
      // agent-2 now carries agent-1's policy too: the agent-2 probe sees agent-1's paths open.
      expect((await checkFailures()).sort()).toEqual(['approle-roles', 'least-privilege']);
      await admin.write('/auth/approle/role/agent-2', { token_policies: 'agent-2-policy' });
    });

    it('without an audit device audit-records fails', async () => {
      const admin = ctx.vault();
      const devices = await admin.read<{ data: Record<string, { type: string }> }>('/sys/audit');
      for (const p of Object.keys(devices.data)) await admin.delete(`/sys/audit/${p}`);
      expect((await checkFailures()).sort()).toEqual(['audit-records', 'mcp-server-used']);
    });

    it('lab run converges back to all-pass', async () => {
      const r = await cli('run', 'mcp');
      expect(r.code, r.stdout + r.stderr).toBe(0);
    });
  });
});
