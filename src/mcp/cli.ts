/**
 * `lab mcp serve --agent agent-N`: the MCP server of one agent, on stdio, for any MCP client to start.
 * The lab plays the deployer: with the admin token it reads the agent's role_id and mints a response-wrapped
 * secret_id whose metadata names the server (`mcp_server=<agent>`, visible in the audit log); the server then
 * unwraps it, logs in with the agent's own AppRole and never touches the admin token again.
 *
 * `lab mcp call --agent agent-N <tool>…`: the lab's own client (the SDK's stdio Client) that starts that server
 * and calls tools in one session: `credentials`, `query=<sql>`, `revoke`.
 */
import path from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CommandArgs } from '../cli/types.ts';
import { openLab } from '../cli/lab.ts';
import { Exit, LabError, envError, usageError } from '../engine/errors.ts';
import { msg } from '../engine/i18n.ts';
import { redact, registerSecret } from '../engine/redact.ts';
import { rootDir } from '../engine/paths.ts';
import type { MariadbAdmin } from '../services/mariadb/account.ts';
import { AgentSession, MCP_META } from './session.ts';
import { createServer } from './server.ts';

export const MCP_AGENTS = ['agent-1', 'agent-2'] as const;

function agentArg(agent: string | undefined): string {
  if (!agent || !(MCP_AGENTS as readonly string[]).includes(agent)) {
    throw usageError(msg(`--agent는 ${MCP_AGENTS.join(' 또는 ')}입니다.`, `--agent takes ${MCP_AGENTS.join(' or ')}.`), msg('예: npx lab mcp serve --agent agent-1', 'e.g. npx lab mcp serve --agent agent-1'));
  }
  return agent;
}

export async function serve(a: CommandArgs, agentName: string | undefined): Promise<number> {
  const agent = agentArg(agentName);
  const log = (line: string) => process.stderr.write(`[mcp ${agent}] ${redact(line)}\n`);
  const ctx = await openLab({ ...a, positionals: ['mcp'] }, { mustExist: true });
  const active = await ctx.activeVault();
  if (!active) throw envError(msg('mcp 랩의 Vault가 응답하지 않거나 봉인되어 있습니다.', 'the mcp lab has no unsealed Vault answering.'), msg("'npx lab start mcp'를 다시 실행하세요.", "Run 'npx lab start mcp' again."));
  const admin = active.client;
  let roleId: string;
  let wrappingToken: string;
  try {
    roleId = (await admin.read<{ data: { role_id: string } }>(`/auth/approle/role/${agent}/role-id`)).data.role_id;
    const wrapped = await admin.request<{ wrap_info?: { token?: string } }>('POST', `/auth/approle/role/${agent}/secret-id`, { metadata: JSON.stringify({ [MCP_META]: agent }) }, { 'X-Vault-Wrap-TTL': '60s' });
    wrappingToken = wrapped.wrap_info?.token ?? '';
    if (!wrappingToken) throw new Error('the secret-id response was not wrapped');
    registerSecret(wrappingToken);
  } catch (e) {
    throw envError(
      msg(`AppRole ${agent}의 secret_id를 만들 수 없습니다: ${e instanceof Error ? e.message : String(e)}`, `cannot mint a secret_id for AppRole ${agent}: ${e instanceof Error ? e.message : String(e)}`),
      msg('approle 단계를 먼저 끝내세요 (npx lab hint mcp).', 'Finish the approle step first (npx lab hint mcp).'),
    );
  }
  const mariadb = ctx.lab.secretJson<MariadbAdmin>('mariadb-admin.json');
  if (!mariadb) throw envError(msg('MariaDB 정보(mariadb-admin.json)가 없습니다.', 'the MariaDB details (mariadb-admin.json) are missing.'), msg("'npx lab start mcp'를 다시 실행하세요.", "Run 'npx lab start mcp' again."));
  const node = ctx.platform.vaultNodes()[active.node]!;
  const session = new AgentSession({ addr: node.addr, caFile: node.caFile, roleId, wrappingToken, dbRole: `${agent}-role`, db: { host: '127.0.0.1', port: mariadb.port }, log });
  const ready = session.login().then(() => session.fetchCreds()).then(() => undefined);
  ready.catch((e: unknown) => log(`vault login failed: ${e instanceof Error ? e.message : String(e)}`));
  const server = createServer(session, ready);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('close', () => resolve());
    a.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.connect(transport);
  log('ready on stdio');
  await closed;
  // Revoking our own token takes every lease it made with it: the temporary DB user is dropped.
  await session.close().catch(() => undefined);
  await server.close().catch(() => undefined);
  return Exit.ok;
}

type Call = { tool: 'credentials' | 'revoke' } | { tool: 'query'; sql: string };

function parseCalls(words: string[]): Call[] {
  if (!words.length) throw usageError(msg('부를 도구를 적으세요: credentials, query=<SQL>, revoke', 'name the tools to call: credentials, query=<SQL>, revoke'));
  return words.map((w): Call => {
    if (w === 'credentials' || w === 'revoke') return { tool: w };
    if (w.startsWith('query=') && w.length > 6) return { tool: 'query', sql: w.slice(6) };
    throw usageError(msg(`알 수 없는 도구 호출: '${w}'`, `unknown tool call '${w}'`), msg('credentials, query=<SQL>, revoke 중에서 고르세요.', 'Use credentials, query=<SQL> or revoke.'));
  });
}

export async function call(a: CommandArgs, agentName: string | undefined, tools: string[]): Promise<number> {
  const agent = agentArg(agentName);
  const calls = parseCalls(tools);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(rootDir, 'bin/lab.js'), 'mcp', 'serve', '--agent', agent],
    env,
    stderr: 'inherit',
  });
  const client = new Client({ name: 'vault-lab-call', version: '0.1.0' });
  let failed = false;
  try {
    await client.connect(transport);
    for (const c of calls) {
      const r = await client.callTool({ name: c.tool, arguments: c.tool === 'query' ? { sql: c.sql } : {} });
      const text = (r.content as { type: string; text?: string }[]).map((p) => p.text ?? '').join('\n');
      a.io.stdout.write(`${c.tool === 'query' ? `query ${c.sql}` : c.tool} → ${r.isError ? 'ERROR ' : ''}${redact(text)}\n`);
      if (r.isError) failed = true;
    }
  } catch (e) {
    throw new LabError(msg(`MCP 서버와 통신하지 못했습니다: ${e instanceof Error ? e.message : String(e)}`, `could not talk to the MCP server: ${e instanceof Error ? e.message : String(e)}`), {
      exitCode: Exit.environment,
      hint: msg('위의 [mcp …] 줄이 서버 쪽 원인을 보여 줍니다.', 'The [mcp …] lines above show the server side.'),
    });
  } finally {
    await client.close().catch(() => undefined);
  }
  return failed ? Exit.checksFailed : Exit.ok;
}
