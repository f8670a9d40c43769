/**
 * A lab's folder: lab.json (what runs where), progress.json (what the learner has done and seen),
 * and secrets (0600 files only). Nothing here deletes a learner's file it does not own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { labHome } from './paths.ts';
import { LabError, Exit } from './errors.ts';
import { msg } from './i18n.ts';
import { registerSecret } from './redact.ts';
import { holdsLabLock } from './lock.ts';

export const STATE_SCHEMA = 1;

export interface ProcRecord {
  name: string;
  pid: number;
  command: string;
  log: string;
  startedAt: string;
}

export interface LabRecord {
  schema: number;
  topic: string;
  platform: string;
  createdAt: string;
  ports: Record<string, number>;
  processes: Record<string, ProcRecord>;
  /** Platform-specific facts (binary path, flavor, kube context…). */
  facts: Record<string, string>;
}

/** A fresh lab.json for a topic on a platform (the port base is decided by the caller). */
export function newLabRecord(topic: string, platform: string, portBase: number, facts: Record<string, string> = {}): LabRecord {
  return { schema: STATE_SCHEMA, topic, platform, createdAt: new Date().toISOString(), ports: { base: portBase }, processes: {}, facts };
}

export interface CheckSummary {
  at: string;
  passed: number;
  failed: number;
  results: { id: string; ok: boolean }[];
}

export interface Progress {
  steps: Record<string, { doneAt: string }>;
  lastCheck?: CheckSummary;
  /** Observations gathered over time (e.g. the Raft term before the failover drill). */
  observations: Record<string, unknown>;
  /** Bumped on every write: what a read-only command saw (see seenFile) counts only on the revision it was based on. */
  rev?: number;
}

/** What read-only commands (check, hint, status) saw: kept outside the lab folder, folded into progress.json later. */
interface Seen {
  rev: number;
  observations: Record<string, unknown>;
  lastCheck?: CheckSummary;
}

const SECRET_MODE = 0o600;

export class LabDir {
  readonly topic: string;
  readonly dir: string;
  constructor(topic: string, home = labHome()) {
    this.topic = topic;
    this.dir = path.join(home, topic);
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }
  exists(): boolean {
    return fs.existsSync(this.path('lab.json'));
  }

