/** Arguments several commands share, defined once so their help reads the same everywhere. */
import { msg } from '../engine/i18n.ts';
import type { ArgDef } from './define.ts';
import type { Lang } from '../engine/i18n.ts';
import { loadTopic } from '../engine/catalogue.ts';

export const topicRequired = { type: 'positional', description: msg('주제 (npx lab list)', 'topic (npx lab list)'), required: msg('주제를 지정하세요 (npx lab list).', 'name a topic (npx lab list).') } as const satisfies ArgDef;
export const topicOptional = { type: 'positional', description: msg('주제 (npx lab list)', 'topic (npx lab list)') } as const satisfies ArgDef;
export const stepArg = { type: 'positional', description: msg("단계 id ('lab hint <topic> --help'로 목록)", "step id (listed by 'lab hint <topic> --help')") } as const satisfies ArgDef;
export const platform = { type: 'string', short: 'p', value: 'local|kind', description: msg('플랫폼', 'platform') } as const satisfies ArgDef;
export const json = { type: 'boolean', description: msg('JSON으로 출력', 'print JSON') } as const satisfies ArgDef;
export const noWait = { type: 'boolean', description: msg('다른 lab 명령이 이 랩을 바꾸는 중이면 기다리지 않고 exit 3', 'exit 3 instead of waiting while another lab command changes this lab') } as const satisfies ArgDef;

/** Help lines naming a topic's steps, for the commands that take a step. */
export async function stepHelp(positionals: string[], lang: Lang): Promise<string[]> {
  const id = positionals[0];
  if (!id) return [];
  const topic = await loadTopic(id);
  const w = Math.max(...topic.steps.map((s) => s.id.length));
  return ['', lang === 'ko' ? `'${topic.id}'의 단계:` : `steps of '${topic.id}':`, ...topic.steps.map((s, i) => `  ${String(i + 1).padStart(2)}. ${s.id.padEnd(w)}  ${s.title[lang]}${s.cleanup ? (lang === 'ko' ? ' (되돌리기 가능)' : ' (can be undone)') : ''}`)];
}
