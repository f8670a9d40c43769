/** `lab down <topic>|--all`: stop a lab's processes; its data stays. */
import { defineCommand } from '../define.ts';
import { noWait, topicOptional } from '../args.ts';
import { openLab } from '../lab.ts';
import { Exit, usageError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { listLabs } from '../../engine/state.ts';

export default defineCommand({
  meta: { name: 'down', usage: 'lab down <topic>|--all' },
  args: { topic: topicOptional, all: { type: 'boolean', description: msg('모든 랩', 'every lab') }, 'no-wait': noWait },
  changes: true,
  run: async (a) => {
    const ids = a.args.all ? listLabs() : a.args.topic ? [a.args.topic] : [];
    if (!ids.length && !a.args.all) throw usageError(msg('주제나 --all을 지정하세요.', 'name a topic or --all.'));
    for (const id of ids) {
      const ctx = await openLab({ ...a, positionals: [id], values: {} });
      await ctx.platform.down();
      a.report.info(a.report.t(msg(`${id}: 정지했습니다 (데이터는 ${ctx.lab.dir}에 남아 있음).`, `${id}: stopped (data kept in ${ctx.lab.dir}).`)));
    }
    return Exit.ok;
  },
});
