/**
 * The local platform: real server processes on loopback, supervised through pid records in lab.json.
 * Servers are detached from the CLI so the lab outlives the command; `lab down` (or a rerun) is their owner.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cmd, LdapAccess, Needs, NodeAction, Platform, ProcStatus, VaultNodeInfo, VaultSpec } from '../../engine/types.ts';
import type { LabDir, LabRecord } from '../../engine/state.ts';
import { newLabRecord } from '../../engine/state.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { LabError, Exit, type PortHeldError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { daemon, isAlive, killDaemon, run, commandLine } from '../../exec.ts';
import { poll } from '../../engine/poll.ts';
import { findVaultBinary, type VaultBinary } from '../../vault/binary.ts';
import { VaultClient } from '../../vault/client.ts';
import { assertPortFree, portBase, portHeld } from '../ports.ts';
import { SERVICES, neededServices, type LocalAdapter, type LocalHost, type ServiceName } from '../../services/index.ts';
import { servicePort } from '../../services/ports.ts';
import { ensureCa, ensureServerCert } from '../../tls/certs.ts';
import { renderLocal } from './render.ts';
import { transitSealOf } from '../../services/transit/seal.ts';
import { renderNodeConfig } from '../../vault/config.ts';
import { withFlag } from '../../vault/cli-args.ts';
import { linkShims, resolvedEnv, vaultShellEnv } from '../shell-env.ts';
import { serverLogEnv, withoutShadowing } from '../../vault/env-names.ts';
import { registerSecret } from '../../engine/redact.ts';

export { nodeName } from '../display.ts';
/** The process name of the local vault-active relay (active-proxy.ts). */
export const ACTIVE_PROXY = 'vault-active';
import { nodeName } from '../display.ts';

/** Written to a server's log before each start: what follows is that run's. */
const START_MARK = '--- lab: started';

export class LocalPlatform implements Platform {
  readonly name = 'local' as const;
  ldap: LdapAccess | undefined;
  readonly lab: LabDir;
  readonly spec: VaultSpec;
  constructor(lab: LabDir, spec: VaultSpec) {
    this.lab = lab;
    this.spec = spec;
  }

  // ---- addresses and files -------------------------------------------------------------------------------
  get base(): number {
    return this.lab.record()?.ports.base ?? portBase(this.lab.topic);
  }
  get scheme(): string {
    return this.spec.tls ? 'https' : 'http';
  }
  apiPort(i: number): number {
    return this.base + i * 2;
  }
  /** What a service's local adapter may use of this platform, with its own ports (src/services/ports.ts). */
  hostFor(service: ServiceName): LocalHost {
    return {
      lab: this.lab,
      base: this.base,
      port: (role) => servicePort(this.base, service, role),
      procAlive: (name) => this.procAlive(name),
      startProcess: (name, file, args, opts) => this.startProcess(name, file, args, opts),
      stopProcess: (name, hard) => this.stopProcess(name, hard),
      waitFor: (name, what, probe, timeoutMs) => this.waitFor(name, what, probe, timeoutMs),
      answersWithin: (ms, probe) => this.answersWithin(ms, probe),
      vaultAddr: this.activeAddr ?? this.vaultNodes()[0]!.addr,
      binary: () => this.binary(),
      linkBins: (links) => linkShims(this.binDir(), links),
    };
  }
  nodeDir(i: number): string {
    return this.lab.path('nodes', nodeName(this.spec, i));
  }
  get caFile(): string | undefined {
    return this.spec.tls ? this.lab.path('tls', 'ca.crt') : undefined;
  }
  vaultNodes(): VaultNodeInfo[] {
    return Array.from({ length: this.spec.nodes }, (_, i) => ({
      name: nodeName(this.spec, i),
      addr: `${this.scheme}://127.0.0.1:${this.apiPort(i)}`,
      ...(this.caFile ? { caFile: this.caFile } : {}),
    }));
  }

  private initRecord = (): LabRecord => newLabRecord(this.lab.topic, 'local', portBase(this.lab.topic));

  procAlive(name: string): boolean {
    const p = this.lab.record()?.processes[name];
    if (!p || !isAlive(p.pid)) return false;
    try {
      // Guard against pid reuse: the live process must still be ours.
      // Every daemon of a lab has a path inside the lab folder on its command line.
      const cmdline = fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
      // Between fork and exec the child still shows our own command line, or for an instant none at all: ours too.
      return cmdline === '' || cmdline.includes(this.lab.dir) || cmdline === fs.readFileSync('/proc/self/cmdline', 'utf8');
    } catch {
      return true;
    }
  }

