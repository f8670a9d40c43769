import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checks, mcpFromAudit, parseAudit, type State } from '../../checkers/mcp.ts';
import { judgeAll } from '../../src/engine/runner.ts';
import { creationStatements, policyHcl, topic } from '../../scenarios/mcp.ts';
import { configFromEnv } from '../../src/mcp/server.ts';
import { renderLocal } from '../../src/platforms/local/local.ts';
import { cli, fixText, renderOn } from '../helpers.ts';
import { nonEmpty } from '../non-empty.ts';

const render = await renderOn('local', 'mcp');
const solved = (): State => ({
  vaultReady: true,
  roles: {
    'agent-1': { tokenTtl: 600, tokenMaxTtl: 3600, policies: ['agent-1-policy'], secretIdTtl: 600, secretIdNumUses: 1 },
    'agent-2': { tokenTtl: 600, tokenMaxTtl: 3600, policies: ['agent-2-policy'], secretIdTtl: 600, secretIdNumUses: 1 },
  },
  login: { ok: true, tokenTtl: 599, tokenPolicies: ['agent-1-policy', 'default'] },
  access: { ownKv: 'ok', ownCreds: 'ok', otherKv: 'denied', otherCreds: 'denied' },
  creds: { ok: true, username: 'v-approle-agent-1-r-abc', leaseTtl: 600 },
  db: {
    selectDb1: { ok: true, rows: [{ n: 3 }] },
    selectDb2: { ok: false, code: 'ER_DBACCESS_DENIED_ERROR', message: 'Access denied' },
    insertDb1: { ok: false, code: 'ER_TABLEACCESS_DENIED_ERROR', message: 'INSERT command denied' },
  },
  revoke: { userBefore: true, userAfter: false, byAgent: 'ok', sessionAfter: 'closed' },
  audit: { devices: [{ path: 'file/', type: 'file', file: '/x/audit.log' }], recorded: true },
  access2: { otherKv: 'denied', otherCreds: 'denied' },
  mcp: { 'agent-1': { issued: 2, revoked: 1, stillThere: 0 }, 'agent-2': { issued: 1, revoked: 1, stillThere: 0 } },
});

const judge = (id: string, s: State) => checks.find((c) => c.id === id)!.judge(s);
const failing = (s: State) => checks.filter((c) => !c.judge(s).ok).map((c) => c.id);

