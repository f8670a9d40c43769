import type { Platform, PlatformName, Topic } from '../engine/types.ts';
import type { LabDir } from '../engine/state.ts';
import { usageError } from '../engine/errors.ts';
import { msg } from '../engine/i18n.ts';

export const platformNames: PlatformName[] = ['local', 'kind'];

export async function createPlatform(name: string, topic: Topic, lab: LabDir): Promise<Platform> {
  if (!platformNames.includes(name as PlatformName)) {
    throw usageError(msg(`알 수 없는 플랫폼: '${name}' (local 또는 kind)`, `unknown platform '${name}' (local or kind)`));
  }
  if (!topic.platforms.includes(name as PlatformName)) {
    throw usageError(
      msg(`'${topic.id}' 주제는 ${name} 플랫폼을 지원하지 않습니다 (지원: ${topic.platforms.join(', ')}).`, `topic '${topic.id}' does not run on ${name} (supported: ${topic.platforms.join(', ')}).`),
    );
  }
  if (name === 'kind') {
    const { KindPlatform } = await import('./kind/kind.ts');
    return new KindPlatform(lab, topic);
  }
  const { LocalPlatform } = await import('./local/local.ts');
  const p = new LocalPlatform(lab, topic.needs.vault);
  await p.loadServices(topic.needs);
  return p;
}
