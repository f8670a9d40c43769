import { defineCommand } from '../define.ts';
import { json, topicOptional } from '../args.ts';
import { Exit } from '../../engine/errors.ts';
import { msg, type Msg } from '../../engine/i18n.ts';
import { which, vaultCandidates } from '../../vault/binary.ts';
import { loadAll, loadTopic } from '../../engine/catalogue.ts';
import { judgePortRange, labPortRange, readPortSysctls } from '../../platforms/ports.ts';
import { buildEstimate, findKubeBin, KUBECTL_MIN_MINOR, kubectlMinor, learnerKubectl, missingKubeBins, VERSIONS } from '../../services/kube/bin.ts';
import { SERVICES, serviceNames } from '../../services/index.ts';

interface Req {
  name: string;
  found: () => string | undefined;
  hint: Msg;
  /** Topics that need it; 'all' for every topic; 'kind' for the kind platform. */
  for: string[];
}

/** Each service's programs (its local adapter's `tools`), for the topics that need that service. */
async function serviceRequirements(): Promise<Req[]> {
  const topics = await loadAll();
  const out: Req[] = [];
  for (const n of serviceNames()) {
    const needing = topics.filter((t) => t.needs[n]).map((t) => t.id).sort();
    for (const tool of (await SERVICES[n].local()).tools ?? []) out.push({ ...tool, for: needing });
  }
  return out;
}

/** Vault and the tools the lessons use, then each service's programs (serviceRequirements), then optional ones. */
export const requirements: Req[] = [
  { name: 'vault | bao', found: () => vaultCandidates()[0], hint: msg("bash scripts/setup.sh (OpenBao 2.6을 .tools/ 에) 또는 HashiCorp Vault 설치", "bash scripts/setup.sh (OpenBao 2.6 into .tools/) or install HashiCorp Vault"), for: ['all'] },
  { name: 'openssl', found: () => which('openssl'), hint: msg('apt-get install openssl / brew install openssl', 'apt-get install openssl / brew install openssl'), for: ['ha-failover', 'tls', 'production'] },
  { name: 'curl', found: () => which('curl'), hint: msg('apt-get install curl', 'apt-get install curl'), for: ['vault-k8s', 'tls'] },
  { name: 'jq', found: () => which('jq'), hint: msg('apt-get install jq / brew install jq (수업의 명령을 직접 칠 때 필요)', 'apt-get install jq / brew install jq (to type the lesson commands yourself)'), for: [] },
  { name: 'go', found: () => which('go'), hint: msg('https://go.dev/dl (Go 1.24 이상: 로컬 Kubernetes 바이너리를 빌드할 때만)', 'https://go.dev/dl (Go >= 1.24: only to build the local Kubernetes binaries)'), for: [] },
  { name: 'chromium', found: () => which('chromium') ?? which('chromium-browser') ?? which('google-chrome'), hint: msg('apt-get install chromium (사이트 브라우저 테스트용)', 'apt-get install chromium (for the site browser tests)'), for: [] },
  { name: 'kind', found: () => which('kind'), hint: msg('https://kind.sigs.k8s.io에서 설치 (kind 플랫폼)', 'install from https://kind.sigs.k8s.io (kind platform)'), for: ['kind'] },
  { name: 'kubectl', found: () => which('kubectl'), hint: msg('kubectl 설치 (kind 플랫폼)', 'install kubectl (kind platform)'), for: ['kind'] },
  { name: 'helm', found: () => which('helm'), hint: msg('helm 설치 (kind 플랫폼)', 'install helm (kind platform)'), for: ['kind'] },
];

/** The rows before the services' (vault, openssl, curl, jq): the order `lab doctor` has always printed. */
const BEFORE_SERVICES = 4;

