/** `lab reset <topic> [step]`: the whole lab back to the start, or one step undone. */
import { defineCommand } from '../define.ts';
import { noWait, platform, stepArg, stepHelp, topicRequired } from '../args.ts';
import { resetCmd } from './steps.ts';

export default defineCommand({
  meta: { name: 'reset', usage: 'lab reset <topic> [step]' },
  args: { topic: topicRequired, step: stepArg, platform, 'no-wait': noWait },
  changes: true,
  help: stepHelp,
  run: (c) => resetCmd(c),
});
