import { defineCommand } from '../define.ts';
import { json, platform } from '../args.ts';
import { loadAll } from '../../engine/catalogue.ts';
import { LabDir } from '../../engine/state.ts';
import { Exit, usageError } from '../../engine/errors.ts';
import { msg } from '../../engine/i18n.ts';

export type TopicState = 'not-started' | 'running' | 'solved';

export default defineCommand({
  meta: { name: 'list', usage: 'lab list [--platform local|kind] [--json]' },
  args: { json, platform },
  run: async (a) => {
    const only = a.args.platform;
    if (only !== undefined && only !== 'local' && only !== 'kind') throw usageError(msg(`알 수 없는 플랫폼: '${only}' (local 또는 kind)`, `unknown platform '${only}' (local or kind)`));
    const topics = (await loadAll()).filter((t) => only === undefined || t.platforms.includes(only));
    const rows = topics.map((t) => {
      const lab = new LabDir(t.id);
      let state: TopicState = 'not-started';
      if (lab.exists()) {
        const p = lab.progress();
        state = p.lastCheck && p.lastCheck.failed === 0 ? 'solved' : 'running';
      }
      return { id: t.id, title: t.title, platforms: t.platforms, state };
    });
    if (a.json) {
      a.report.out(JSON.stringify(rows, null, 2));
      return Exit.ok;
    }
    const label: Record<TopicState, { ko: string; en: string }> = {
      'not-started': msg('시작 전', 'not started'),
      running: msg('진행 중', 'running'),
      solved: msg('완료', 'solved'),
    };
    for (const r of rows) {
      a.report.out(`${r.id.padEnd(12)} ${a.report.t(label[r.state]).padEnd(11)} ${r.platforms.join(',').padEnd(11)} ${a.report.t(r.title)}`);
    }
    return Exit.ok;
  },
});
