/** `lab dev check` on real content, and on content broken on purpose. */
import { renderFor } from '../../src/platforms/render.ts';
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { auditAll, auditTopic, lessonPath } from '../../src/engine/content.ts';
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
});
