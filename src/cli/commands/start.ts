/** `lab start <topic>`: build the environment only and show the first task. */
import { defineCommand } from '../define.ts';
import { noWait, platform, topicRequired } from '../args.ts';
import { startCmd } from './steps.ts';

export default defineCommand({
  meta: { name: 'start', usage: 'lab start <topic> [--platform local|kind]' },
  args: { topic: topicRequired, platform, 'no-wait': noWait },
  changes: true,
  run: (c) => startCmd(c),
});
