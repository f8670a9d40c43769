/**
 * An MCP server (stdio) that gives an AI agent database access through Vault, never through a stored password:
 * it logs in with its AppRole (role_id + a response-wrapped secret_id), asks Vault for short-lived MariaDB
 * credentials and keeps them alive. stdout carries the MCP protocol only; logs go to stderr, redacted.
 *
 * Configuration (environment):
 *   VAULT_ADDR (or BAO_ADDR), VAULT_CACERT      where Vault is
 *   MCP_ROLE_ID                                 the agent's role_id (not a secret by itself)
 *   MCP_WRAPPING_TOKEN_FILE                     a 0600 file holding the single-use wrapping token
 *   MCP_DB_ROLE                                 e.g. agent-1-role
 *   MCP_DB_HOST, MCP_DB_PORT                    MariaDB (defaults 127.0.0.1, $MARIADB_PORT)
 */
import fs from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { AgentSession, type SessionOptions } from './session.ts';
import { redact, registerSecret } from '../engine/redact.ts';

export type ServerConfig = Pick<SessionOptions, 'addr' | 'caFile' | 'roleId' | 'wrappingToken' | 'dbRole' | 'db'>;

export function configFromEnv(env: NodeJS.ProcessEnv): ServerConfig {
  const need = (k: string, v: string | undefined): string => {
    if (!v) throw new Error(`${k} is not set`);
    return v;
  };
  const addr = need('VAULT_ADDR', env.VAULT_ADDR || env.BAO_ADDR);
  const file = need('MCP_WRAPPING_TOKEN_FILE', env.MCP_WRAPPING_TOKEN_FILE);
  const mode = fs.statSync(file).mode & 0o077;
  if (mode !== 0) throw new Error(`${file} must be readable by its owner only (chmod 600)`);
  const wrappingToken = fs.readFileSync(file, 'utf8').trim();
  registerSecret(wrappingToken);
  const port = Number(env.MCP_DB_PORT ?? env.MARIADB_PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('MCP_DB_PORT (or MARIADB_PORT) is not a port number');
  return {
    addr,
    caFile: env.VAULT_CACERT || env.BAO_CACERT || undefined,
    roleId: need('MCP_ROLE_ID', env.MCP_ROLE_ID),
    wrappingToken,
    dbRole: env.MCP_DB_ROLE ?? 'agent-1-role',
    db: { host: env.MCP_DB_HOST ?? '127.0.0.1', port },
  };
}

export function createServer(session: AgentSession, ready: Promise<void>): McpServer {
  const server = new McpServer({ name: 'vault-lab-db', version: '0.1.0' });
  server.registerTool(
    'query',
    {
      title: 'SQL query',
      description: 'Run one SQL statement on MariaDB with short-lived credentials issued by Vault for this agent.',
      inputSchema: { sql: z.string().min(1).describe('one SQL statement') },
    },
    async ({ sql }) => {
      await ready;
      const r = await session.query(sql);
      if (!r.ok) return { isError: true, content: [{ type: 'text' as const, text: redact(`${r.code}: ${r.message}`) }] };
      return { content: [{ type: 'text' as const, text: JSON.stringify(r.rows) }] };
    },
  );
  server.registerTool(
    'credentials',
    {
      title: 'Current database identity',
      description: 'The temporary database user and how long its lease has left (never the password).',
    },
    async () => {
      await ready;
      const c = session.creds ?? (await session.fetchCreds());
      const info = { username: c.username, lease_ttl_seconds: Math.max(0, Math.round((c.expiresAt - Date.now()) / 1000)), lease_duration: c.leaseDuration, fetches: session.fetches, renewals: session.renewals };
      return { content: [{ type: 'text' as const, text: JSON.stringify(info) }] };
    },
  );
  server.registerTool(
    'revoke',
    {
      title: 'Revoke the current database lease',
      description: "Hand the current credentials back to Vault with this agent's own token; the temporary user is dropped and its open sessions end. The next query gets new credentials.",
    },
    async () => {
      await ready;
      try {
        const r = await session.revokeLease();
        return { content: [{ type: 'text' as const, text: JSON.stringify({ revoked: r.leaseId, username: r.username, login_after_revoke: r.loginAfter }) }] };
      } catch (e) {
        return { isError: true, content: [{ type: 'text' as const, text: redact(e instanceof Error ? e.message : String(e)) }] };
      }
    },
  );
  return server;
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[mcp] ${redact(line)}\n`);
  let cfg: ServerConfig;
  try {
    cfg = configFromEnv(process.env);
  } catch (e) {
    log(`configuration error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  const renewAt = process.env.MCP_RENEW_AT ? Number(process.env.MCP_RENEW_AT) : undefined;
  const session = new AgentSession({ ...cfg, log, ...(renewAt ? { renewAt } : {}) });
  const ready = session.login().then(() => session.fetchCreds()).then(() => undefined);
  ready.catch((e: unknown) => log(`vault login failed: ${e instanceof Error ? e.message : String(e)}`));
  const server = createServer(session, ready);
  const shutdown = async () => {
    await session.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.stdin.on('close', () => void shutdown());
  await server.connect(new StdioServerTransport());
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
