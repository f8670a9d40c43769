/** `lab run <topic>`: build the lab and drive every step to the solved state (or write a kind plan with --dry-run). */
import { defineCommand } from '../define.ts';
import { msg } from '../../engine/i18n.ts';
import { json, noWait, platform, topicRequired } from '../args.ts';
import { runCmd } from './steps.ts';

export default defineCommand({
  meta: { name: 'run', usage: 'lab run <topic> [--platform local|kind] [--dry-run [--out DIR]]' },
  args: {
    topic: topicRequired,
    platform,
    json,
    'dry-run': { type: 'boolean', description: msg('kind에 올릴 순서와 파일만 만들고 실행하지 않음', 'write the kind plan and files, run nothing') },
    out: { type: 'string', short: 'o', value: 'DIR', description: msg('--dry-run이 쓸 폴더', 'folder for --dry-run') },
    'no-wait': noWait,
  },
  // A dry run writes a plan outside the lab and changes no lab.
  changes: (args) => !args['dry-run'],
  run: (c) => runCmd(c),
});