describe('mcp judges', () => {
  it('pass on the solved state, each with a hint', () => {
    expect(failing(solved())).toEqual([]);
    for (const c of nonEmpty(checks)) expect(c.hint?.ko && c.hint.en).toBeTruthy();
  });

  it.each([
    [0, 600],
    [1, 0],
    [1, 86_400],
    [undefined, undefined],
  ])('secret_id_num_uses=%s, secret_id_ttl=%s (unlimited or long-lived secret_ids) fails approle-roles with the limits to set', (uses, ttl) => {
    const s = solved();
    s.roles['agent-2'] = { ...s.roles['agent-2']!, secretIdNumUses: uses, secretIdTtl: ttl };
    const v = judge('approle-roles', s);
    expect(v.ok).toBe(false);
    expect(fixText(v, render)).toContain('vault write auth/approle/role/agent-2 secret_id_num_uses=1 secret_id_ttl=10m');
  });

  it('fail everything on an empty start state, with bilingual reasons', () => {
    const s: State = { vaultReady: true, roles: {}, login: { ok: false }, access: undefined, creds: { ok: false }, db: undefined, revoke: undefined, audit: { devices: [], recorded: false }, access2: undefined, mcp: {} };
    expect(failing(s)).toEqual(checks.map((c) => c.id));
    for (const c of nonEmpty(checks)) {
      const v = c.judge(s);
      // Each says what to do: a note in both languages, or commands (rendered per platform, the same in both).
      expect(v.why?.ko && v.why.en && ((v.fix?.ko && v.fix.en) || v.fixCmds?.length)).toBeTruthy();
    }
  });

  it('catch a role with the default 32-day token TTL or shared policies', () => {
    const s = solved();
    s.roles['agent-2'] = { tokenTtl: 0, tokenMaxTtl: 0, policies: ['agent-2-policy'], secretIdTtl: 600, secretIdNumUses: 1 };
    expect(judge('approle-roles', s).ok).toBe(false);
    const t = solved();
    t.roles['agent-1']!.policies = ['agent-1-policy', 'agent-2-policy'];
    expect(judge('approle-roles', t).ok).toBe(false);
  });

  it('catch a wildcard policy (other agent paths reachable)', () => {
    const s = solved();
    s.access!.otherCreds = 'ok';
    expect(judge('least-privilege', s).ok).toBe(false);
    const t = solved();
    t.access!.otherKv = 'ok';
    expect(judge('least-privilege', t).ok).toBe(false);
  });

  it('tell a refused login (templates lost) from a refused privilege', () => {
    const s = solved();
    s.db = {
      selectDb1: { ok: false, code: 'ER_ACCESS_DENIED_ERROR', message: 'Access denied for user' },
      selectDb2: { ok: false, code: 'ER_ACCESS_DENIED_ERROR', message: 'Access denied for user' },
      insertDb1: { ok: false, code: 'ER_ACCESS_DENIED_ERROR', message: 'Access denied for user' },
    };
    expect(failing(s)).toEqual(['db1-select', 'db2-refused', 'insert-refused']);
  });

  it('catch GRANT on *.* and a long lease', () => {
    const s = solved();
    s.db!.selectDb2 = { ok: true, rows: [] };
    s.db!.insertDb1 = { ok: true, rows: { affectedRows: 1 } };
    expect(failing(s)).toEqual(['db2-refused', 'insert-refused']);
    const t = solved();
    t.creds.leaseTtl = 86400;
    expect(failing(t)).toEqual(['lease-ttl']);
  });

  it('catch a user left behind after revocation, and a missing audit record', () => {
    const s = solved();
    s.revoke = { userBefore: true, userAfter: true, byAgent: 'ok', sessionAfter: 'closed' };
    s.audit.recorded = false;
    expect(failing(s)).toEqual(['revoke-drops-user', 'audit-records']);
  });
});

describe('mcp judges: revocation and the MCP servers', () => {
  it('catch revocation only possible with the admin token', () => {
    const s = solved();
    s.revoke!.byAgent = 'denied';
    expect(failing(s)).toEqual(['revoke-own-lease']);
  });

  it('catch the default revocation that leaves open sessions reading', () => {
    const s = solved();
    s.revoke!.sessionAfter = 'open';
    expect(failing(s)).toEqual(['revoke-ends-sessions']);
  });

  it('catch agent-2 reaching agent-1 paths', () => {
    const s = solved();
    s.access2 = { otherKv: 'denied', otherCreds: 'ok' };
    expect(failing(s)).toEqual(['least-privilege']);
  });

  it('catch an MCP server never started, never revoking, or a revoked user left behind', () => {
    const a = solved();
    delete a.mcp['agent-2'];
    expect(failing(a)).toEqual(['mcp-server-used']);
    const b = solved();
    b.mcp['agent-1']!.revoked = 0;
    expect(failing(b)).toEqual(['mcp-server-used']);
    const c = solved();
    c.mcp['agent-2']!.stillThere = 1;
    expect(failing(c)).toEqual(['mcp-server-used']);
  });

  it('reads only the MCP server tokens from the audit log (metadata), and their own revokes', () => {
    const line = (o: object) => JSON.stringify(o);
    const text = [
      line({ type: 'response', auth: { metadata: { role_name: 'agent-1', mcp_server: 'agent-1' } }, request: { path: 'database/creds/agent-1-role' }, response: { secret: { lease_id: 'database/creds/agent-1-role/A' }, data: { username: 'hmac-sha256:u1' } } }),
      line({ type: 'response', auth: { metadata: { role_name: 'agent-1' } }, request: { path: 'database/creds/agent-1-role' }, response: { secret: { lease_id: 'database/creds/agent-1-role/B' }, data: { username: 'hmac-sha256:u2' } } }),
      line({ type: 'response', auth: { metadata: { role_name: 'agent-1', mcp_server: 'agent-1' } }, request: { path: 'sys/leases/revoke/database/creds/agent-1-role/A' } }),
      line({ type: 'response', error: 'permission denied', auth: { metadata: { mcp_server: 'agent-1' } }, request: { path: 'sys/leases/revoke/database/creds/agent-1-role/C' } }),
      '{"type":"resp',
    ].join('\n');
    const r = mcpFromAudit(parseAudit(text), 'agent-1');
    expect([...r.leases]).toEqual([['database/creds/agent-1-role/A', 'hmac-sha256:u1']]);
    expect([...r.revoked]).toEqual(['database/creds/agent-1-role/A']);
    expect(mcpFromAudit(parseAudit(text), 'agent-2').leases.size).toBe(0);
  });
});

