/**
 * One changing command at a time per lab: a lock file in the lab folder, made with O_EXCL, naming the holder's
 * command and pid. A second command waits (saying for whom) or, with --no-wait, stops with exit 3. A lock whose
 * process is gone (killed, crashed, pid reused) is stale and taken over. Read-only commands never take it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LabError, Exit } from './errors.ts';
import { msg, type Msg } from './i18n.ts';
import { isAlive } from '../exec.ts';
import { poll } from './poll.ts';

export const LOCK_FILE = 'lab.lock';

export interface LockInfo {
  pid: number;
  /** The holder's command as the learner typed it, e.g. `lab run ha-failover`. */
  command: string;
  at: string;
  /** Start time of the holder process (Linux /proc), so a reused pid does not look like the holder. */
  start?: string;
}

export interface LockOptions {
  command: string;
  wait: boolean;
  /** Shown once when the lock is busy, once when a stale lock is taken over. */
  say: (m: Msg) => void;
  pollMs?: number;
}

function procStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function lockHolderAlive(l: LockInfo): boolean {
  if (!Number.isInteger(l.pid) || l.pid <= 0 || !isAlive(l.pid)) return false;
  const now = procStart(l.pid);
  return l.start === undefined || now === undefined || now === l.start;
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return { pid: Number(v.pid), command: String(v.command ?? '?'), at: String(v.at ?? ''), ...(v.start ? { start: v.start } : {}) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable (edited by hand?): nobody can be shown to hold it.
    return { pid: 0, command: '?', at: '' };
  }
}

/** Another live process holds the lab's lock: it is changing the lab right now. */
export function lockedByOther(dir: string): LockInfo | undefined {
  const cur = readLock(path.join(dir, LOCK_FILE));
  return cur && cur.pid !== process.pid && lockHolderAlive(cur) ? cur : undefined;
}

/** Locks this process holds, released on exit even when the process ends abruptly (process.exit on a 2nd Ctrl-C). */
const held = new Map<string, LockInfo>();
let exitHook = false;

/** This process holds the lab's lock: it may write the lab's progress. */
export function holdsLabLock(dir: string): boolean {
  return held.has(path.join(dir, LOCK_FILE));
}

function releaseFile(file: string): void {
  const mine = held.get(file);
  held.delete(file);
  const cur = readLock(file);
  if (mine && cur && cur.pid === mine.pid && cur.at === mine.at) fs.rmSync(file, { force: true });
}

export function releaseAllLocks(): void {
  for (const file of [...held.keys()]) releaseFile(file);
}

/** Removes a stale lock only if it is still the one judged stale (another waiter may have replaced it already). */
function breakStale(file: string, stale: LockInfo): boolean {
  const aside = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return false;
  }
  const moved = readLock(aside);
  if (moved && (moved.pid !== stale.pid || moved.at !== stale.at)) {
    // Not the stale one: a fresh holder's lock. Put it back unless yet another lock appeared meanwhile.
    try {
      fs.linkSync(aside, file);
    } catch {
      /* someone else holds the lab now; that holder's lock stands */
    }
  }
  fs.rmSync(aside, { force: true });
  return true;
}

/**
 * Takes the lab folder's lock for this process (re-entrant: a command that calls another keeps one lock).
 * Returns when held; throws LabError(3) with --no-wait when busy.
 */
export async function acquireLabLock(dir: string, o: LockOptions): Promise<void> {
  const file = path.join(dir, LOCK_FILE);
  if (held.has(file)) return;
  if (!exitHook) {
    exitHook = true;
    process.once('exit', releaseAllLocks);
  }
  let waiting = false;
  // One attempt: true when the lock is ours; false while another live command holds it (the wait goes on).
  const attempt = (): boolean => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const me: LockInfo = { pid: process.pid, command: o.command, at: new Date().toISOString(), ...(procStart(process.pid) ? { start: procStart(process.pid)! } : {}) };
    // Written whole to a private file, then linked into place: link fails if the lock exists, and nobody ever
    // sees a half-written lock.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(me) + '\n', { mode: 0o644 });
      fs.linkSync(tmp, file);
      held.set(file, me);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOENT: `lab reset` removed the folder meanwhile; go round again.
      if (code !== 'EEXIST' && code !== 'ENOENT') {
        throw new LabError(msg(`랩 잠금 파일을 만들 수 없습니다: ${file}`, `cannot create the lab's lock file: ${file}`), {
          exitCode: Exit.environment,
          hint: msg('폴더 권한을 확인하거나 LAB_HOME으로 쓸 수 있는 폴더를 지정하세요.', 'Check the folder\'s permissions, or point LAB_HOME at a writable folder.'),
          detail: String(e),
        });
      }
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const cur = readLock(file);
    if (!cur) return false; // gone (or unreadable) meanwhile: look again shortly
    if (!lockHolderAlive(cur)) {
      if (breakStale(file, cur)) {
        o.say(
          msg(
            `이전 명령 \`${cur.command}\` (pid ${cur.pid || '?'})의 잠금이 남아 있었지만 그 프로세스는 이미 끝났습니다: 잠금을 넘겨받습니다.`,
            `a stale lock from \`${cur.command}\` (pid ${cur.pid || '?'}, no longer running) was taken over.`,
          ),
        );
      }
      return attempt();
    }
    const holder = `\`${cur.command}\` (pid ${cur.pid})`;
    if (!o.wait) {
      throw new LabError(msg(`이 랩은 다른 명령이 바꾸는 중입니다: ${holder}.`, `this lab is being changed by another command: ${holder}.`), {
        exitCode: Exit.environment,
        hint: msg('그 명령이 끝난 뒤 다시 실행하거나, --no-wait 없이 실행하면 끝날 때까지 기다립니다. 읽기 전용 명령(check, status, info, env, hint)은 지금도 됩니다.', 'Run again when it has finished, or without --no-wait to wait for it. Read-only commands (check, status, info, env, hint) work meanwhile.'),
      });
    }
    if (!waiting) {
      waiting = true;
      o.say(msg(`기다리는 중: 이 랩을 바꾸고 있는 명령이 있습니다(${holder}) (Ctrl-C로 중단) …`, `waiting for ${holder}, which is changing this lab (Ctrl-C to stop) …`));
    }
    return false;
  };
  // No deadline: the holder may be a long `lab run`; Ctrl-C (the abort signal) ends the wait at once.
  await poll(attempt, { timeoutMs: Infinity, everyMs: o.pollMs ?? 200, ignoreErrors: false });
}
