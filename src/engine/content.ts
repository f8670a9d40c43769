/** Proves the content: lessons, steps, commands and checks agree (rustlings' `dev check`). */
import fs from 'node:fs';
import path from 'node:path';
import type { Cmd, PlatformName, Step, Topic } from './types.ts';
import { labsDir } from './paths.ts';

export interface Problem {
  topic: string;
  problem: string;
}

export const STEP_DIRECTIVE = /^<!--\s*lab:step\s+([\w-]+)\s*-->\s*$/gm;
export const CHECKS_DIRECTIVE = /^<!--\s*lab:checks\s*-->\s*$/m;

export function lessonPath(topicId: string, lang = 'ko'): string {
  return path.join(labsDir, topicId, `lesson.${lang}.md`);
}

/** How a platform renders a command for the learner (src/platforms/render.ts), handed in by the caller. */
export type RendererOf = (platform: PlatformName, topic: Topic) => (cmd: Cmd) => string;

/** Pure: judge one topic against its lesson text and its check ids. */
export function auditTopic(topic: Topic, lesson: string | undefined, checkIds: string[], rendererOf: RendererOf): Problem[] {
  const out: Problem[] = [];
  const p = (problem: string) => out.push({ topic: topic.id, problem });
  if (lesson === undefined) p('lesson.ko.md is missing');
  const stepIds = topic.steps.map((s) => s.id);
  const dup = stepIds.filter((id, i) => stepIds.indexOf(id) !== i);
  if (dup.length) p(`duplicate step ids: ${dup.join(', ')}`);
  const checkDup = checkIds.filter((id, i) => checkIds.indexOf(id) !== i);
  if (checkDup.length) p(`duplicate check ids: ${checkDup.join(', ')}`);
  if (lesson !== undefined) {
    const referenced = [...lesson.matchAll(STEP_DIRECTIVE)].map((m) => m[1]!);
    for (const id of referenced) if (!stepIds.includes(id)) p(`lesson names unknown step '${id}'`);
    // The learner's steps must all be in the lesson; setup steps (the lab's own work) may be. The lesson shows the
    // local platform's commands: steps of another platform only may be left out.
    for (const s of topic.steps) if (s.kind === 'task' && (!s.platforms || s.platforms.includes('local')) && !referenced.includes(s.id)) p(`step '${s.id}' is not placed in the lesson`);
    if (!CHECKS_DIRECTIVE.test(lesson)) p('lesson has no <!-- lab:checks --> directive');
  }
  for (const s of topic.steps) {
    for (const c of s.checks ?? []) if (!checkIds.includes(c)) p(`step '${s.id}' names unknown check '${c}'`);
    if (s.kind === 'task' && !s.commands?.length && !s.solve) p(`task step '${s.id}' has neither commands nor solve`);
    if (s.kind === 'task' && s.solve && !s.solveWhy?.trim()) p(`task step '${s.id}' has a custom solve without solveWhy (why its shown commands are not enough)`);
    for (const platform of claimed(topic, s)) {
      const r = renderStep(s, rendererOf(platform, topic));
      if (r.error !== undefined) p(`step '${s.id}' cannot be shown on ${platform}: ${r.error}`);
      else if (r.empty) p(`step '${s.id}' renders an empty command on ${platform}`);
    }
    if (!s.title.ko || !s.title.en || !s.task.ko || !s.task.en) p(`step '${s.id}' lacks a Korean or English title/task`);
  }
  if (!topic.title.ko || !topic.title.en) p('topic lacks a Korean or English title');
  return out;
}

/** The platforms a step is on: its own list within the topic's, else all the topic's. */
function claimed(topic: Topic, s: Step): PlatformName[] {
  return topic.platforms.filter((p) => !s.platforms || s.platforms.includes(p));
}

/** Every shown line of a step rendered by one platform: the first that cannot be (a renderer throws), or an empty one. */
function renderStep(s: Step, render: (cmd: Cmd) => string): { error?: string; empty?: boolean } {
  for (const c of s.commands ?? []) {
    let text: string;
    try {
      text = render(c);
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
    if (!text.trim()) return { empty: true };
  }
  return {};
}

/**
 * What `lab dev check` sums up: a task step without a custom solve runs exactly its shown commands (guards only skip a
 * line whose effect is already there), so it is proven where each of its lines renders, on every platform it claims.
 */
export interface SolveShown {
  tasks: number;
  custom: { topic: string; step: string; why: string | undefined }[];
  /** Per platform: solve-less task steps that claim it, and how many of them rendered every line there. */
  platforms: Partial<Record<PlatformName, { steps: number; rendered: number }>>;
}

export function solveShown(topics: Topic[], rendererOf: RendererOf): SolveShown {
  const out: SolveShown = { tasks: 0, custom: [], platforms: {} };
  for (const t of topics) {
    for (const s of t.steps.filter((x) => x.kind === 'task')) {
      out.tasks++;
      if (s.solve) {
        out.custom.push({ topic: t.id, step: s.id, why: s.solveWhy });
        continue;
      }
      for (const platform of claimed(t, s)) {
        const n = (out.platforms[platform] ??= { steps: 0, rendered: 0 });
        n.steps++;
        const r = renderStep(s, rendererOf(platform, t));
        if (r.error === undefined && !r.empty) n.rendered++;
      }
    }
  }
  return out;
}

export async function auditAll(topics: Topic[], rendererOf: RendererOf): Promise<Problem[]> {
  const out: Problem[] = [];
  for (const t of topics) {
    const file = lessonPath(t.id);
    const lesson = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    const checker = await t.checker();
    const ids = checker.checks.map((c) => c.id);
    out.push(...auditTopic(t, lesson, ids, rendererOf));
    for (const c of checker.checks) {
      if (!c.title.ko || !c.title.en) out.push({ topic: t.id, problem: `check '${c.id}' lacks a Korean or English title` });
      if (!c.hint) out.push({ topic: t.id, problem: `check '${c.id}' has no hint (the typical mistake it catches)` });
    }
  }
  return out;
}