  /** Start a supervised daemon and record it before anything else can fail. */
  async startProcess(name: string, file: string, args: string[], opts: { ports: number[]; what: string; env?: Record<string, string>; cwd?: string }): Promise<number> {
    for (const port of opts.ports) await assertPortFree(port, `${opts.what} ${name}`);
    const log = this.lab.path('logs', `${name}.log`);
    fs.mkdirSync(path.dirname(log), { recursive: true, mode: 0o700 });
    fs.appendFileSync(log, `${START_MARK} ${new Date().toISOString()}\n`, { mode: 0o600 });
    const pid = daemon(file, args, { logFile: log, ...(opts.env ? { env: opts.env } : {}), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    this.lab.updateRecord((r) => {
      r.processes[name] = { name, pid, command: commandLine(file, args), log, startedAt: new Date().toISOString() };
    }, this.initRecord);
    fs.writeFileSync(this.lab.path('logs', `${name}.pid`), `${pid}\n`);
    return pid;
  }

  async stopProcess(name: string, hard = false): Promise<void> {
    const p = this.lab.record()?.processes[name];
    if (!p) return;
    if (this.procAlive(name)) await killDaemon(p.pid, { hard });
    this.lab.updateRecord((r) => {
      delete r.processes[name];
    }, this.initRecord);
    fs.rmSync(this.lab.path('logs', `${name}.pid`), { force: true });
  }

  logTail(name: string, lines = 12): string {
    try {
      return fs.readFileSync(this.lab.path('logs', `${name}.log`), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Whether `probe` succeeds within the time given (polling). */
  answersWithin(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
    return poll(probe, { timeoutMs: ms });
  }

  /** Wait until `probe` succeeds, failing early (with the log) if the process died. */
  async waitFor(name: string, what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    let died = false;
    const ok = await poll(async () => {
      if (!this.procAlive(name)) {
        died = true;
        return true;
      }
      return probe().catch(() => false);
    }, { timeoutMs });
    if (died) {
      // A server that could not bind its port says so in its log: name the port and who holds it, in one line.
      await this.throwIfBindFailed(name);
      throw new LabError(msg(`${name} 프로세스가 시작 직후 종료되었습니다.`, `${name} exited right after start.`), {
        exitCode: Exit.environment,
        detail: this.logTail(name),
        hint: msg(`로그: ${this.lab.path('logs', `${name}.log`)}`, `log: ${this.lab.path('logs', `${name}.log`)}`),
      });
    }
    if (ok) return;
    throw new LabError(msg(`${name}: ${timeoutMs / 1000}초 안에 ${what} 상태가 되지 않았습니다.`, `${name} did not become ${what} within ${timeoutMs / 1000}s.`), {
      exitCode: Exit.environment,
      detail: this.logTail(name),
    });
  }

  /**
   * The port a server's log (since its last start) says it could not listen on, as the error naming that port and
   * its holder. OpenBao starts with its cluster port taken and only fails to listen there when it is unsealed, after
   * which it runs on, out of reach of its Raft peers: without this, the learner would see a join fail steps later.
   */
  bindFailure(name: string): PortHeldError | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.lab.path('logs', `${name}.log`), 'utf8');
    } catch {
      return undefined;
    }
    // The log is appended across restarts: only what this run of the server wrote counts (see startProcess).
    const run = text.slice(Math.max(0, text.lastIndexOf(START_MARK)));
    const m = /listen tcp[46]? [\d.]+:(\d+): (?:bind|listen): address already in use/.exec(run);
    return m ? portHeld(Number(m[1]), name, msg(`포트를 비운 뒤 'npx lab run ${this.lab.topic}'`, `free the port, then 'npx lab run ${this.lab.topic}'`)) : undefined;
  }

  /** A running server that could not open one of its ports is stopped (a rerun starts it whole) and the port named. */
  async throwIfBindFailed(name: string): Promise<void> {
    const held = this.bindFailure(name);
    if (!held) return;
    await this.stopProcess(name);
    throw held;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------
  async binary(): Promise<VaultBinary> {
    const b = await findVaultBinary();
    const rec = this.lab.record();
    if (!rec || rec.facts.binary !== b.path) {
      this.lab.updateRecord((r) => {
        r.facts.binary = b.path;
        r.facts.flavor = b.flavor;
        r.facts.version = b.version;
      }, this.initRecord);
    }
    return b;
  }

  async up(needs: Needs, report: Reporter): Promise<void> {
    this.lab.ensure();
    if (!this.lab.record()) this.lab.saveRecord(this.initRecord());
    const bin = await this.binary();
    this.ensureBinShims(bin.path);
    if (this.spec.tls) await this.ensureCerts();
    await this.loadServices(needs);
    const services = Object.entries(this.loaded) as [ServiceName, LocalAdapter][];
    for (const [name, svc] of services.filter(([n]) => SERVICES[n].beforeVault)) await svc.up(this.hostFor(name), report);
    // Side by side: each node waits only for its own listener (record updates are synchronous, so they do not race).
    // The vault-active relay alongside: it only needs the nodes' addresses, not the nodes.
    // Every port is checked before anything starts, so a busy one stops the step with no half-started cluster; and
    // every start is awaited, so none goes on behind the error that is reported.
    for (let i = 0; i < this.spec.nodes; i++) {
      if (!this.procAlive(nodeName(this.spec, i))) for (const port of [this.apiPort(i), this.apiPort(i) + 1]) await assertPortFree(port, `vault ${nodeName(this.spec, i)}`);
    }
    if (this.spec.activeAddr && !this.procAlive(ACTIVE_PROXY)) await assertPortFree(this.apiPort(this.spec.nodes), `vault-active ${ACTIVE_PROXY}`);
    const started = await Promise.allSettled([...Array.from({ length: this.spec.nodes }, (_, i) => this.startNode(i, bin, report)), ...(this.spec.activeAddr ? [this.startActiveProxy(report)] : [])]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    for (const [name, svc] of services.filter(([n]) => !SERVICES[n].beforeVault)) await svc.up(this.hostFor(name), report);
  }

  async ensureCerts(): Promise<void> {
    const dir = this.lab.path('tls');
    const ca = await ensureCa(dir);
    const host = this.spec.tls ? this.spec.tls.hostname : undefined;
    for (let i = 0; i < this.spec.nodes; i++) {
      const name = nodeName(this.spec, i);
      await ensureServerCert(dir, name, { dns: [...(host ? [host] : []), name, 'localhost'], ip: ['127.0.0.1'] }, ca);
    }
  }

  configFile(i: number): string {
    return path.join(this.nodeDir(i), 'config.hcl');
  }

  writeNodeConfig(i: number, bin: VaultBinary): string {
    const dir = this.nodeDir(i);
    const name = nodeName(this.spec, i);
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true, mode: 0o700 });
    const tlsDir = this.lab.path('tls');
    const transit = this.spec.autoUnseal === 'transit' ? transitSealOf({ port: this.hostFor('transit').port('api'), lab: this.lab }) : undefined;
    let transitToken: string | undefined;
    if (transit) {
      transitToken = fs.readFileSync(transit.tokenFile, 'utf8').trim();
      registerSecret(transitToken);
    }
    const text = renderNodeConfig({
      flavor: bin.flavor,
      nodeId: name,
      apiPort: this.apiPort(i),
      clusterPort: this.apiPort(i) + 1,
      dataDir: path.join(dir, 'data'),
      storage: this.spec.storage,
      ...(this.spec.tls ? { tls: { cert: path.join(tlsDir, `${name}.crt`), key: path.join(tlsDir, `${name}.key`), ca: path.join(tlsDir, 'ca.crt'), minVersion: this.spec.tls.minVersion } } : {}),
      peers: this.spec.storage === 'raft' ? this.vaultNodes().filter((_, j) => j !== i).map((n) => n.addr) : [],
      ...(this.spec.performanceMultiplier ? { performanceMultiplier: this.spec.performanceMultiplier } : {}),
      ...(this.spec.apiAudit ? { apiAudit: true } : {}),
      ...(this.spec.telemetry ? { telemetry: true } : {}),
      ...(transit && transitToken ? { transitSeal: { addr: transit.addr, keyName: transit.keyName, mountPath: transit.mountPath, token: transitToken, ...(transit.caFile ? { caFile: transit.caFile } : {}) } } : {}),
    });
    const file = this.configFile(i);
    // The config may carry a transit token: owner-only like every secret.
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  async startNode(i: number, bin?: VaultBinary, report?: Reporter): Promise<void> {
    const b = bin ?? (await this.binary());
    const name = nodeName(this.spec, i);
    if (this.procAlive(name)) {
      // A node told to stop a moment ago (kill -TERM by hand) still looks alive: it must answer, or it is stopped
      // for good and started again.
      const answers = async () => {
        await this.client(i).health();
        return true;
      };
      if (await this.answersWithin(5000, answers)) {
        report?.debug(`${name} already running`);
        return;
      }
      await this.stopProcess(name);
    }
    const file = this.writeNodeConfig(i, b);
    report?.debug(`starting ${name} on ${this.vaultNodes()[i]!.addr}`);
    await this.startProcess(name, b.path, ['server', `-config=${file}`], {
      ports: [this.apiPort(i), this.apiPort(i) + 1],
      what: 'vault',
      env: { ...serverLogEnv('info'), SKIP_SETCAP: '1' },
    });
    const client = this.client(i);
    await this.waitFor(name, 'reachable', async () => {
      await client.health();
      return true;
    });
    // An auto-unsealed node opens its cluster port by itself (a Shamir one when unsealed, see vaultCli).
    await this.throwIfBindFailed(name);
  }

  /** The address that follows the active node (the chart's vault-active Service): the port after the nodes' own. */
  get activeAddr(): string | undefined {
    return this.spec.activeAddr ? `${this.scheme}://127.0.0.1:${this.apiPort(this.spec.nodes)}` : undefined;
  }

  async startActiveProxy(report?: Reporter): Promise<void> {
    const name = ACTIVE_PROXY;
    if (this.procAlive(name)) return;
    const port = this.apiPort(this.spec.nodes);
    const script = fileURLToPath(new URL('./active-proxy.ts', import.meta.url));
    report?.debug(`starting ${name} on 127.0.0.1:${port}`);
    // The CA file's path (inside the lab folder) on the command line is what procAlive recognises as ours.
    await this.startProcess(name, process.execPath, [script, `--listen=${port}`, `--ca=${this.caFile ?? ''}`, ...this.vaultNodes().map((n) => n.addr)], { ports: [port], what: 'vault-active' });
    await this.waitFor(name, 'listening', () => new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    }), 10_000);
  }

  client(i: number, token?: string): VaultClient {
    const n = this.vaultNodes()[i]!;
    return new VaultClient({ addr: n.addr, caFile: n.caFile, token, timeoutMs: 3000 });
  }

  async nodeAction(action: NodeAction, node: number): Promise<void> {
    const name = nodeName(this.spec, node);
    if (action === 'kill' || action === 'stop') return this.stopProcess(name, action === 'kill');
    if (action === 'reset') {
      await this.stopProcess(name);
      fs.rmSync(path.join(this.nodeDir(node), 'data'), { recursive: true, force: true });
    }
    await this.startNode(node);
  }

  async down(): Promise<void> {
    const rec = this.lab.record();
    if (!rec) return;
    // Services first (they may hold connections to Vault), then Vault nodes, in reverse start order.
    const names = Object.keys(rec.processes).reverse();
    for (const name of names) await this.stopProcess(name);
  }

  async status(): Promise<ProcStatus[]> {
    const rec = this.lab.record();
    const nodes = this.vaultNodes();
    const out: ProcStatus[] = nodes.map((n) => {
      const p = rec?.processes[n.name];
      return { name: n.name, running: this.procAlive(n.name), addr: n.addr, ...(p ? { pid: p.pid, log: p.log } : {}) };
    });
    for (const p of Object.values(rec?.processes ?? {})) {
      if (!nodes.some((n) => n.name === p.name)) out.push({ name: p.name, pid: p.pid, running: this.procAlive(p.name), log: p.log });
    }
    return out;
  }

  // ---- the learner's shell --------------------------------------------------------------------------------
  /** `vault` and `bao` on the learner's PATH (after `lab env`) are links to the binary this lab runs. */
  binDir(): string {
    return this.lab.path('bin');
  }
  ensureBinShims(binary: string): void {
    // Through any link (another lab's shim, a package manager's alias) to the file itself.
    const target = fs.realpathSync(binary);
    linkShims(this.binDir(), { vault: target, bao: target });
  }

  shellEnv(): Record<string, string> {
    const env = vaultShellEnv(this.lab, this.vaultNodes(), this.caFile);
    const active = this.activeAddr;
    if (active) env.VAULT_ADDR = active;
    // The certificate vault-0 presents; kind names its one shared certificate differently (vault.crt).
    if (this.spec.tls) env.LAB_TLS_CERT = this.lab.path('tls', `${nodeName(this.spec, 0)}.crt`);
    // A lab made by an older version (or whose links were removed) gets them back from the binary it recorded.
    const recorded = this.lab.record()?.facts.binary;
    if (recorded && !fs.existsSync(path.join(this.binDir(), 'vault'))) {
      try {
        this.ensureBinShims(recorded);
      } catch {
        /* the recorded binary is gone: `lab start` finds another */
      }
    }
    if (fs.existsSync(this.binDir())) env.PATH = `${this.binDir()}:$PATH`;
    for (const [name, svc] of this.services()) Object.assign(env, svc.env?.(this.hostFor(name)) ?? {});
    return env;
  }

  runEnv(): Record<string, string> {
    return resolvedEnv(this.lab, this.shellEnv());
  }

  /** Loaded service adapters, for env/info (synchronously available once up() or loadServices() ran), in registry order. */
  private loaded: Partial<Record<ServiceName, LocalAdapter>> = {};
  async loadServices(needs: Needs): Promise<void> {
    for (const name of neededServices(needs)) {
      if (this.loaded[name]) continue;
      const svc = await SERVICES[name].local();
      this.loaded[name] = svc;
      const provided = svc.provides?.(this.hostFor(name));
      if (provided?.ldap) this.ldap = provided.ldap;
    }
  }
  /** The External Secrets Operator runs here as a process whenever the topic needs it. */
  get eso(): { runs: 'host' } | undefined {
    return this.loaded.eso ? { runs: 'host' } : undefined;
  }
  private services(): [ServiceName, LocalAdapter][] {
    return Object.entries(this.loaded) as [ServiceName, LocalAdapter][];
  }

  info(): Record<string, string> {
    const out: Record<string, string> = { 'lab folder': this.lab.dir };
    this.vaultNodes().forEach((n) => {
      out[n.name] = n.addr;
    });
    if (this.activeAddr) out['vault-active (follows the active node; VAULT_ADDR)'] = this.activeAddr;
    if (this.caFile) out['CA certificate'] = this.caFile;
    out.logs = this.lab.path('logs');
    const rec = this.lab.record();
    if (rec?.facts.binary) out.binary = `${rec.facts.binary} (${rec.facts.version ?? rec.facts.flavor})`;
    if (fs.existsSync(this.lab.path('cluster-keys.json'))) out['unseal keys + root token (0600)'] = this.lab.path('cluster-keys.json');
    for (const [name, svc] of this.services()) Object.assign(out, svc.info?.(this.hostFor(name)) ?? {});
    return out;
  }

  async vaultCli(args: string[], opts: { node?: number; env?: Record<string, string>; stdin?: string; stdoutFile?: string }) {
    const bin = await this.binary();
    const node = this.vaultNodes()[opts.node ?? 0]!;
    const env = withoutShadowing({ ...this.runEnv(), ...opts.env });
    // Aim at the node the same way the learner does (see renderLocal): -address after the command path.
    const argv = opts.node || (opts.node === 0 && this.spec.activeAddr) ? withFlag(args, `-address=${node.addr}`) : args;
    const exec = run(bin.path, argv, { env, ...(opts.stdin !== undefined ? { input: opts.stdin } : {}), ...(opts.stdoutFile ? { stdoutFile: opts.stdoutFile } : {}) });
    // Unsealed (or joined), a node opens its cluster port: one it cannot bind is said now, with its holder.
    const opens = (args[0] === 'operator' && (args[1] === 'unseal' || (args[1] === 'raft' && args[2] === 'join'))) || (args[0] === 'write' && args[1] === 'sys/unseal');
    if (!opens) return exec;
    const settled = await exec.then((r) => ({ r }), (e: unknown) => ({ e }));
    await this.throwIfBindFailed(node.name);
    if ('e' in settled) throw settled.e;
    return settled.r;
  }

  async nodeStartedAt(node: number): Promise<Date | undefined> {
    const name = this.vaultNodes()[node]?.name;
    const p = name ? this.lab.record()?.processes[name] : undefined;
    return p && this.procAlive(p.name) ? new Date(p.startedAt) : undefined;
  }

  /** Vault runs here: the files it writes are on this machine. */
  async readServerFile(file: string): Promise<string | undefined> {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  render(cmd: Cmd): string {
    return renderLocal(cmd, this.spec, this.lab.topic);
  }
}

export { renderLocal } from './render.ts';
export { displayArg } from '../display.ts';
