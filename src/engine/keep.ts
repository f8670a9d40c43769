/**
 * The lab's own copy of files no lesson command may lose: what `vault operator init` printed (unseal or recovery keys
 * and the root token) and other single-use outputs a step marks `keep`.
 *
 * A shell truncates the target of `>` before the command even runs, so a failed second `operator init … > file`
 * empties the only copy of the keys. The lab therefore copies every valid version it sees into `.keep/` (0700 folder,
 * 0600 files, append-only history) and puts it back when the learner's file is missing, empty or unreadable.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Cmd, LabContext, Topic } from './types.ts';
import type { LabDir } from './state.ts';
import { msg, type Msg } from './i18n.ts';
import { registerSecret } from './redact.ts';

export const KEEP_DIR = '.keep';

export type FileState = 'ok' | 'missing' | 'empty' | 'invalid';

interface Kept {
  savedAt: string;
  sha256: string;
  text: string;
}

/** cluster-keys.json and the files a topic's steps write with `keep`, relative to the lab folder. */
export function keptFiles(topic: Topic): { name: string; init: boolean }[] {
  // Every topic's Vault is initialised into cluster-keys.json, by a lesson command or by the lab's own setup.
  const out = new Map<string, boolean>([['cluster-keys.json', true]]);
  for (const s of topic.steps) {
    for (const c of s.commands ?? []) {
      if (c.kind === 'vault' && c.keep && c.stdout) out.set(keptName(c.stdout), isInit(c) || (out.get(keptName(c.stdout)) ?? false));
    }
  }
  return [...out].map(([name, init]) => ({ name, init }));
}

const keptName = (stdout: string) => stdout.replace(/^\$LAB_DIR\//, '');
const isInit = (c: Extract<Cmd, { kind: 'vault' }>) => c.args[0] === 'operator' && c.args[1] === 'init';

/** A JSON output is valid when it parses to a non-empty object; anything else needs only to be non-blank. */
export function fileState(text: string | undefined, name: string): FileState {
  if (text === undefined) return 'missing';
  if (text.trim() === '') return 'empty';
  if (!name.endsWith('.json')) return 'ok';
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && Object.keys(v).length > 0 ? 'ok' : 'invalid';
  } catch {
    return 'invalid';
  }
}

export class Keeper {
  private readonly lab: LabDir;
  constructor(lab: LabDir) {
    this.lab = lab;
  }

  private historyFile(name: string): string {
    return this.lab.path(KEEP_DIR, `${name.replaceAll('/', '__')}.history.json`);
  }

  private history(name: string): Kept[] {
    try {
      const h = JSON.parse(fs.readFileSync(this.historyFile(name), 'utf8')) as Kept[];
      for (const k of h) registerSecrets(k.text);
      return h;
    } catch {
      return [];
    }
  }