  ensure(): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      fs.accessSync(this.dir, fs.constants.W_OK);
    } catch (e) {
      throw new LabError(
        msg(`상태 폴더에 쓸 수 없습니다: ${this.dir}`, `cannot write the state folder: ${this.dir}`),
        {
          exitCode: Exit.environment,
          hint: msg('LAB_HOME으로 쓸 수 있는 다른 폴더를 지정하세요.', 'Point LAB_HOME at a writable folder.'),
          detail: String(e),
        },
      );
    }
  }

  private readJson<T>(name: string): T | undefined {
    const file = this.path(name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: LAB_HOME runs through a regular file, so no lab can be there; ensure() explains on write.
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new LabError(msg(`상태 파일을 읽을 수 없습니다: ${file}`, `cannot read the state file: ${file}`), {
        exitCode: Exit.environment,
        hint: msg('파일 권한을 확인하거나 LAB_HOME으로 다른 폴더를 지정하세요.', 'Check the file\'s permissions, or point LAB_HOME at another folder.'),
        detail: String(e),
      });
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new LabError(msg(`상태 파일이 손상되었습니다: ${file}`, `state file is corrupt: ${file}`), {
        exitCode: Exit.environment,
        hint: msg(
          `파일은 그대로 두었습니다. 내용을 확인하거나 'npx lab reset ${this.topic}'으로 실습을 처음부터 다시 만드세요.`,
          `The file was left as it is. Inspect it, or rebuild the lab with 'npx lab reset ${this.topic}'.`,
        ),
      });
    }
  }

  private corrupt(name: string, problem: string): LabError {
    return new LabError(msg(`상태 파일의 형식이 맞지 않습니다: ${this.path(name)} (${problem})`, `state file has the wrong shape: ${this.path(name)} (${problem})`), {
      exitCode: Exit.environment,
      hint: msg(
        `파일은 그대로 두었습니다. 내용을 확인하거나 'npx lab reset ${this.topic}'으로 실습을 처음부터 다시 만드세요.`,
        `The file was left as it is. Inspect it, or rebuild the lab with 'npx lab reset ${this.topic}'.`,
      ),
    });
  }

  /** Writes via a temp file and rename, so an interrupt never leaves half a file. */
  private writeJson(name: string, data: unknown, mode = 0o644): void {
    this.ensure();
    const file = this.path(name);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode });
    fs.renameSync(tmp, file);
  }

  record(): LabRecord | undefined {
    const raw = this.readJson<unknown>('lab.json');
    if (raw === undefined) return undefined;
    const bad = recordProblem(raw);
    if (bad) throw this.corrupt('lab.json', bad);
    const r = raw as LabRecord;
    if (r && r.schema !== STATE_SCHEMA) {
      throw new LabError(
        msg(
          `상태 폴더 ${this.dir}는 다른 버전(schema ${r.schema})의 vault-lab이 만들었습니다.`,
          `state folder ${this.dir} was made by another vault-lab version (schema ${r.schema}).`,
        ),
        {
          exitCode: Exit.environment,
          hint: msg(
            `아무것도 지우지 않았습니다. 필요한 파일을 보관한 뒤 'npx lab down ${this.topic}'과 'npx lab reset ${this.topic}'을 실행하세요.`,
            `Nothing was deleted. Keep what you need, then run 'npx lab down ${this.topic}' and 'npx lab reset ${this.topic}'.`,
          ),
        },
      );
    }
    return r;
  }
  saveRecord(r: LabRecord): void {
    this.writeJson('lab.json', r);
  }
  updateRecord(fn: (r: LabRecord) => void, init: () => LabRecord): LabRecord {
    const r = this.record() ?? init();
    fn(r);
    this.saveRecord(r);
    return r;
  }

  /** progress.json as written by the commands that change the lab, with what read-only commands saw since on top. */
  progress(): Progress {
    const p = this.storedProgress();
    const seen = this.seen();
    if (!seen || seen.rev !== (p.rev ?? 0)) return p;
    return { ...p, observations: seen.observations, ...(seen.lastCheck ? { lastCheck: seen.lastCheck } : {}) };
  }
  /** Only a command holding the lab's lock writes progress.json; what read-only commands saw is folded in here. */
  updateProgress(fn: (p: Progress) => void): Progress {
    const p = this.progress();
    fn(p);
    p.rev = (p.rev ?? 0) + 1;
    this.writeJson('progress.json', p);
    fs.rmSync(this.seenFile(), { force: true });
    return p;
  }
  /**
   * Observations and the last check's summary, persisted the way the calling command may: under the lab's lock into
   * progress.json; otherwise (a read-only command) beside the lab folder, never in it. Nothing is written when
   * nothing changed.
   */
  keep(o: { observations?: Record<string, unknown>; lastCheck?: CheckSummary }): void {
    const p = this.progress();
    const observations = o.observations ?? p.observations;
    const sameObs = JSON.stringify(observations) === JSON.stringify(p.observations);
    const sameCheck = !o.lastCheck || (p.lastCheck && JSON.stringify(o.lastCheck.results) === JSON.stringify(p.lastCheck.results) && o.lastCheck.passed === p.lastCheck.passed);
    if (sameObs && sameCheck) return;
    if (holdsLabLock(this.dir)) {
      this.updateProgress((x) => {
        x.observations = observations;
        if (o.lastCheck) x.lastCheck = o.lastCheck;
      });
      return;
    }
    if (!this.exists()) return;
    const seen: Seen = { rev: this.storedProgress().rev ?? 0, observations, ...((o.lastCheck ?? p.lastCheck) ? { lastCheck: o.lastCheck ?? p.lastCheck } : {}) };
    const file = this.seenFile();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(seen, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  /** Outside the lab folder ($LAB_HOME/.seen/<topic>.json): a read-only command leaves the lab's files as they were. */
  seenFile(): string {
    return path.join(path.dirname(this.dir), '.seen', `${this.topic}.json`);
  }
  private seen(): Seen | undefined {
    try {
      const x = JSON.parse(fs.readFileSync(this.seenFile(), 'utf8')) as unknown;
      return isObj(x) && typeof x.rev === 'number' && isObj(x.observations) ? (x as unknown as Seen) : undefined;
    } catch {
      return undefined;
    }
  }
  private storedProgress(): Progress {
    const raw = this.readJson<unknown>('progress.json');
    const bad = raw === undefined ? undefined : progressProblem(raw);
    if (bad) throw this.corrupt('progress.json', bad);
    const p = raw as Partial<Progress> | undefined;
    return { steps: p?.steps ?? {}, observations: p?.observations ?? {}, ...(p?.lastCheck ? { lastCheck: p.lastCheck } : {}), ...(typeof p?.rev === 'number' ? { rev: p.rev } : {}) };
  }

  /** Secrets: JSON or text in 0600 files. A file the learner wrote with a looser mode is tightened on read. */
  secretPath(name: string): string {
    return this.path(name);
  }
  readSecret(name: string): string | undefined {
    const file = this.secretPath(name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const mode = fs.statSync(file).mode & 0o777;
    if (mode !== SECRET_MODE) fs.chmodSync(file, SECRET_MODE);
    return text;
  }
  writeSecret(name: string, text: string): void {
    this.ensure();
    const file = this.secretPath(name);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode: SECRET_MODE });
    fs.chmodSync(tmp, SECRET_MODE);
    fs.renameSync(tmp, file);
  }
  secretJson<T>(name: string): T | undefined {
    const text = this.readSecret(name);
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new LabError(msg(`비밀 파일을 읽을 수 없습니다 (JSON 아님): ${this.secretPath(name)}`, `secret file is not valid JSON: ${this.secretPath(name)}`), {
        exitCode: Exit.environment,
        hint: msg('파일은 그대로 두었습니다. 내용을 확인하세요.', 'The file was left untouched; inspect it.'),
      });
    }
  }

  /** The seed's cluster-keys.json: the output of `vault operator init -format=json`. */
  clusterKeys(): ClusterKeys | undefined {
    const k = this.secretJson<ClusterKeys>('cluster-keys.json');
    if (!k) return undefined;
    for (const key of k.unseal_keys_b64 ?? []) registerSecret(key);
    for (const key of k.unseal_keys_hex ?? []) registerSecret(key);
    for (const key of k.recovery_keys_b64 ?? []) registerSecret(key);
    registerSecret(k.root_token);
    return k;
  }

  /** The token the lab itself uses for checks: an explicit admin token if the topic made one, else the root token. */
  adminToken(): string | undefined {
    const explicit = this.readSecret('admin-token')?.trim();
    if (explicit) {
      registerSecret(explicit);
      return explicit;
    }
    return this.clusterKeys()?.root_token;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.rmSync(this.seenFile(), { force: true });
  }
}

