/** `lab hint <topic> [step]`: what to do next, with the commands. Reads only. */
import { defineCommand } from '../define.ts';
import { stepArg, stepHelp, topicRequired } from '../args.ts';
import { hintCmd } from './steps.ts';

export default defineCommand({
  meta: { name: 'hint', usage: 'lab hint <topic> [step]' },
  args: { topic: topicRequired, step: stepArg },
  help: stepHelp,
  run: (c) => hintCmd(c),
});
