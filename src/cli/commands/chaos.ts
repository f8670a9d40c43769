/** `lab chaos ha-failover`: the same drill the test suite runs, with progress and a bilingual verdict. */
import fs from 'node:fs';
import { defineCommand } from '../define.ts';
import { json, noWait } from '../args.ts';
import { openLab } from '../lab.ts';
import { Exit, usageError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';
import { gatherDrill } from '../../chaos/drill.ts';
import { judgeDrill } from '../../chaos/judge.ts';

export default defineCommand({
  meta: { name: 'chaos', usage: 'lab chaos ha-failover [--mode crash|graceful] [--kills N] [--json]' },
  args: {
    topic: { type: 'positional', description: msg('ha-failover', 'ha-failover') },
    json,
    kills: { type: 'string', value: 'N', description: msg('활성 노드를 멈추는 횟수 (1~100)', 'how many times the active node is stopped (1-100)') },
    mode: { type: 'string', value: 'crash|graceful', default: 'crash', description: msg('crash: SIGKILL, graceful: SIGTERM', 'crash: SIGKILL, graceful: SIGTERM') },
    'no-wait': noWait,
  },
  changes: true,
  run: async (a) => {
    const topic = a.args.topic;
    if (topic !== 'ha-failover') {
      throw usageError(
        msg(`장애 훈련은 ha-failover 주제에서만 합니다${topic ? ` ('${topic}' 아님)` : ''}.`, `the chaos drill runs on the ha-failover topic only${topic ? ` (not '${topic}')` : ''}.`),
        msg('사용법: lab chaos ha-failover [--mode crash|graceful] [--kills N] [--json]', 'usage: lab chaos ha-failover [--mode crash|graceful] [--kills N] [--json]'),
      );
    }
    const raw = a.args.kills;
    const kills = raw === undefined ? 10 : Number(raw);
    if (!Number.isInteger(kills) || kills < 1 || kills > 100) {
      throw usageError(msg(`--kills는 1~100 사이의 정수입니다 ('${String(raw)}').`, `--kills takes a whole number from 1 to 100 ('${String(raw)}').`));
    }
    const mode = a.args.mode;
    if (mode !== 'crash' && mode !== 'graceful') {
      throw usageError(
        msg(`--mode는 crash (SIGKILL, 장애) 또는 graceful (SIGTERM, kubectl delete pod와 같음)입니다 ('${String(mode)}').`, `--mode takes crash (SIGKILL, a crash) or graceful (SIGTERM, as kubectl delete pod) ('${String(mode)}').`),
      );
    }
    const ctx = await openLab(a, { mustExist: true });
    const r = ctx.report;
    r.info(
      r.style(
        r.t(
          mode === 'graceful'
            ? msg(`▶ 장애 훈련: 쓰기를 계속하면서 활성 노드를 ${kills}번 정상 종료(SIGTERM)하고, 이어서 과반수(quorum)을 잃게 합니다`, `▶ chaos drill: ${kills} graceful stops (SIGTERM) of the active node under continuous writes, then a quorum loss`)
            : msg(`▶ 장애 훈련: 쓰기를 계속하면서 활성 노드를 ${kills}번 강제 종료(SIGKILL)하고, 이어서 과반수(quorum)을 잃게 합니다`, `▶ chaos drill: ${kills} hard kills (SIGKILL) of the active node under continuous writes, then a quorum loss`),
        ),
        'bold',
      ),
    );
    const record = await gatherDrill(ctx, { kills, mode, quorum: true, progress: (m) => r.info(r.t(m)) });
    const v = judgeDrill(record);
    // The full record stays with the lab, for the learner to inspect (values are drill ids, no secrets).
    fs.mkdirSync(ctx.lab.path('chaos'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(ctx.lab.path('chaos', 'last.json'), JSON.stringify({ record, verdict: v }, null, 2) + '\n');
    if (a.json) {
      r.out(JSON.stringify({ topic: ctx.topic.id, mode, ...v, summary: r.t(v.summary), ...(v.quorum?.message ? { quorum: { ...v.quorum, message: r.t(v.quorum.message) } } : {}), record: ctx.lab.path('chaos', 'last.json') }, null, 2));
      return v.ok ? Exit.ok : Exit.checksFailed;
    }
    r.out(r.style(r.t(msg('장애 훈련 결과', 'chaos drill verdict')), 'bold'));
    r.out(`  ${r.t(v.summary)}`);
    if (v.unknown) {
      r.out(`  ${r.t(msg('불명(unknown): 응답을 받지 못한 쓰기입니다. 클라이언트는 성공을 약속받지 않았으므로 유실로 세지 않습니다 — 재시도는 check-and-set으로 안전하게 하세요.', 'unknown: writes that got no answer. The client was promised nothing, so they do not count as lost — retry them safely with check-and-set.'))}`);
    }
    if (v.quorum) r.out(`  ${v.quorum.ok ? r.style('✓', 'green') : r.style('✗', 'red')} ${r.t(msg(`과반수 상실 중 쓰기 ${v.quorum.attempts}건 시도, ${v.quorum.acked}건 확인`, `without quorum: ${v.quorum.attempts} writes tried, ${v.quorum.acked} acknowledged`))}${v.quorum.message ? ` — ${r.t(v.quorum.message)}` : ''}`);
    for (const l of v.lostWrites.slice(0, 10)) r.out(`  ${r.style('✗', 'red')} ${r.t(msg('유실', 'lost'))}: ${l.key} v${l.version} (${r.t(msg('기대', 'expected'))} ${l.expected}, ${r.t(msg('실제', 'found'))} ${l.found ?? '—'})`);
    r.out(
      v.ok
        ? r.style(r.t(msg(`✓ 통과: 확인된 쓰기 ${v.acknowledged}건이 모두 그 버전 그대로 남아 있습니다 (유실 0).`, `✓ passed: all ${v.acknowledged} acknowledged writes are there at their versions (0 lost).`)), 'green')
        : r.style(r.t(msg(`✗ 실패: 유실 ${v.lost}, 검증 불가 ${v.unverified}, 중복 버전 ${v.duplicateVersions}, 클러스터 ${v.cluster.ok ? '정상' : '비정상'}.`, `✗ failed: ${v.lost} lost, ${v.unverified} unverified, ${v.duplicateVersions} duplicate versions, cluster ${v.cluster.ok ? 'ok' : 'not converged'}.`)), 'red'),
    );
    r.info(r.t(msg(`전체 기록: ${ctx.lab.path('chaos', 'last.json')}`, `full record: ${ctx.lab.path('chaos', 'last.json')}`)));
    return v.ok ? Exit.ok : Exit.checksFailed;
  },
});
