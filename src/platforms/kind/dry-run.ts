/**
 * `lab run <topic> --platform kind --dry-run [--out DIR]`: everything the kind path would apply, written to DIR
 * (kind config, manifests, chart values, the lab CA and certificate) with the ordered commands as plan.sh.
 * No cluster is touched: nothing here calls docker, kind, kubectl or helm (only openssl, for the certificate).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter } from '../../engine/reporter.ts';
import type { Topic } from '../../engine/types.ts';
import { loadTopic } from '../../engine/catalogue.ts';
import { Exit, usageError } from '../../engine/errors.ts';
import { msg, type Lang } from '../../engine/i18n.ts';
import { DEFAULT_CONTEXT, NAMESPACE } from './names.ts';
import { checkKindEnv, labCertificates } from './kind.ts';
import { kindPlan, planScript, writePlanFiles, type PlannedService } from './plan.ts';
import { kubeAdapter, neededServices } from '../../services/index.ts';

export interface DryRunResult {
  dir: string;
  files: string[];
  /** The topic's steps run on the local platform only; on kind it is generated and planned. */
  planOnly: boolean;
}

const password = (): string => crypto.randomBytes(15).toString('base64url');

/** The in-cluster services with fresh passwords, each also in a 0600 file under DIR/secrets/ for the learner. */
function plannedServices(topic: Topic, dir: string, env: Record<string, string | undefined>): { services: PlannedService[]; files: string[] } {
  const services: PlannedService[] = [];
  const files: string[] = [];
  // `ldap/bind.password` in a lab folder is `secrets/ldap-bind.password` here.
  const keep = (file: string) => {
    const name = file.replace(/\//g, '-');
    const value = password();
    fs.mkdirSync(path.join(dir, 'secrets'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'secrets', name), value, { mode: 0o600 });
    files.push(`secrets/${name}`);
    return value;
  };
  for (const n of neededServices(topic.needs)) {
    // A plan for a learner's cluster: the vso topic's VSO from its chart, unless ESO is asked for (KindPlatform.secretsOperator).
    const k = n === 'eso' && env.LAB_VSO_OPERATOR?.trim() !== 'eso' ? undefined : kubeAdapter(n);
    const crds = k?.crds?.();
    if (k) services.push({ name: k.name, ...(crds ? { crds } : {}), objects: k.manifests(k.secrets(keep), { namespace: NAMESPACE, image: env[k.image.env] || k.image.pinned }) });
  }
  return { services, files };
}

export async function kindDryRun(topic: Topic, o: { out: string; env: Record<string, string | undefined>; lang: Lang }): Promise<DryRunResult> {
  checkKindEnv(o.env);
  const dir = path.resolve(o.out);
  const spec = topic.needs.vault;
  const tls = spec.tls ? await labCertificates(path.join(dir, 'tls'), spec) : undefined;
  const context = o.env.LAB_KUBE_CONTEXT || DEFAULT_CONTEXT;
  const secrets = plannedServices(topic, dir, o.env);
  const plan = kindPlan(topic.needs, {
    context,
    ownCluster: !o.env.LAB_KUBE_CONTEXT,
    dir,
    image: o.env.LAB_VAULT_IMAGE,
    services: secrets.services,
    ...(tls ? { tls } : {}),
  });
  writePlanFiles(dir, plan.files);
  const header = msg(`vault-lab: '${topic.id}'를 kind (${context})에 올리는 순서. lab run --dry-run이 만들었습니다.`, `vault-lab: '${topic.id}' on kind (${context}), in order. Written by lab run --dry-run.`)[o.lang];
  fs.writeFileSync(path.join(dir, 'plan.sh'), planScript(plan, o.lang, header), { mode: 0o755 });
  return { dir, files: [...plan.files.map((f) => f.name), ...(tls ? ['tls/'] : []), ...secrets.files, 'plan.sh'], planOnly: !topic.platforms.includes('kind') };
}

/** `lab run <topic> --platform kind --dry-run` (the CLI hands in what it parsed; a platform imports nothing of the CLI). */
export const dryRunCmd = async (a: { positionals: string[]; values: Record<string, unknown>; lang: Lang; report: Reporter; json: boolean }): Promise<number> => {
  const topic = await loadTopic(a.positionals[0] ?? '');
  const platform = typeof a.values.platform === 'string' ? a.values.platform : topic.platforms.includes('local') ? 'local' : 'kind';
  if (platform !== 'kind') throw usageError(msg('--dry-run은 --platform kind 에서만 씁니다.', '--dry-run is for --platform kind.'), msg(`npx lab run ${topic.id} --platform kind --dry-run`, `npx lab run ${topic.id} --platform kind --dry-run`));
  const out = typeof a.values.out === 'string' ? a.values.out : `vault-lab-kind-${topic.id}`;
  const r = await kindDryRun(topic, { out, env: process.env, lang: a.lang });
  if (a.json) {
    a.report.out(JSON.stringify(r, null, 2));
    return Exit.ok;
  }
  const t = (ko: string, en: string) => a.report.t(msg(ko, en));
  a.report.out(t(`클러스터에는 아무것도 하지 않았습니다. ${r.dir}에 썼습니다:`, `Nothing was applied to any cluster. Written to ${r.dir}:`));
  for (const f of r.files) a.report.out(`  ${f}`);
  if (r.planOnly) a.report.out(t(`'${topic.id}'의 단계(lab run/check)는 아직 local 플랫폼에서만 실행됩니다: kind에서는 이 계획까지입니다.`, `the steps of '${topic.id}' (lab run/check) run on the local platform only for now: on kind it goes as far as this plan.`));
  a.report.out(t(`직접 적용하려면: bash ${path.join(r.dir, 'plan.sh')}  (그다음 init/unseal은 수업의 단계대로)`, `To apply it yourself: bash ${path.join(r.dir, 'plan.sh')}  (then init/unseal as the lesson's steps show)`));
  return Exit.ok;
};
