import type { CommandFn } from '../types.ts';
import { openLab } from '../lab.ts';
import { Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';

/** Values are either literal (quoted) or a $(cat file) / $PATH expression that the learner's shell expands. */
const shellValue = (v: string): string => (v.startsWith('$(') || v.includes('$PATH') ? `"${v}"` : `'${v.replace(/'/g, `'\\''`)}'`);

export const env: CommandFn = async (a) => {
  const ctx = await openLab(a, { mustExist: true });
  for (const [k, v] of Object.entries(ctx.platform.shellEnv())) ctx.report.out(`export ${k}=${shellValue(v)}`);
  ctx.report.out(`# ${ctx.report.t(msg(`eval "$(npx lab env ${ctx.topic.id})" 로 적용하세요`, `apply with: eval "$(npx lab env ${ctx.topic.id})"`))}`);
  return Exit.ok;
};

export const info: CommandFn = async (a) => {
  const ctx = await openLab(a, { mustExist: true });
  const data: Record<string, string> = ctx.platform.info();
  const accounts: { name: string; password: string; note: string }[] = [];
  for (const acc of ctx.topic.accounts ?? []) {
    const secret = ctx.lab.readSecret(acc.secret)?.trim();
    accounts.push({ name: acc.name, password: a.values['show-secrets'] ? (secret ?? '(not created yet)') : '********', note: ctx.report.t(acc.note) });
  }
  if (a.json) {
    // Printed on purpose with --show-secrets: bypass redaction only for the requested passwords.
    a.io.stdout.write(JSON.stringify({ topic: ctx.topic.id, platform: ctx.platform.name, ...data, accounts }, null, 2) + '\n');
    return Exit.ok;
  }
  const w = Math.max(...Object.keys(data).map((k) => k.length));
  for (const [k, v] of Object.entries(data)) ctx.report.out(`${k.padEnd(w)}  ${v}`);
  if (accounts.length) {
    ctx.report.out('');
    ctx.report.out(ctx.report.t(msg('데모 계정:', 'demo accounts:')));
    for (const acc of accounts) a.io.stdout.write(`  ${acc.name.padEnd(8)} ${acc.password}  ${acc.note}\n`);
    if (!a.values['show-secrets']) ctx.report.out(ctx.report.t(msg('  (비밀번호는 --show-secrets 로 봅니다)', '  (passwords with --show-secrets)')));
  }
  return Exit.ok;
};
