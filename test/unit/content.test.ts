/** `lab dev check` on real content, and on content broken on purpose. */
import { renderFor } from '../../src/platforms/render.ts';
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { auditAll, auditTopic, lessonPath, solveShown } from '../../src/engine/content.ts';
import type { Topic } from '../../src/engine/types.ts';
import { loadAll, loadTopic, topicIds } from '../../src/engine/catalogue.ts';

describe('content proof', () => {
  it('every topic of the catalogue has a scenario, and all content is consistent', async () => {
    const topics = await loadAll();
    expect(topics.map((t) => t.id)).toEqual(topicIds);
    expect(await auditAll(topics, renderFor)).toEqual([]);
  });

  it('catches a lesson that names a step that does not exist, and a step the lesson lost', async () => {
    const topic = await loadTopic('ha-failover');
    const lesson = fs.readFileSync(lessonPath('ha-failover'), 'utf8').replace('<!-- lab:step join -->', '<!-- lab:step joim -->');
    const ids = (await topic.checker()).checks.map((c) => c.id);
    expect(auditTopic(topic, lesson, ids, renderFor).map((p) => p.problem)).toEqual(["lesson names unknown step 'joim'", "step 'join' is not placed in the lesson"]);
  });

  it('catches a step pointing at a check that does not exist', async () => {
    const topic = await loadTopic('vault-k8s');
    const lesson = fs.readFileSync(lessonPath('vault-k8s'), 'utf8');
    const ids = (await topic.checker()).checks.map((c) => c.id).filter((id) => id !== 'kv-v2');
    expect(auditTopic(topic, lesson, ids, renderFor).map((p) => p.problem)).toEqual(["step 'kv' names unknown check 'kv-v2'"]);
  });

  it('a secret a step exports into the learner\'s shell (a password) is unset again before the step ends; the shell\'s own token stays', async () => {
    const left: string[] = [];
    for (const t of await loadAll()) {
      for (const step of t.steps) {
        const cmds = step.commands ?? [];
        cmds.forEach((c, i) => {
          if (c.kind !== 'set' || !c.export || /^(VAULT|BAO)_TOKEN$/.test(c.name)) return;
          const name = c.name;
          if (!cmds.slice(i + 1).some((d) => d.kind === 'exec' && d.file === 'unset' && d.args.includes(name))) left.push(`${t.id}/${step.id}: ${name}`);
        });
      }
    }
    expect(left).toEqual([]);
  });

  it('solve = shown on every platform a step claims: a solve-less step whose line cannot render on one of them is a problem, named with the platform', async () => {
    const topic = await loadTopic('ha-failover');
    const lesson = fs.readFileSync(lessonPath('ha-failover'), 'utf8');
    const ids = (await topic.checker()).checks.map((c) => c.id);
    // The drill stops the active node; a topic whose VAULT_ADDR does not follow the leader has no line that finds it locally.
    const noRelay: Topic = { ...topic, needs: { ...topic.needs, vault: { ...topic.needs.vault, activeAddr: false } } };
    expect(auditTopic(noRelay, lesson, ids, renderFor).map((p) => p.problem)).toEqual([expect.stringMatching(/^step 'failover' cannot be shown on local: .*active/)]);
    // A wait whose probe is two lines has no one-line loop on either platform: both are named, the audit itself goes on.
    const twoLines: Topic = { ...topic, steps: topic.steps.map((s) => (s.id === 'data' ? { ...s, commands: [{ kind: 'wait', probe: { kind: 'exec', file: 'true', args: [], stdin: 'a\nb' }, timeoutSec: 1 }] } : s)) };
    expect(auditTopic(twoLines, lesson, ids, renderFor).map((p) => p.problem)).toEqual([expect.stringMatching(/^step 'data' cannot be shown on local: /), expect.stringMatching(/^step 'data' cannot be shown on kind: /)]);
    // The summary counts a step once per platform it claims: ha-failover runs on both, and its drill has no custom solve.
    const s = solveShown([topic], renderFor);
    expect(s.platforms).toEqual({ local: { steps: 3, rendered: 3 }, kind: { steps: 3, rendered: 3 } });
    expect(s.custom.map((x) => x.step)).not.toContain('failover');
    const broken = solveShown([noRelay], renderFor);
    expect(broken.platforms.local).toEqual({ steps: 3, rendered: 2 });
  });
});
