/**
 * An agent's Vault session: unwrap a response-wrapped secret_id, log in with AppRole, hold short-lived
 * database credentials and keep them alive (renew the lease, or fetch new ones when renewal hits max_ttl).
 */
import mysql from 'mysql2/promise';
import { VaultClient, VaultApiError } from '../vault/client.ts';
import { registerSecret } from '../engine/redact.ts';

export interface DbCreds {
  username: string;
  password: string;
  leaseId: string;
  leaseDuration: number;
  renewable: boolean;
  /** ms since epoch when the lease ends, as Vault last told us. */
  expiresAt: number;
}

/** Secret-id metadata key: Vault copies it onto the token, so the audit log tells the MCP server's requests apart. */
export const MCP_META = 'mcp_server';

export interface SessionOptions {
  addr: string;
  caFile?: string | undefined;
  roleId: string;
  /** The wrapping token that holds the secret_id (single use). */
  wrappingToken: string;
  /** e.g. agent-1-role */
  dbRole: string;
  db: { host: string; port: number };
  /** Renew when this fraction of the lease has passed. */
  renewAt?: number;
  log?: (line: string) => void;
}

export type QueryResult = { ok: true; rows: unknown[] | { affectedRows: number } } | { ok: false; code: string; message: string };

export class AgentSession {
  private readonly o: SessionOptions;
  private secretId: string | undefined;
  private token: string | undefined;
  private tokenExpiresAt = 0;
  private creds_: DbCreds | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** How many times credentials were fetched (1 = the first; more = re-fetched after max_ttl). */
  fetches = 0;
  secretIdAccessor: string | undefined;
  renewals = 0;

  constructor(o: SessionOptions) {
    this.o = o;
    registerSecret(o.wrappingToken);
  }

  private client(token?: string): VaultClient {
    return new VaultClient({ addr: this.o.addr, caFile: this.o.caFile, token, timeoutMs: 10_000 });
  }
  private log(line: string): void {
    this.o.log?.(line);
  }

  /** Unwrap once: a second unwrap of the same token fails, which is the point of wrapping. */
  async unwrap(): Promise<string> {
    const r = await this.client(this.o.wrappingToken).write<{ data?: { secret_id?: string; secret_id_accessor?: string } }>('/sys/wrapping/unwrap');
    const id = r.data?.secret_id;
    this.secretIdAccessor = r.data?.secret_id_accessor;
    if (!id) throw new Error('the wrapping token did not hold a secret_id');
    registerSecret(id);
    this.secretId = id;
    return id;
  }

  async login(): Promise<void> {
    if (!this.secretId) await this.unwrap();
    const r = await this.client().write<{ auth?: { client_token?: string; lease_duration?: number } }>('/auth/approle/login', { role_id: this.o.roleId, secret_id: this.secretId });
    const t = r.auth?.client_token;
    if (!t) throw new Error('approle login returned no token');
    registerSecret(t);
    this.token = t;
    this.tokenExpiresAt = Date.now() + (r.auth?.lease_duration ?? 0) * 1000;
    this.log(`logged in; token ttl ${r.auth?.lease_duration}s`);
  }

  get vault(): VaultClient {
    if (!this.token) throw new Error('not logged in');
    return this.client(this.token);
  }

  /**
   * Keep the token alive by renewing it: the role's secret_id logs in once (secret_id_num_uses=1), so a second
   * login with it is refused. Past token_max_ttl the server needs a fresh secret_id, i.e. a restart by its deployer.
   */
  private async renewToken(): Promise<void> {
    try {
      const r = await this.vault.write<{ auth?: { lease_duration?: number } }>('/auth/token/renew-self', {});
      const d = r.auth?.lease_duration ?? 0;
      if (d <= 5) throw new Error(`the token reached token_max_ttl (${d}s left)`);
      this.tokenExpiresAt = Date.now() + d * 1000;
      this.log(`token renewed; ttl ${d}s`);
    } catch (e) {
      throw new Error(`cannot keep the Vault token alive: ${e instanceof Error ? e.message : String(e)}. The secret_id was single-use: restart the MCP server for a fresh one (npx lab mcp serve mints it).`);
    }
  }

