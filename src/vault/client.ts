/**
 * The lab's Vault API access, on node-vault. One client per node address; responses keep their HTTP status
 * so gatherers can tell sealed (503), standby (429) and unreachable apart.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type NodeVaultFactory from 'node-vault';
import { registerSecret } from '../engine/redact.ts';
import { sendAgainIfDropped } from './http.ts';

// node-vault (with axios) costs a few hundred ms to load: only commands that talk to Vault pay for it.
let nodeVault: typeof NodeVaultFactory | undefined;
const loadNodeVault = (): typeof NodeVaultFactory => (nodeVault ??= createRequire(import.meta.url)('node-vault') as typeof NodeVaultFactory);

export interface VaultClientOptions {
  addr: string;
  caFile?: string | undefined;
  token?: string | undefined;
  timeoutMs?: number;
  /**
   * How long a refused connection is tried again (a reset one too, for reads). For addresses behind a supervised
   * `kubectl port-forward`, which exits when a connection through it is reset and is started again within ~2 s: a probe
   * in that gap would read "down" for a node that is up (real kind: "no active node" right after a write).
   */
  retryRefusedMs?: number;
}

export class VaultApiError extends Error {
  readonly status: number | undefined;
  readonly errors: string[];
  constructor(message: string, status: number | undefined, errors: string[] = []) {
    super(message);
    this.name = 'VaultApiError';
    this.status = status;
    this.errors = errors;
  }
}

export interface Health {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  version?: string;
  cluster_name?: string;
  status: number;
}

export interface LeaderInfo {
  ha_enabled: boolean;
  is_self: boolean;
  leader_address: string;
  leader_cluster_address: string;
  raft_committed_index?: number;
  active_time?: string;
}

export interface RaftServer {
  node_id: string;
  address: string;
  leader: boolean;
  voter: boolean;
}

type NV = ReturnType<typeof NodeVaultFactory>;

/**
 * Every request the lab makes itself carries this header. A topic that enables it as an audited header
 * (sys/config/auditing/request-headers) can tell the learner's own requests in the audit log from the lab's probes.
 */
export const LAB_HEADER = 'x-vault-lab';

/** One entry of sys/mounts, sys/auth or sys/audit. */
export interface Mount {
  type: string;
  accessor?: string;
  description?: string;
  options?: Record<string, string> | null;
  config?: Record<string, unknown>;
}

/** The table of a sys/mounts-like answer: entries are keyed `path/`; `data` repeats them, with request metadata around. */
export function mountTable(body: unknown): Record<string, Mount> {
  const b = (body ?? {}) as Record<string, unknown>;
  const src = b.data && typeof b.data === 'object' ? (b.data as Record<string, unknown>) : b;
  const out: Record<string, Mount> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k.endsWith('/') && v && typeof v === 'object' && typeof (v as Mount).type === 'string') out[k] = v as Mount;
  }
  return out;
}

/** POSTs that only look (a token lookup, capabilities, an audit hash): retried after a reset connection like a read. */
const READ_ONLY_POST = /^\/?(?:auth\/token\/lookup(?:-self|-accessor)?|sys\/capabilities(?:-self|-accessor)?|sys\/audit-hash\/[^/]+)$/;

export class VaultClient {
  readonly addr: string;
  private readonly opts: VaultClientOptions;
  private readonly nv: NV;
  constructor(opts: VaultClientOptions) {
    this.addr = opts.addr;
    this.opts = opts;
    const ca = opts.caFile ? fs.readFileSync(opts.caFile) : undefined;
    registerSecret(opts.token);
    this.nv = loadNodeVault()({
      endpoint: opts.addr,
      token: opts.token ?? '',
      requestOptions: { ...(ca ? { ca } : {}), timeout: opts.timeoutMs ?? 5000, headers: { [LAB_HEADER]: 'probe' } },
    });
    // node-vault falls back to the caller's VAULT_TOKEN; the lab sends only what it was given.
    this.nv.token = opts.token ?? '';
  }

  /**
   * Every request carries its deadline: node-vault's raw `request` does not apply requestOptions.timeout, and a server
   * that accepts the connection but never answers (an OpenBao standby seen hung after a join) held `lab run` forever.
   */
  private get timeoutMs(): number {
    return this.opts.timeoutMs ?? 5000;
  }

  withToken(token: string | undefined): VaultClient {
    return new VaultClient({ ...this.opts, token });
  }

