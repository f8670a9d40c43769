/** `lab solve <topic> [step]`: run one step's commands (or every step). */
import { defineCommand } from '../define.ts';
import { noWait, platform, stepArg, stepHelp, topicRequired } from '../args.ts';
import { solveCmd } from './steps.ts';

export default defineCommand({
  meta: { name: 'solve', usage: 'lab solve <topic> [step]' },
  args: { topic: topicRequired, step: stepArg, platform, 'no-wait': noWait },
  changes: true,
  help: stepHelp,
  run: (c) => solveCmd(c),
});