export default defineCommand({
  meta: { name: 'doctor', usage: 'lab doctor [<topic>] [--platform kind] [--json]' },
  args: { topic: topicOptional, json, platform: { type: 'string', short: 'p', value: 'kind', description: msg('kind: kind 플랫폼에 필요한 것을 점검', 'kind: check what the kind platform needs') } },
  run: async (a) => {
    if (a.args.platform === 'kind') return (await import('../../platforms/kind/doctor.ts')).kindDoctorCmd(a);
    const topic = a.args.topic ? await loadTopic(a.args.topic) : undefined;
    const needed = (r: Req) => (topic ? r.for.includes('all') || r.for.includes(topic.id) : r.for.length > 0 && !r.for.includes('kind'));
    const all = [...requirements.slice(0, BEFORE_SERVICES), ...(await serviceRequirements()), ...requirements.slice(BEFORE_SERVICES)];
    const rows = all.map((r) => ({ name: r.name, path: r.found(), required: needed(r), hint: a.report.t(r.hint), for: r.for }));
    const nodeOk = Number(process.versions.node.split('.')[0]) >= 22;
    // A warning, not a missing prerequisite: the lab runs, but a restarted server may find its port taken.
    const ports = judgePortRange(labPortRange(), readPortSysctls());
    if (a.json) {
      a.report.out(JSON.stringify({ node: process.version, nodeOk, tools: rows, ...(ports ? { ports: { ok: ports.ok, exposed: ports.exposed, text: a.report.t(ports.text) } } : {}) }, null, 2));
    } else {
      a.report.out(`${nodeOk ? a.report.style('✓', 'green') : a.report.style('✗', 'red')} node ${process.version}`);
      if (ports) a.report.out(`${ports.ok ? a.report.style('✓', 'green') : a.report.style('!', 'yellow')} ${a.report.t(ports.text)}${ports.hint ? `  → ${a.report.t(ports.hint)}` : ''}`);
      const toBuild = missingKubeBins(true);
      if (toBuild.length) a.report.out(a.report.style(a.report.t(msg(`  'bash scripts/setup.sh --k8s'가 빌드할 것: ${toBuild.join(', ')} (${buildEstimate(toBuild)}, Go ${which('go') ? '있음' : '필요'})`, `  'bash scripts/setup.sh --k8s' would build: ${toBuild.join(', ')} (${buildEstimate(toBuild)}, Go ${which('go') ? 'present' : 'needed'})`)), 'dim'));
      for (const r of rows) {
        const mark = r.path ? a.report.style('✓', 'green') : r.required ? a.report.style('✗', 'red') : a.report.style('-', 'yellow');
        a.report.out(`${mark} ${r.name.padEnd(12)} ${r.path ?? a.report.t(msg('없음', 'missing'))}${r.path ? '' : `  → ${r.hint}`}${r.for.length ? a.report.style(`  [${r.for.join(', ')}]`, 'dim') : ''}`);
      }
      if (!topic || topic.needs.kube) {
        const skew = await kubectlSkew();
        if (skew) a.report.out(`${a.report.style('!', 'yellow')} ${a.report.t(skew)}`);
      }
    }
    return nodeOk && rows.every((r) => r.path || !r.required) ? Exit.ok : Exit.environment;
  },
});

/** The learner's own kubectl against the lab's apiserver: more than one minor apart, or older than the lessons need. */
async function kubectlSkew(): Promise<Msg | undefined> {
  const mine = learnerKubectl();
  if (!mine) return undefined;
  const minor = await kubectlMinor(mine);
  const lab = Number(VERSIONS.kubernetes.split('.')[1]);
  if (minor === undefined || (Math.abs(lab - minor) <= 1 && minor >= KUBECTL_MIN_MINOR)) return undefined;
  const labKubectl = findKubeBin('kubectl');
  const fix = labKubectl?.source === 'path'
    ? msg(`'bash scripts/setup.sh --k8s'로 랩의 kubectl(v${VERSIONS.kubernetes})을 받으면 'lab env'가 그것을 PATH 앞에 둡니다.`, `'bash scripts/setup.sh --k8s' builds the lab's kubectl (v${VERSIONS.kubernetes}); 'lab env' then puts it first on PATH.`)
    : msg(`'eval "$(npx lab env <topic>)"' 뒤에는 랩의 kubectl(${labKubectl?.path ?? ''})이 먼저 쓰입니다.`, `after 'eval "$(npx lab env <topic>)"' the lab's kubectl (${labKubectl?.path ?? ''}) comes first.`);
  return msg(
    `내 kubectl(${mine})은 1.${minor}, 랩의 API 서버는 ${VERSIONS.kubernetes}입니다: 한 마이너 넘게 차이 나면 지원되지 않고${minor < KUBECTL_MIN_MINOR ? `, 수업의 'kubectl wait --for=create'는 1.${KUBECTL_MIN_MINOR} 이상이 필요합니다` : ''}. ${fix.ko}`,
    `your kubectl (${mine}) is 1.${minor}, the lab's API server ${VERSIONS.kubernetes}: more than one minor apart is unsupported${minor < KUBECTL_MIN_MINOR ? `, and the lesson's 'kubectl wait --for=create' needs 1.${KUBECTL_MIN_MINOR} or later` : ''}. ${fix.en}`,
  );
}