  /** A raw request: resolves with the JSON body on 2xx, rejects with VaultApiError otherwise. */
  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    try {
      const res = await this.retrying(method === 'POST' && READ_ONLY_POST.test(path) ? 'GET' : method, () => this.nv.request({ path: path.startsWith('/') ? path : `/${path}`, method, timeout: this.timeoutMs, ...(body === undefined ? {} : { json: body }), headers: { [LAB_HEADER]: 'probe', ...headers } }));
      return (res ?? {}) as T;
    } catch (e) {
      throw toApiError(e, `${method} ${path}`);
    }
  }
  read<T = Record<string, unknown>>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  write<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }
  async list(path: string): Promise<string[]> {
    try {
      const r = await this.request<{ data?: { keys?: string[] } }>('LIST', path);
      return r.data?.keys ?? [];
    } catch (e) {
      if (e instanceof VaultApiError && e.status === 404) return [];
      throw e;
    }
  }

  /** sys/health answers with a status code per state; the lab asks for 2xx codes so every state comes back as a body. */
  async health(): Promise<Health> {
    try {
      const body = (await this.retrying('GET', () => this.nv.health({ standbyok: true, sealedcode: 299, uninitcode: 298 }))) as Partial<Health>;
      return {
        initialized: body.initialized ?? false,
        sealed: body.sealed ?? true,
        standby: body.standby ?? false,
        ...(body.version ? { version: body.version } : {}),
        ...(body.cluster_name ? { cluster_name: body.cluster_name } : {}),
        status: 200,
      };
    } catch (e) {
      throw toApiError(e, 'GET /sys/health');
    }
  }

  /** OpenBao omits is_self and leader_address when false/empty: both default here. */
  async leader(): Promise<LeaderInfo> {
    const r = (await this.call('GET /sys/leader', () => this.nv.leader())) as Partial<LeaderInfo>;
    return {
      ha_enabled: r.ha_enabled ?? false,
      is_self: r.is_self ?? false,
      leader_address: r.leader_address ?? '',
      leader_cluster_address: r.leader_cluster_address ?? '',
      ...(r.raft_committed_index !== undefined ? { raft_committed_index: r.raft_committed_index } : {}),
      ...(r.active_time ? { active_time: r.active_time } : {}),
    };
  }

  async sealStatus(): Promise<{ sealed: boolean; initialized: boolean; t: number; n: number; progress: number; type?: string }> {
    return (await this.call('GET /sys/seal-status', () => this.nv.status())) as { sealed: boolean; initialized: boolean; t: number; n: number; progress: number; type?: string };
  }

  /** Secret engines by path (`secret/` …): sys/mounts answers with them at the top and again under `data`. */
  async mounts(): Promise<Record<string, Mount>> {
    return mountTable(await this.call('GET /sys/mounts', () => this.nv.mounts()));
  }

  /** Auth methods by path (`kubernetes/`, `ldap/` …). */
  async auths(): Promise<Record<string, Mount>> {
    return mountTable(await this.call('GET /sys/auth', () => this.nv.auths()));
  }

  /** Audit devices by path (`file/` …). */
  async audits(): Promise<Record<string, Mount>> {
    return mountTable(await this.call('GET /sys/audit', () => this.nv.audits()));
  }

  /** A connection refused or cut before its TLS handshake (nothing was sent) is tried again for retryRefusedMs; one cut later only for a read. */
  private retrying<T>(method: string, f: () => Promise<T>): Promise<T> {
    return sendAgainIfDropped(f, { method, retryMs: this.opts.retryRefusedMs });
  }

  private async call(what: string, f: () => Promise<unknown>): Promise<unknown> {
    try {
      return (await this.retrying('GET', f)) ?? {};
    } catch (e) {
      throw toApiError(e, what);
    }
  }

  async raftServers(): Promise<RaftServer[]> {
    const r = await this.read<{ data?: { config?: { servers?: RaftServer[] } } }>('/sys/storage/raft/configuration');
    return r.data?.config?.servers ?? [];
  }

  async kvGet(mount: string, path: string): Promise<{ data: Record<string, unknown>; metadata: { version: number; created_time?: string } } | undefined> {
    try {
      const r = await this.read<{ data?: { data: Record<string, unknown>; metadata: { version: number } } }>(`/${mount}/data/${path}`);
      return r.data;
    } catch (e) {
      if (e instanceof VaultApiError && e.status === 404) return undefined;
      throw e;
    }
  }
}

function toApiError(e: unknown, what: string): VaultApiError {
  if (e instanceof VaultApiError) return e;
  const err = e as { response?: { statusCode?: number; body?: { errors?: string[] } }; message?: string; code?: string };
  const status = err.response?.statusCode;
  const errors = err.response?.body?.errors ?? [];
  const reason = errors[0] ?? err.code ?? err.message ?? String(e);
  return new VaultApiError(`${what}: ${status ?? 'no response'} ${reason}`, status, errors);
}

export const isUnreachable = (e: unknown): boolean => e instanceof VaultApiError && e.status === undefined;
