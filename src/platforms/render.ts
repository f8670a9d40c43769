/** One renderer per platform: how a learner types a command there. The site and `lab dev check` pick by topic. */
import type { Cmd, PlatformName, TopicDef } from '../engine/types.ts';
import { renderLocal } from './local/render.ts';
import { renderKind } from './kind/exec-plan.ts';

export type Render = (cmd: Cmd) => string;

export function renderFor(platform: PlatformName, topic: Pick<TopicDef, 'id' | 'needs'>): Render {
  return platform === 'kind' ? renderKind : (cmd) => renderLocal(cmd, topic.needs.vault, topic.id);
}

/** The platform a topic is shown on by default: local where it runs, else its first. */
export function defaultPlatform(topic: Pick<TopicDef, 'platforms'>): PlatformName {
  return topic.platforms.includes('local') ? 'local' : topic.platforms[0]!;
}