export interface ClusterKeys {
  unseal_keys_b64?: string[];
  unseal_keys_hex?: string[];
  unseal_shares?: number;
  unseal_threshold?: number;
  recovery_keys_b64?: string[];
  root_token?: string;
}

export function listLabs(home = labHome()): string[] {
  try {
    return fs
      .readdirSync(home, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(home, d.name, 'lab.json')))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

// The shapes of lab.json and progress.json, checked field by field on every read (a schema without a schema library:
// these files are read by every command, and loading one costs more than the whole check).
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';

export function recordProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'not an object';
  if (typeof x.schema !== 'number') return 'schema is not a number';
  if (x.schema !== STATE_SCHEMA) return undefined; // a version mismatch has its own message
  for (const k of ['topic', 'platform', 'createdAt'] as const) if (!isStr(x[k])) return `${k} is not a string`;
  if (!isObj(x.ports) || !Object.values(x.ports).every((v) => Number.isInteger(v))) return 'ports are not integers';
  if (!isObj(x.facts) || !Object.values(x.facts).every(isStr)) return 'facts are not strings';
  if (!isObj(x.processes)) return 'processes is not an object';
  for (const [name, p] of Object.entries(x.processes)) {
    if (!isObj(p) || !Number.isInteger(p.pid) || !isStr(p.command) || !isStr(p.log) || !isStr(p.name)) return `process '${name}' is malformed`;
  }
  return undefined;
}

export function progressProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'not an object';
  if (x.steps !== undefined && (!isObj(x.steps) || !Object.values(x.steps).every((v) => isObj(v) && isStr(v.doneAt)))) return 'steps are malformed';
  if (x.observations !== undefined && !isObj(x.observations)) return 'observations is not an object';
  if (x.lastCheck !== undefined && (!isObj(x.lastCheck) || !Array.isArray(x.lastCheck.results))) return 'lastCheck is malformed';
  return undefined;
}
