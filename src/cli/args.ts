/** Arguments several commands share, defined once so their help reads the same everywhere. */
import { msg } from '../engine/i18n.ts';
import type { ArgDef } from './define.ts';
import type { Lang } from '../engine/i18n.ts';
import { loadAll, loadTopic } from '../engine/catalogue.ts';

export const topicRequired = { type: 'positional', description: msg('주제 (npx lab list)', 'topic (npx lab list)'), required: msg('주제를 지정하세요 (npx lab list).', 'name a topic (npx lab list).') } as const satisfies ArgDef;
export const topicOptional = { type: 'positional', description: msg('주제 (npx lab list)', 'topic (npx lab list)') } as const satisfies ArgDef;
export const stepArg = { type: 'positional', description: msg("단계 id ('lab hint <topic> --help'로 목록)", "step id (listed by 'lab hint <topic> --help')") } as const satisfies ArgDef;
export const platform = { type: 'string', short: 'p', value: 'local|kind', description: msg('플랫폼', 'platform') } as const satisfies ArgDef;
export const json = { type: 'boolean', description: msg('JSON으로 출력', 'print JSON') } as const satisfies ArgDef;
export const noWait = { type: 'boolean', description: msg('다른 lab 명령이 이 랩을 바꾸는 중이면 기다리지 않고 exit 3', 'exit 3 instead of waiting while another lab command changes this lab') } as const satisfies ArgDef;

/** Help lines naming a topic's steps, for the commands that take a step. */
/** `[step]` is a step id or the number `lab hint` shows: each topic's task steps, numbered per platform. */
export async function stepHelp(positionals: string[], lang: Lang): Promise<string[]> {
  const id = positionals[0];
  const topics = id ? [await loadTopic(id)] : await loadAll();
  const lines = ['', lang === 'ko' ? '단계 (id 또는 lab hint의 번호):' : 'steps (an id, or the number lab hint shows):'];
  for (const t of topics) {
    for (const p of t.platforms) {
      const tasks = t.steps.filter((x) => x.kind === 'task' && (!x.platforms || x.platforms.includes(p)));
      lines.push(`  ${t.id}${t.platforms.length > 1 ? ` (${p})` : ''}: ${tasks.map((x, i) => `${i + 1} ${x.id}`).join(', ')}`);
    }
    if (!id) continue;
    // One topic asked for: every step with its title, and which ones `lab reset <topic> <step>` can undo.
    const w = Math.max(...t.steps.map((s) => s.id.length));
    lines.push('', ...t.steps.map((s) => `  ${s.id.padEnd(w)}  ${s.title[lang]}${s.cleanup ? (lang === 'ko' ? ' (되돌리기 가능)' : ' (can be undone)') : ''}`));
  }
  return lines;
}
