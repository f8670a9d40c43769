/** Opening a topic's lab for a command: topic, state folder, platform, context. */
import type { CommandArgs } from './types.ts';
import type { LabContext, Topic } from '../engine/types.ts';
import { loadTopic, topicIds } from '../engine/catalogue.ts';
import { LabDir } from '../engine/state.ts';
import { createPlatform } from '../platforms/index.ts';
import { createContext } from '../engine/context.ts';
import { usageError, envError } from '../engine/errors.ts';
import { msg } from '../engine/i18n.ts';
import { acquireLabLock, lockedByOther } from '../engine/lock.ts';
import type { Msg } from '../engine/i18n.ts';
import { guardKeptFiles } from '../engine/keep.ts';

export function topicArg(a: CommandArgs, required = true): string | undefined {
  const id = a.positionals[0];
  if (!id && required) throw usageError(msg('주제를 지정하세요 (npx lab list).', 'name a topic (npx lab list).'));
  return id;
}

export async function openLab(a: CommandArgs, opts: { mustExist?: boolean } = {}): Promise<LabContext & { topic: Topic }> {
  const topic = await loadTopic(topicArg(a)!);
  const lab = new LabDir(topic.id);
  const missing = () => opts.mustExist && !lab.record();
  // Checked before the lock too, so a command on a lab that does not exist leaves no folder behind.
  if (!missing() && a.lock) {
    lab.ensure();
    await acquireLabLock(lab.dir, { ...a.lock, say: (m) => a.report.warn(a.report.t(m)) });
  }
  const rec = lab.record();
  if (missing()) {
    throw envError(
      msg(`'${topic.id}' 랩이 아직 없습니다.`, `there is no '${topic.id}' lab yet.`),
      msg(`'npx lab start ${topic.id}' (직접 실습) 또는 'npx lab run ${topic.id}' (자동)으로 만드세요.`, `Create it with 'npx lab start ${topic.id}' (to solve yourself) or 'npx lab run ${topic.id}'.`),
    );
  }
  const wanted = typeof a.values.platform === 'string' ? a.values.platform : undefined;
  if (rec && wanted && wanted !== rec.platform) {
    throw usageError(
      msg(`'${topic.id}' 랩은 ${rec.platform} 플랫폼에 있습니다. 바꾸려면 먼저 'npx lab reset ${topic.id}' 하세요.`, `the '${topic.id}' lab lives on ${rec.platform}; run 'npx lab reset ${topic.id}' first to switch.`),
    );
  }
  // A topic that does not run on local (none today) defaults to its first platform, so `lab hint` works without --platform.
  const platform = await createPlatform(rec?.platform ?? wanted ?? (topic.platforms.includes('local') ? 'local' : topic.platforms[0]!), topic, lab);
  const ctx = createContext(topic, platform, lab, a.report, a.lang);
  // Repairs are changes: a read-only command leaves them to the command that is changing the lab right now.
  if (rec && (a.lock || !lockedByOther(lab.dir))) await guardKeptFiles(ctx);
  return ctx;
}

/**
 * The lock as a setup hook (main.ts, for commands with `changes`): the topic's lock is held before the command runs.
 * An unknown topic is left to the command (its own message, no folder made); a lab not made yet is created and
 * locked by openLab, so a command that fails before that leaves no folder behind.
 */
export async function lockTopic(id: string | undefined, lock: { command: string; wait: boolean }, say: (m: Msg) => void): Promise<void> {
  if (!id || !(topicIds as readonly string[]).includes(id)) return;
  const lab = new LabDir(id);
  if (!lab.record()) return;
  await acquireLabLock(lab.dir, { ...lock, say });
}
