/**
 * `lab run <topic> --platform kind --dry-run [--out DIR]`: everything the kind path would apply, written to DIR
 * (kind config, manifests, chart values, the lab CA and certificate) with the ordered commands as plan.sh.
 * No cluster is touched: nothing here calls docker, kind, kubectl or helm (only openssl, for the certificate).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandFn } from '../../cli/main.ts';
import type { Topic } from '../../engine/types.ts';
import { loadTopic } from '../../engine/catalogue.ts';
import { Exit, usageError } from '../../engine/errors.ts';
import { msg, type Lang } from '../../engine/i18n.ts';
import { DEFAULT_CONTEXT } from './names.ts';
import { labCertificates } from './kind.ts';
import { kindPlan, planScript, writePlanFiles } from './plan.ts';

export interface DryRunResult {
  dir: string;
  files: string[];
}

export async function kindDryRun(topic: Topic, o: { out: string; env: Record<string, string | undefined>; lang: Lang }): Promise<DryRunResult> {
  if (!topic.platforms.includes('kind')) {
    throw usageError(msg(`'${topic.id}' 주제는 kind 플랫폼을 지원하지 않습니다.`, `topic '${topic.id}' does not run on kind.`));
  }
  const dir = path.resolve(o.out);
  const spec = topic.needs.vault;
  const tls = spec.tls ? await labCertificates(path.join(dir, 'tls'), spec) : undefined;
  const context = o.env.LAB_KUBE_CONTEXT || DEFAULT_CONTEXT;
  const plan = kindPlan(spec, { context, ownCluster: !o.env.LAB_KUBE_CONTEXT, dir, image: o.env.LAB_VAULT_IMAGE, ...(tls ? { tls } : {}) });
  writePlanFiles(dir, plan.files);
  const header = msg(`vault-lab: '${topic.id}' 를 kind (${context}) 에 올리는 순서. lab run --dry-run 이 만들었습니다.`, `vault-lab: '${topic.id}' on kind (${context}), in order. Written by lab run --dry-run.`)[o.lang];
  fs.writeFileSync(path.join(dir, 'plan.sh'), planScript(plan, o.lang, header), { mode: 0o755 });
  return { dir, files: [...plan.files.map((f) => f.name), ...(tls ? ['tls/'] : []), 'plan.sh'] };
}

export const dryRunCmd: CommandFn = async (a) => {
  const topic = await loadTopic(a.positionals[0] ?? '');
  const platform = typeof a.values.platform === 'string' ? a.values.platform : topic.platforms.includes('local') ? 'local' : 'kind';
  if (platform !== 'kind') throw usageError(msg('--dry-run 은 --platform kind 에서만 씁니다.', '--dry-run is for --platform kind.'), msg(`npx lab run ${topic.id} --platform kind --dry-run`, `npx lab run ${topic.id} --platform kind --dry-run`));
  const out = typeof a.values.out === 'string' ? a.values.out : `vault-lab-kind-${topic.id}`;
  const r = await kindDryRun(topic, { out, env: process.env, lang: a.lang });
  const t = (ko: string, en: string) => a.report.t(msg(ko, en));
  a.report.out(t(`클러스터에는 아무것도 하지 않았습니다. ${r.dir} 에 썼습니다:`, `Nothing was applied to any cluster. Written to ${r.dir}:`));
  for (const f of r.files) a.report.out(`  ${f}`);
  a.report.out(t(`직접 적용하려면: bash ${path.join(r.dir, 'plan.sh')}  (그다음 init/unseal 은 수업의 단계대로)`, `To apply it yourself: bash ${path.join(r.dir, 'plan.sh')}  (then init/unseal as the lesson's steps show)`));
  return Exit.ok;
};