  async fetchCreds(): Promise<DbCreds> {
    if (!this.token) await this.login();
    else if (Date.now() > this.tokenExpiresAt - 5_000) await this.renewToken();
    const r = await this.vault.read<{ data?: { username?: string; password?: string }; lease_id?: string; lease_duration?: number; renewable?: boolean }>(`/database/creds/${this.o.dbRole}`);
    const username = r.data?.username;
    const password = r.data?.password;
    if (!username || !password || !r.lease_id) throw new Error('database/creds returned no credentials');
    registerSecret(password);
    this.fetches++;
    const d = r.lease_duration ?? 0;
    this.creds_ = { username, password, leaseId: r.lease_id, leaseDuration: d, renewable: r.renewable ?? false, expiresAt: Date.now() + d * 1000 };
    this.log(`new db user ${username}, lease ${d}s`);
    this.schedule();
    return this.creds_;
  }

  get creds(): DbCreds | undefined {
    return this.creds_;
  }

  /** Before the lease ends: renew it; when Vault caps the renewal (max_ttl), fetch new credentials. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const c = this.creds_;
    if (!c || this.closed) return;
    const left = c.expiresAt - Date.now();
    const wait = Math.max(200, left * (this.o.renewAt ?? 2 / 3));
    this.timer = setTimeout(() => void this.refresh().catch((e) => this.log(`refresh failed: ${String(e)}`)), wait);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    const c = this.creds_;
    if (!c || this.closed) return;
    if (c.renewable) {
      try {
        if (Date.now() > this.tokenExpiresAt - 5_000) await this.renewToken();
        const r = await this.vault.write<{ lease_duration?: number }>('/sys/leases/renew', { lease_id: c.leaseId, increment: c.leaseDuration });
        const d = r.lease_duration ?? 0;
        // A renewal shorter than a third of the original means max_ttl is near: switch to fresh credentials.
        if (d * 3 >= c.leaseDuration && d > 1) {
          this.renewals++;
          c.expiresAt = Date.now() + d * 1000;
          this.log(`renewed lease for ${c.username}: ${d}s`);
          this.schedule();
          return;
        }
      } catch (e) {
        this.log(`renew failed (${e instanceof Error ? e.message : String(e)}), fetching new credentials`);
      }
    }
    await this.fetchCreds();
  }

  async query(sql: string): Promise<QueryResult> {
    const c = this.creds_ && this.creds_.expiresAt > Date.now() + 1000 ? this.creds_ : await this.fetchCreds();
    let conn: mysql.Connection | undefined;
    try {
      conn = await mysql.createConnection({ host: this.o.db.host, port: this.o.db.port, user: c.username, password: c.password, connectTimeout: 5000 });
      const [rows] = await conn.query(sql);
      return { ok: true, rows: Array.isArray(rows) ? (rows as unknown[]) : { affectedRows: (rows as { affectedRows?: number }).affectedRows ?? 0 } };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { ok: false, code: err.code ?? 'ERROR', message: err.message ?? String(e) };
    } finally {
      await conn?.end().catch(() => undefined);
    }
  }

  /**
   * Hand the lease back with the agent's own token, on the path its policy scopes to its own role
   * (`sys/leases/revoke/database/creds/<role>/*`), then try the old account once more to show access ended.
   */
  async revokeLease(): Promise<{ username: string; leaseId: string; loginAfter: string }> {
    const c = this.creds_;
    if (!c) throw new Error('no credentials to revoke');
    if (this.timer) clearTimeout(this.timer);
    await this.vault.write(`/sys/leases/revoke/${c.leaseId}`, {});
    this.creds_ = undefined;
    this.log(`revoked lease of ${c.username}`);
    let loginAfter = 'ok';
    try {
      const conn = await mysql.createConnection({ host: this.o.db.host, port: this.o.db.port, user: c.username, password: c.password, connectTimeout: 5000 });
      await conn.end();
    } catch (e) {
      loginAfter = (e as { code?: string }).code ?? 'ERROR';
    }
    return { username: c.username, leaseId: c.leaseId, loginAfter };
  }

  /** Revoking our own token revokes every lease it created: the DB user is dropped at once. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.token) await this.vault.write('/auth/token/revoke-self', {}).catch((e: unknown) => {
      if (!(e instanceof VaultApiError)) throw e;
    });
    this.token = undefined;
  }
}
