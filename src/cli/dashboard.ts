/**
 * What `lab check --watch`, `lab status` and the all-pass ending show besides the checks: where the learner is in the
 * steps, each Vault node's role (leader, standby, sealed k/n, voter, Raft term), and what was done and measured.
 */
import type { CheckResult, Cmd, LabContext } from '../engine/types.ts';
import type { Reporter } from '../engine/reporter.ts';
import { displayWidth, wrap } from '../engine/reporter.ts';
import { msg } from '../engine/i18n.ts';
import { loadTopic, topicIds } from '../engine/catalogue.ts';
import { onPlatform, type StepState } from '../engine/runner.ts';

export interface NodeRow {
  name: string;
  up: boolean;
  initialized: boolean;
  sealed: boolean;
  active: boolean;
  /** Unseal keys entered on a sealed node, e.g. "2/3". */
  keys?: string;
  /** From Raft's autopilot state, read through the active node. */
  voter?: boolean;
  term?: number;
}

interface AutopilotServer {
  name?: string;
  status?: string;
  last_term?: number;
}

/** Each Vault node's state as its own API says, plus Raft membership from the active node (with the lab's token). */
export async function nodeRows(ctx: LabContext): Promise<NodeRow[]> {
  const nodes = ctx.platform.vaultNodes();
  const rows = await Promise.all(
    nodes.map(async (n, i): Promise<NodeRow> => {
      const h = await ctx.vault(i, null).health().catch(() => undefined);
      const row: NodeRow = { name: n.name, up: h !== undefined, initialized: h?.initialized ?? false, sealed: h?.sealed ?? true, active: Boolean(h && h.initialized && !h.sealed && !h.standby) };
      if (h?.initialized && h.sealed) {
        const st = await ctx.vault(i, null).sealStatus().catch(() => undefined);
        if (st) row.keys = `${st.progress}/${st.t}`;
      }
      return row;
    }),
  );
  const active = rows.findIndex((r) => r.active);
  if (active >= 0 && nodes.length > 1 && ctx.lab.adminToken()) {
    const r = await ctx
      .vault(active)
      .read<{ data?: { servers?: Record<string, AutopilotServer> } }>('/sys/storage/raft/autopilot/state')
      .catch(() => undefined);
    for (const [id, srv] of Object.entries(r?.data?.servers ?? {})) {
      const row = rows.find((x) => x.name === (srv.name || id));
      if (!row) continue;
      row.voter = srv.status === 'leader' || srv.status === 'voter';
      if (srv.last_term !== undefined) row.term = srv.last_term;
    }
  }
  return rows;
}

/** A cluster node is leader or standby; a lone server (file storage) is simply unsealed. */
export function roleOf(r: NodeRow, cluster = true): { ko: string; en: string } {
  if (!r.up) return msg('멈춤', 'down');
  if (!r.initialized) return msg('초기화 전', 'not initialised');
  if (r.sealed) return msg(`sealed ${r.keys ?? ''}`.trim(), `sealed ${r.keys ?? ''}`.trim());
  if (!cluster) return msg('봉인 해제됨', 'unsealed');
  return r.active ? msg('leader (active)', 'leader (active)') : msg('standby', 'standby');
}

const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - displayWidth(s)));

/** name · role · sealed · voter · term, aligned (Hangul counted as two columns). */
export function nodeTable(r: Reporter, rows: NodeRow[]): string[] {
  const head = [r.t(msg('노드', 'node')), r.t(msg('역할', 'role')), 'sealed', 'voter', 'term'];
  const body = rows.map((x) => [x.name, r.t(roleOf(x)), !x.up ? '-' : x.sealed ? 'yes' : 'no', x.voter === undefined ? '-' : x.voter ? 'yes' : 'no', x.term === undefined ? '-' : String(x.term)]);
  const w = head.map((h, i) => Math.max(displayWidth(h), ...body.map((b) => displayWidth(b[i]!))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, w[i]!)).join('  ').trimEnd();
  return [r.style(line(head), 'dim'), ...body.map((b, k) => {
    const l = line(b);
    const row = rows[k]!;
    return !row.up ? r.style(l, 'red') : row.sealed ? r.style(l, 'yellow') : row.active ? r.style(l, 'green') : l;
  })];
}