describe('mcp content', () => {
  it('keeps the templates the seed lost, and scopes each agent', () => {
    expect(creationStatements('agent-1')).toBe("CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT SELECT ON db1.* TO '{{name}}'@'%';");
    expect(creationStatements('agent-2')).toContain('GRANT SELECT, INSERT ON db2.*');
    expect(policyHcl('agent-1')).toContain('path "database/creds/agent-1-role"');
    expect(policyHcl('agent-1')).not.toContain('database/creds/*');
    expect(policyHcl('agent-1')).not.toContain('agent-2');
  });

  it('renders the step commands for the learner without secrets', () => {
    const text = topic.steps.flatMap((s) => s.commands ?? []).map((c) => renderLocal(c, topic.needs.vault, 'mcp')).join('\n');
    expect(text).toContain("creation_statements=CREATE USER '\\''{{name}}'\\''");
    expect(text).toContain('-wrap-ttl=120s');
    expect(text).not.toMatch(/\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{20,}/);
  });

  it('the MCP server refuses a wrapping-token file others can read (exit path: configuration error)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-cfg-'));
    const f = path.join(dir, 'wrap');
    fs.writeFileSync(f, 's.abc', { mode: 0o644 });
    fs.chmodSync(f, 0o644);
    const env = { VAULT_ADDR: 'http://127.0.0.1:1', MCP_ROLE_ID: 'r', MCP_WRAPPING_TOKEN_FILE: f, MCP_DB_PORT: '3306' };
    expect(() => configFromEnv(env)).toThrow(/chmod 600/);
    fs.chmodSync(f, 0o600);
    expect(configFromEnv(env)).toMatchObject({ roleId: 'r', wrappingToken: 's.abc', dbRole: 'agent-1-role', db: { port: 3306 } });
    expect(() => configFromEnv({ ...env, MCP_ROLE_ID: '' })).toThrow(/MCP_ROLE_ID/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('lab mcp (usage)', () => {
  it('refuses an unknown subcommand, an unknown agent and an unknown tool call with exit 2, in both languages', async () => {
    const none = await cli('mcp');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('lab mcp serve --agent agent-1');
    const agent = await cli('mcp', 'serve', '--agent', 'agent-3', '--lang', 'en');
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain('--agent takes agent-1 or agent-2');
    const tool = await cli('mcp', 'call', '--agent', 'agent-1', 'drop-tables');
    expect(tool.code).toBe(2);
    expect(tool.stderr).toContain("알 수 없는 도구 호출: 'drop-tables'");
  });

  it('the step the learner types starts agent-1 and agent-2 servers through the lab client', () => {
    const mcpStep = topic.steps.find((s) => s.id === 'mcp-server')!;
    const text = (mcpStep.commands ?? []).map((c) => renderLocal(c, topic.needs.vault, 'mcp')).join('\n');
    expect(text).toContain('npx lab mcp call --agent agent-1 credentials');
    expect(text).toContain('npx lab mcp call --agent agent-2 credentials');
    expect(text.match(/ revoke/g)?.length).toBe(2);
    expect(policyHcl('agent-1')).toContain('path "sys/leases/revoke/database/creds/agent-1-role/*"');
  });
});

describe('mcp: agent-login judges the TTL too', () => {
  it('a login that works but lives 24 h fails with the token_ttl fix', () => {
    const s = solved();
    s.login = { ...s.login, tokenTtl: 86_400 };
    const r = judgeAll(checks, s, 'en', render).find((x) => x.id === 'agent-login')!;
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('token_ttl=10m');
  });
});
