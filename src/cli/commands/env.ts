import { defineCommand } from '../define.ts';
import { topicRequired } from '../args.ts';
import { openLab } from '../lab.ts';
import { Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { staleNames } from '../shell.ts';

/** Values are either literal (quoted) or a $(cat file) / $PATH expression that the learner's shell expands. */
const shellValue = (v: string): string => (v.startsWith('$(') || v.includes('$PATH') ? `"${v}"` : `'${v.replace(/'/g, `'\\''`)}'`);

/** `lab env <topic>`: the shell exports that point a learner's shell at the lab. Reads only. */
export default defineCommand({
  meta: { name: 'env', usage: 'lab env <topic>' },
  args: { topic: topicRequired },
  run: async (a) => {
    const ctx = await openLab(a, { mustExist: true });
    const wanted = ctx.platform.shellEnv();
    // What the previous lab exported and this one does not (VAULT_ADDR_1, VAULT_CACERT…) must not linger.
    const stale = staleNames(a.io.env ?? process.env, wanted);
    if (stale.length) ctx.report.out(`unset ${stale.join(' ')}`);
    for (const [k, v] of Object.entries(wanted)) ctx.report.out(`export ${k}=${shellValue(v)}`);
    ctx.report.out(`export LAB_ENV_VARS='${Object.keys(wanted).filter((k) => k !== 'PATH').join(' ')}'`);
    ctx.report.out(`# ${ctx.report.t(msg(`eval "$(npx lab env ${ctx.topic.id})"로 적용하세요`, `apply with: eval "$(npx lab env ${ctx.topic.id})"`))}`);
    return Exit.ok;
  },
});