/** What the topic itself adds from its observations (ha-failover: the last leader change and within how long). */
export function topicLines(ctx: LabContext): string[] {
  return (ctx.topic.dashboard?.(ctx.lab.progress().observations) ?? []).map((m) => ctx.report.t(m));
}

/** ■■■□□ 3/8 and the current step's title. */
export function stepBar(r: Reporter, states: StepState[]): string {
  const done = states.filter((s) => s.done).length;
  const cur = states.find((s) => !s.done);
  const bar = states.map((s) => (s.done ? r.style('■', 'green') : s === cur ? r.style('▶', 'cyan') : '□')).join('');
  return `${bar} ${done}/${states.length}${cur ? ` · ${r.t(cur.step.title)}` : ''}`;
}

/** All pass: the steps done, the failover measured, and the next topic in the study note's order. */
export async function endingLines(ctx: LabContext, results: CheckResult[]): Promise<string[]> {
  const r = ctx.report;
  const out = [r.style(r.t(msg(`모두 통과 (${results.length}/${results.length}) — ${r.t(ctx.topic.title)}`, `all passed (${results.length}/${results.length}) — ${r.t(ctx.topic.title)}`)), 'green')];
  for (const step of ctx.topic.steps.filter((x) => x.kind === 'task' && onPlatform(x, ctx.platform))) out.push(`${r.style('✓', 'green')} ${r.t(step.title)}`);
  out.push(...topicLines(ctx));
  const i = topicIds.indexOf(ctx.topic.id);
  const next = ctx.topic.next ?? (i >= 0 ? topicIds[i + 1] : undefined);
  out.push('');
  if (next) {
    const t = await loadTopic(next).catch(() => undefined);
    out.push(r.t(msg(`다음 주제: ${next}${t ? ` — ${t.title.ko}` : ''}`, `next topic: ${next}${t ? ` — ${t.title.en}` : ''}`)));
    out.push(`npx lab start ${next}`);
  } else out.push(r.t(msg('마지막 주제까지 마쳤습니다.', 'That was the last topic.')));
  return out;
}

/** Commands flush-left and never wrapped (a pasted heredoc must reach its EOF); notes as wrapped `#` lines. */
export function commandLines(ctx: LabContext, cmds: Cmd[]): string[] {
  const r = ctx.report;
  const out: string[] = [];
  for (const c of cmds) {
    if (c.note) for (const l of wrap(r.t(c.note), r.width === undefined ? undefined : r.width - 2)) out.push(`# ${l}`);
    out.push(ctx.platform.render(c));
  }
  return out;
}

/** A step as `lab hint` shows it: title, the task wrapped, where it stands, then what is left to type. */
export function stepLines(ctx: LabContext, s: StepState, full = false): string[] {
  const r = ctx.report;
  const tasks = ctx.topic.steps.filter((x) => x.kind === 'task' && onPlatform(x, ctx.platform));
  const { step } = s;
  const width = r.width;
  const i = tasks.indexOf(step);
  // A step of another platform (read with `lab hint <topic> <step>`) has no number here: its platform instead.
  const tag = i < 0 ? (step.platforms ?? []).join(', ') : `${i + 1}/${tasks.length}`;
  const out = [r.style(`■ [${tag}] ${r.t(step.title)}`, 'bold'), ...wrap(r.t(step.task), width)];
  const pending = full ? undefined : s.pending;
  for (const st of pending?.status ?? []) out.push(r.style(r.t(st), 'cyan'));
  const cmds = pending ? pending.commands : (step.commands ?? []);
  if (cmds.length) {
    out.push('');
    if (pending && pending.commands.length < (step.commands ?? []).length) out.push(`# ${r.t(msg('이 단계에서 남은 명령:', 'what is left of this step:'))}`);
    out.push(...commandLines(ctx, cmds));
  }
  if (step.hint) out.push('', ...wrap(`${r.t(msg('힌트:', 'hint:'))} ${r.t(step.hint)}`, width));
  return out;
}