  read(name: string): string | undefined {
    try {
      return fs.readFileSync(this.lab.path(name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  state(name: string): FileState {
    return fileState(this.read(name), name);
  }

  /** Copies the current file into the history if it is valid and new. True when a copy was added. */
  snapshot(name: string): boolean {
    const text = this.read(name);
    if (fileState(text, name) !== 'ok') return false;
    return this.keepText(name, text!);
  }

  /** Appends a valid text of `name` to its history unless an equal copy is there. True when a copy was added. */
  private keepText(name: string, text: string): boolean {
    registerSecrets(text);
    const sha256 = crypto.createHash('sha256').update(text).digest('hex');
    const h = this.history(name);
    if (h.some((k) => k.sha256 === sha256)) return false;
    h.push({ savedAt: new Date().toISOString(), sha256, text });
    const dir = this.lab.path(KEEP_DIR);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const file = this.historyFile(name);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(h, null, 2) + '\n', { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
    return true;
  }

  /**
   * Where a command that makes `name` writes its output first, itself: the bytes are on disk before this process reads
   * them, so a `lab run` killed in between loses nothing (adoptSpool takes them on the next open).
   */
  spool(name: string): string {
    const dir = this.lab.path(KEEP_DIR);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    return path.join(dir, `${name.replaceAll('/', '__')}.spool`);
  }

  /** A spooled output left by a killed run: into the history when valid, then gone. True when it was kept. */
  adoptSpool(name: string): boolean {
    const file = this.lab.path(KEEP_DIR, `${name.replaceAll('/', '__')}.spool`);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    const kept = fileState(text, name) === 'ok' && this.keepText(name, text);
    fs.rmSync(file, { force: true });
    return kept;
  }

  latest(name: string): Kept | undefined {
    return this.history(name).at(-1);
  }

  /** Puts the newest copy back (an unreadable file is moved aside first, never destroyed). */
  restore(name: string): { movedAside?: string } | undefined {
    const k = this.latest(name);
    if (!k) return undefined;
    const out: { movedAside?: string } = {};
    if (this.state(name) === 'invalid') out.movedAside = this.moveAside(name, 'unreadable');
    this.lab.writeSecret(name, k.text);
    return out;
  }

  /** Renames a file to `<name>.<why>-<time>` (0600) and returns the new name. */
  moveAside(name: string, why: string): string {
    const to = `${name}.${why}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(this.lab.path(name), this.lab.path(to));
    fs.chmodSync(this.lab.path(to), 0o600);
    return to;
  }
}

function registerSecrets(text: string): void {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const walk = (x: unknown, key = ''): void => {
      if (typeof x === 'string') {
        if (/token|key|secret|password|nonce|otp/i.test(key) || /^(hvs|hvb|hvr|s|b|r)\./.test(x)) registerSecret(x);
      } else if (Array.isArray(x)) x.forEach((y) => walk(y, key));
      else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, k);
    };
    walk(v);
  } catch {
    if (text.trim()) registerSecret(text.trim());
  }
}

/** True when a reachable Vault node says it is initialised; undefined when no node answers. */
export async function clusterInitialized(ctx: LabContext): Promise<boolean | undefined> {
  // A client whose CA file is not there yet (a lab never started) throws while being made: no answer either.
  const ask = async (i: number) => ctx.vault(i, null).health();
  const hs = await Promise.all(ctx.platform.vaultNodes().map((_, i) => ask(i).catch(() => undefined)));
  const answered = hs.filter((h) => h !== undefined);
  if (!answered.length) return undefined;
  return answered.some((h) => h.initialized);
}

const stateWords: Record<Exclude<FileState, 'ok'>, Msg> = {
  missing: msg('없어졌습니다', 'was missing'),
  empty: msg('비어 있었습니다', 'was empty'),
  invalid: msg('읽을 수 없는 내용이었습니다', 'was unreadable'),
};

/**
 * Before a command works on a lab: copy every valid kept file, put back any that is missing, empty or unreadable while
 * the lab still needs it, and clear the empty leftover of an init that failed before the cluster was ever initialised.
 * Says what it did once; never prints a secret.
 */
export async function guardKeptFiles(ctx: LabContext): Promise<void> {
  const keeper = new Keeper(ctx.lab);
  for (const f of keptFiles(ctx.topic)) {
    // What a killed run's child already wrote (the init output) is kept before anything is judged missing.
    keeper.adoptSpool(f.name);
    const st = keeper.state(f.name);
    if (st === 'ok') {
      keeper.snapshot(f.name);
      continue;
    }
    const copy = keeper.latest(f.name);
    // A missing init output with no copy still matters once the cluster is initialised (a `lab run` killed between
    // init and writing its output): the keys are lost, and the learner must hear it.
    if (!copy && st === 'missing' && !f.init) continue;
    // Only an init output depends on the cluster: a fresh (or wiped) cluster needs a new init, not old keys.
    const initialized = f.init ? await clusterInitialized(ctx) : true;
    const shown = `$LAB_DIR/${f.name}`;
    if (copy && initialized !== false) {
      const r = keeper.restore(f.name)!;
      const cause = f.init && st === 'empty'
        ? msg(` 실패한 'operator init … > ${f.name}'는 init이 실행되기도 전에 셸이 파일을 비웁니다.`, ` A failed 'operator init … > ${f.name}' is emptied by the shell before init even runs.`)
        : msg('', '');
      ctx.report.warn(ctx.report.t(msg(
        `${shown}: ${stateWords[st].ko}.${cause.ko} 랩이 보관한 사본으로 되살렸습니다 (${KEEP_DIR}/, 0600).${r.movedAside ? ` 원래 파일은 ${r.movedAside}로 옮겨 두었습니다.` : ''} 실제 운영에서는 이런 사본이 없습니다: set -o noclobber를 쓰세요.`,
        `${shown} ${stateWords[st].en}.${cause.en} The lab restored it from its own copy (${KEEP_DIR}/, 0600).${r.movedAside ? ` The old file was moved to ${r.movedAside}.` : ''} Production has no such copy: use set -o noclobber.`,
      )));
    } else if (f.init && initialized === false && st === 'empty') {
      fs.rmSync(ctx.lab.path(f.name));
      ctx.report.warn(ctx.report.t(msg(
        `${shown}: 비어 있어 지웠습니다: 실패한 init이 남긴 빈 파일입니다 (Vault는 아직 초기화되지 않았습니다). init을 다시 하세요.`,
        `${shown} was empty and has been removed: a failed init left it (Vault is not initialised yet). Run init again.`,
      )));
    } else if (f.init && initialized === true && !copy) {
      ctx.report.warn(ctx.report.t(msg(
        `${shown}: ${stateWords[st].ko}. 클러스터는 이미 초기화되었는데 랩에도 사본이 없습니다: unseal 키를 잃었습니다. 다시 시작하려면 'npx lab reset ${ctx.topic.id}' (데이터가 모두 지워집니다).`,
        `${shown} ${stateWords[st].en}. The cluster is initialised and the lab has no copy either: the unseal keys are lost. To start over: 'npx lab reset ${ctx.topic.id}' (all data is deleted).`,
      )));
    }
  }
}

/**
 * Makes room for the output of a kept command the lab itself runs. A valid old file is already in the history (or is
 * put there now) before it goes; anything else is moved aside. Returns where the old content can be found.
 */
export function makeRoom(lab: LabDir, name: string): string | undefined {
  const keeper = new Keeper(lab);
  const st = keeper.state(name);
  if (st === 'missing') return undefined;
  if (st === 'empty') {
    fs.rmSync(lab.path(name));
    return undefined;
  }
  if (st === 'invalid') return keeper.moveAside(name, 'unreadable');
  keeper.snapshot(name);
  fs.rmSync(lab.path(name));
  return `${KEEP_DIR}/`;
}

export function relToLab(lab: LabDir, file: string): string {
  return path.relative(lab.dir, file);
}
