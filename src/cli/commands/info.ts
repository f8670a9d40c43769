/** `lab info <topic>`: addresses, files and demo accounts (passwords only with --show-secrets). Reads only. */
import { defineCommand } from '../define.ts';
import { json, topicRequired } from '../args.ts';
import { openLab } from '../lab.ts';
import { Exit } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { displayWidth } from '../../engine/reporter.ts';
import { SERVICES } from '../../services/index.ts';

/**
 * `lab info` labels as the learner reads them; the keys stay English in --json (a stable format for scripts). Each
 * service brings its own (src/services/<name>/index.ts).
 */
const LABELS: Record<string, string> = {
  ...Object.fromEntries(Object.values(SERVICES).flatMap((s) => Object.entries(s.labels))),
  'lab folder': '랩 폴더',
  'CA certificate': 'CA 인증서',
  logs: '로그',
  binary: '실행 파일',
  'unseal keys + root token (0600)': 'unseal 키 + root 토큰 (0600)',
  'kube context': 'kube 컨텍스트',
  'helm values': 'helm values 파일',
  'remove the cluster': '클러스터 지우기',
};

export default defineCommand({
  meta: { name: 'info', usage: 'lab info <topic> [--json] [--show-secrets]' },
  args: { topic: topicRequired, json, 'show-secrets': { type: 'boolean', description: msg('데모 계정 비밀번호도 보여 줌', 'show the demo accounts\' passwords') } },
  run: async (a) => {
    const ctx = await openLab(a, { mustExist: true });
    const data: Record<string, string> = ctx.platform.info();
    const accounts: { name: string; password: string; note: string }[] = [];
    for (const acc of ctx.topic.accounts ?? []) {
      const secret = ctx.lab.readSecret(acc.secret)?.trim();
      accounts.push({ name: acc.name, password: a.args['show-secrets'] ? (secret ?? ctx.report.t(msg('(아직 없음)', '(not created yet)'))) : '********', note: ctx.report.t(acc.note) });
    }
    if (a.json) {
      // Printed on purpose with --show-secrets: bypass redaction only for the requested passwords.
      a.io.stdout.write(JSON.stringify({ topic: ctx.topic.id, platform: ctx.platform.name, ...data, accounts }, null, 2) + '\n');
      return Exit.ok;
    }
    const label = (k: string) => (ctx.lang === 'ko' ? (LABELS[k] ?? k) : k);
    const w = Math.max(...Object.keys(data).map((k) => displayWidth(label(k))));
    for (const [k, v] of Object.entries(data)) ctx.report.out(`${label(k)}${' '.repeat(w - displayWidth(label(k)))}  ${v}`);
    if (accounts.length) {
      ctx.report.out('');
      ctx.report.out(ctx.report.t(msg('데모 계정:', 'demo accounts:')));
      for (const acc of accounts) a.io.stdout.write(`  ${acc.name.padEnd(8)} ${acc.password}  ${acc.note}\n`);
      if (!a.args['show-secrets']) ctx.report.out(ctx.report.t(msg('  (비밀번호는 --show-secrets로 봅니다)', '  (passwords with --show-secrets)')));
    }
    return Exit.ok;
  },
});
