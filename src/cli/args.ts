/** Arguments several commands share, defined once so their help reads the same everywhere. */
import { msg } from '../engine/i18n.ts';
import type { ArgDef } from './define.ts';
import type { Lang } from '../engine/i18n.ts';
import type { Capability } from '../engine/types.ts';
import { loadAll, loadTopic } from '../engine/catalogue.ts';

export const topicRequired = { type: 'positional', description: msg('주제 (npx lab list)', 'topic (npx lab list)'), required: msg('주제를 지정하세요 (npx lab list).', 'name a topic (npx lab list).') } as const satisfies ArgDef;
export const topicOptional = { type: 'positional', description: msg('주제 (npx lab list)', 'topic (npx lab list)') } as const satisfies ArgDef;
export const stepArg = { type: 'positional', description: msg("단계 id ('lab hint <topic> --help'로 목록)", "step id (listed by 'lab hint <topic> --help')") } as const satisfies ArgDef;
export const platform = { type: 'string', short: 'p', value: 'local|kind', description: msg('플랫폼', 'platform') } as const satisfies ArgDef;
export const json = { type: 'boolean', description: msg('JSON으로 출력', 'print JSON') } as const satisfies ArgDef;
export const noWait = { type: 'boolean', description: msg('다른 lab 명령이 이 랩을 바꾸는 중이면 기다리지 않고 exit 3', 'exit 3 instead of waiting while another lab command changes this lab') } as const satisfies ArgDef;

/** What a capability is called in help: the thing a learner installs or the lab runs. */
const CAPABILITY_LABEL: Record<Capability, string> = { eso: 'ESO', vsoChart: 'VSO', ingress: 'ingress-nginx', ldap: 'LDAP' };

/** Help lines naming a topic's steps, for the commands that take a step. */
/** `[step]` is a step id or the number `lab hint` shows: each topic's task steps, numbered per platform. */
export async function stepHelp(positionals: string[], lang: Lang): Promise<string[]> {
  const id = positionals[0];
  const topics = id ? [await loadTopic(id)] : await loadAll();
  const lines = ['', lang === 'ko' ? '단계 (id 또는 lab hint의 번호):' : 'steps (an id, or the number lab hint shows):'];
  for (const t of topics) {
    for (const p of t.platforms) {
      const tasks = t.steps.filter((x) => x.kind === 'task' && (!x.platforms || x.platforms.includes(p)));
      // Steps that need a capability exist only where the platform offers it, and `lab hint` numbers what exists: one
      // line per capability set (vso on kind: with ESO 1–4, with VSO's chart 1–3), after the line of the common steps.
      const sets = [...new Set(tasks.map((x) => (x.requires ?? []).join('+')).filter(Boolean))].sort();
      const common = tasks.filter((x) => !x.requires?.length);
      const variants: [string, typeof tasks][] = sets.length ? [...(common.length ? [['', common] as [string, typeof tasks]] : []), ...sets.map((k): [string, typeof tasks] => [k, tasks.filter((x) => !x.requires?.length || (x.requires ?? []).join('+') === k)])] : [['', tasks]];
      for (const [k, list] of variants) {
        const label = k.split('+').map((c) => CAPABILITY_LABEL[c as Capability] ?? c).join(' + ');
        const where = [t.platforms.length > 1 ? p : '', k ? (lang === 'ko' ? `${label} 있을 때` : `with ${label}`) : ''].filter(Boolean).join(', ');
        lines.push(`  ${t.id}${where ? ` (${where})` : ''}: ${list.map((x, i) => `${i + 1} ${x.id}`).join(', ')}`);
      }
    }
    if (!id) continue;
    // One topic asked for: every step with its title, and which ones `lab reset <topic> <step>` can undo.
    const w = Math.max(...t.steps.map((s) => s.id.length));
    lines.push('', ...t.steps.map((s) => `  ${s.id.padEnd(w)}  ${s.title[lang]}${s.cleanup ? (lang === 'ko' ? ' (되돌리기 가능)' : ' (can be undone)') : ''}`));
  }
  return lines;
}
