/**
 * The kind platform: the seed's path. Vault runs in Kubernetes from the official hashicorp/vault chart
 * (0.31.0) on the learner's kind cluster `vault-lab`, or on any cluster named by LAB_KUBE_CONTEXT.
 * The lab reaches each pod through a supervised `kubectl port-forward`, so checks use the same Vault API
 * as on the local platform. Every external tool goes through one runner (the exec seam by default).
 */
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Capability, Cmd, LdapAccess, Needs, NodeAction, Platform, ProcStatus, Topic, VaultNodeInfo, VaultSpec } from '../../engine/types.ts';
import type { LabDir, LabRecord } from '../../engine/state.ts';
import { listLabs, newLabRecord } from '../../engine/state.ts';
import type { Reporter } from '../../engine/reporter.ts';
import { envError, LabError, Exit, usageError } from '../../engine/errors.ts';
import { msg, type Msg } from '../../engine/i18n.ts';
import { redact, registerSecret } from '../../engine/redact.ts';
import { labHome } from '../../engine/paths.ts';
import { daemon, isAlive, killDaemon, run, shellQuote, sleep, type RunOptions, type RunResult } from '../../exec.ts';
import { poll } from '../../engine/poll.ts';
import { which } from '../../vault/binary.ts';
import { VaultClient } from '../../vault/client.ts';
import { portBase } from '../ports.ts';
import { ensureCa, ensureServerCert } from '../../tls/certs.ts';
import { CHART, CHART_VERSION, CLUSTER_NAME, DEFAULT_CONTEXT, HOST_ADDR, INGRESS_HOST, NAMESPACE, NODE_PORT, RELEASE, certSans, podName, usesIngress } from './config.ts';
import { TRANSIT, kindEnvProblem } from './names.ts';
import { inCluster, kubeAdapter, neededServices, type KubeAdapter, type KubeHost, type ServiceName } from '../../services/index.ts';
import { servicePort } from '../../services/ports.ts';
import { kindPlan, writePlanFiles, type PlannedService } from './plan.ts';
import { resolvedEnv, vaultShellEnv } from '../shell-env.ts';
import { inPodArg, podFiles, podVaultExec, renderKind } from './exec-plan.ts';
import { applyToolchain, archivesFor, findToolchain, hostIsCgroupV1, workerCount, type Toolchain } from './toolchain.ts';

export type Runner = (file: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

/** The platform's outside world; tests replace it with fakes (no cluster can run on the build machine). */
export interface KindDeps {
  run: Runner;
  which: (name: string) => string | undefined;
  daemon: (file: string, args: readonly string[], opts: { logFile: string }) => number;
  isAlive: (pid: number) => boolean;
  kill: (pid: number) => Promise<void>;
  /** Does the Vault API answer at this node's forwarded address? */
  reachable: (node: VaultNodeInfo) => Promise<boolean>;
  sleep: (ms: number) => Promise<void>;
  env: Record<string, string | undefined>;
  /** What this machine offers the lab's own cluster: scripts/build-kind.sh's toolchain, cgroup v1, its cores. */
  machine: () => Machine;
}

export interface Machine {
  toolchain: Toolchain;
  cgroupV1: boolean;
  cpus: number;
}
/** A platform given its own runner (a test's fake cluster) sees a plain machine unless it is handed one. */
const PLAIN_MACHINE: Machine = { toolchain: { archives: [] }, cgroupV1: false, cpus: 4 };

const realDeps = (): KindDeps => {
  // kind, kubectl, helm and the lab's own dockerd from scripts/build-kind.sh, where the machine has no others.
  applyToolchain(process.env);
  return {
  run,
  which,
  daemon,
  isAlive,
  kill: (pid) => killDaemon(pid),
  reachable: async (n) => {
    await new VaultClient({ addr: n.addr, caFile: n.caFile, timeoutMs: 2000 }).health();
    return true;
  },
  sleep,
  env: process.env,
  machine: () => ({ toolchain: findToolchain(process.env), cgroupV1: hostIsCgroupV1(), cpus: os.availableParallelism() }),
  };
};

export const TOOL_HINTS: Record<string, Msg> = {
  kind: msg('kind 설치: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (예: brew install kind, go install sigs.k8s.io/kind@latest)', 'install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (e.g. brew install kind, go install sigs.k8s.io/kind@latest)'),
  kubectl: msg('kubectl 설치: https://kubernetes.io/docs/tasks/tools/ (예: brew install kubectl)', 'install kubectl: https://kubernetes.io/docs/tasks/tools/ (e.g. brew install kubectl)'),
  helm: msg('helm 설치: https://helm.sh/docs/intro/install/ (예: brew install helm)', 'install helm: https://helm.sh/docs/intro/install/ (e.g. brew install helm)'),
};

/** Pods of the release that are Running (sealed pods are 0/1 Ready by design, so readiness is not asked). */
export function runningPods(podList: string): string[] {
  const j = JSON.parse(podList) as { items?: { metadata?: { name?: string; deletionTimestamp?: string }; status?: { phase?: string } }[] };
  return (j.items ?? []).filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '');
}

/** Nodes a Vault pod can land on: Ready, not cordoned, no NoSchedule taint (kind's control plane has one). */
export function schedulableNodes(nodeList: string): number {
  type N = { spec?: { unschedulable?: boolean; taints?: { effect?: string }[] }; status?: { conditions?: { type?: string; status?: string }[] } };
  const j = JSON.parse(nodeList) as { items?: N[] };
  const ready = (n: N) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return (j.items ?? []).filter((n) => ready(n) && !n.spec?.unschedulable && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')).length;
}

/** The study note's ingress-nginx runs on the node labelled ingress-ready=true (kind config of this lab). */
export function hasIngressReadyNode(nodeList: string): boolean {
  const j = JSON.parse(nodeList) as { items?: { metadata?: { labels?: Record<string, string> } }[] };
  return (j.items ?? []).some((n) => n.metadata?.labels?.['ingress-ready'] === 'true');
}

/** The lab CA and the one server certificate every pod shares, made with openssl; their PEM contents for the Secret. */
export async function labCertificates(dir: string, spec: VaultSpec): Promise<{ crt: string; key: string; ca: string }> {
  const ca = await ensureCa(dir);
  const sans = certSans(spec);
  // A certificate from an older lab without a name it now needs (vault.example.com for the ingress) is reissued.
  const old = path.join(dir, `${RELEASE}.crt`);
  if (fs.existsSync(old)) {
    const x = new X509Certificate(fs.readFileSync(old));
    if (sans.dns.some((d) => x.checkHost(d, { wildcards: true }) === undefined)) for (const f of [old, path.join(dir, `${RELEASE}.key`)]) fs.rmSync(f, { force: true });
  }
  const cert = await ensureServerCert(dir, RELEASE, sans, ca);
  const read = (f: string) => fs.readFileSync(f, 'utf8');
  return { crt: read(cert.cert), key: read(cert.key), ca: read(ca.ca) };
}

/** Which lab's Vault the release's volumes hold (data.topic, data.dir: the lab folder) and whose keys initialised transit (data.transitDir). */
const OWNER = 'vault-lab-owner';
/** The chart's volumeClaimTemplates (data, audit) for up to three pods. */
const LEFTOVER_PVCS = [0, 1, 2].flatMap((i) => [`data-${podName(i)}`, `audit-${podName(i)}`]);

/** An in-cluster service the learner's tools (ldapsearch, mariadb, lab mcp) reach through a port-forward. */
interface Forward {
  name: string;
  target: string;
  local: number;
  remote: number;
}
const newPassword = (): string => crypto.randomBytes(15).toString('base64url');

/** The kind platform's own variables, before anything is made with them (usage error, exit 2). */
export function checkKindEnv(env: Record<string, string | undefined>): void {
  const p = kindEnvProblem(env);
  if (p) throw usageError(msg(`${p.key}='${p.value}'는 쓸 수 없습니다: ${p.want.ko}여야 합니다.`, `${p.key}='${p.value}' cannot be used: it must be ${p.want.en}.`));
}

export class KindPlatform implements Platform {
  readonly name = 'kind' as const;
  readonly lab: LabDir;
  readonly topic: Topic;
  readonly spec: VaultSpec;
  private readonly deps: KindDeps;
  /** This run made the cluster: whatever keys the lab holds belong to a Vault that is gone. */
  private madeCluster = false;
  /** prepareTransit emptied the transit volume: the main Vault it sealed cannot be opened either. */
  private transitRemade = false;
  constructor(lab: LabDir, topic: Topic, deps: Partial<KindDeps> = {}) {
    this.lab = lab;
    this.topic = topic;
    this.spec = topic.needs.vault;
    this.deps = { ...realDeps(), ...(deps.run && !deps.machine ? { machine: () => PLAIN_MACHINE } : {}), ...deps };
    checkKindEnv(this.deps.env);
  }

  // ---- where things are ---------------------------------------------------------------------------------
  /** LAB_KUBE_CONTEXT picks an existing cluster; otherwise the context kind makes for `vault-lab`. */
  get context(): string {
    return this.deps.env.LAB_KUBE_CONTEXT || this.lab.record()?.facts.context || DEFAULT_CONTEXT;
  }
  get ownCluster(): boolean {
    // `lab env` exports LAB_KUBE_CONTEXT=<the lab's context> into the learner's shell: that names the same cluster.
    const r = this.lab.record()?.facts;
    const asked = this.deps.env.LAB_KUBE_CONTEXT;
    if (r?.ownCluster !== undefined && (!asked || asked === r.context)) return r.ownCluster === 'true';
    return !asked;
  }
  get base(): number {
    return this.lab.record()?.ports.base ?? portBase(this.lab.topic, 'kind');
  }
  get scheme(): string {
    return this.spec.tls ? 'https' : 'http';
  }
  get caFile(): string | undefined {
    return this.spec.tls ? this.lab.path('tls', 'ca.crt') : undefined;
  }
  /**
   * ingress-nginx with SSL passthrough, on the lab's own cluster only: kindClusterConfig maps the ingress-ready node's
   * 443 to the host's HOST_ADDR:443 (on a LAB_KUBE_CONTEXT cluster the lab installs no ingress and knows no address).
   */
  get ingress(): { host: string; port: number; servername: string } | undefined {
    return this.withIngress ? { host: HOST_ADDR, port: 443, servername: INGRESS_HOST } : undefined;
  }
  /**
   * ingress-nginx's controller is an image from a registry: on a node image built here (no registry) the lab installs
   * none and says so; LAB_KIND_INGRESS=1 asks for it anyway (a mirror that serves it).
   */
  get withIngress(): boolean {
    if (!usesIngress(this.spec) || !this.ownCluster) return false;
    return !this.deps.machine().toolchain.nodeImage || this.deps.env.LAB_KIND_INGRESS === '1';
  }
  absent(c: Capability): Msg | undefined {
    if (c !== 'ingress' || !usesIngress(this.spec) || this.withIngress) return undefined;
    return this.ownCluster
      ? msg(
          `ingress-nginx 컨트롤러 이미지는 레지스트리에만 있어 이 클러스터(여기서 만든 노드 이미지)에 설치하지 않았습니다. Vault는 port-forward로 접속하고, 나머지 단계와 점검은 그대로입니다. 그 이미지를 주는 미러가 있으면 LAB_KIND_INGRESS=1.`,
          `ingress-nginx's controller image is only in a registry, so it is not installed on this cluster (a node image built here). Vault is reached through port-forwards; every other step and check stays. With a mirror that serves that image: LAB_KIND_INGRESS=1.`,
        )
      : msg('LAB_KUBE_CONTEXT의 클러스터에는 랩이 ingress를 설치하지 않습니다.', 'the lab installs no ingress on a LAB_KUBE_CONTEXT cluster.');
  }
  /**
   * The secrets operator a topic that needs one (vso) teaches here. The External Secrets Operator, run by the lab in the
   * cluster, where the nodes cannot pull the Vault Secrets Operator's image: the lab's own cluster from a node image
   * built here (no registry, the rule of withIngress). Elsewhere VSO, which the learner installs from HashiCorp's chart.
   * LAB_VSO_OPERATOR=eso|vso chooses either way. The lab record keeps the choice made at start: the learner's shell
   * (`lab env` exports LAB_KUBE_CONTEXT) and every later command see the same steps.
   */
  get secretsOperator(): 'eso' | 'vso' | undefined {
    if (!this.topic.needs.eso) return undefined;
    // Any other value was refused when the platform was made (checkKindEnv).
    const o = this.deps.env.LAB_VSO_OPERATOR?.trim();
    if (o === 'eso' || o === 'vso') return o;
    const kept = this.lab.record()?.facts.secretsOperator;
    if (kept === 'eso' || kept === 'vso') return kept;
    return this.ownCluster && this.deps.machine().toolchain.nodeImage ? 'eso' : 'vso';
  }
  get eso(): { runs: 'cluster'; namespace: string; deployment: string } | undefined {
    return this.secretsOperator === 'eso' ? { runs: 'cluster', namespace: NAMESPACE, deployment: kubeAdapter('eso')!.name } : undefined;
  }
  get vsoChart(): true | undefined {
    return this.secretsOperator === 'vso' ? true : undefined;
  }
  /** Vault as a pod of the cluster dials it: the release's Service. */
  get inClusterVaultAddr(): string {
    return `${this.scheme}://${RELEASE}.${NAMESPACE}.svc.cluster.local:8200`;
  }
  /** The lab CA and the one server certificate every pod shares (tls/ca.crt, tls/vault.crt). */
  async ensureCerts(): Promise<void> {
    if (this.spec.tls) await labCertificates(this.lab.path('tls'), this.spec);
  }
  localPort(i: number): number {
    return this.base + i * 2;
  }
  vaultNodes(): VaultNodeInfo[] {
    return Array.from({ length: this.spec.nodes }, (_, i) => ({
      name: podName(i),
      addr: `${this.scheme}://127.0.0.1:${this.localPort(i)}`,
      ...(this.caFile ? { caFile: this.caFile } : {}),
      forwarded: true,
    }));
  }
  private kubectl(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.deps.run('kubectl', ['--context', this.context, ...args], opts);
  }
  private helm(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.deps.run('helm', ['--kube-context', this.context, ...args], { timeoutMs: 300_000, ...opts });
  }

  private initRecord = (): LabRecord =>
    newLabRecord(this.lab.topic, 'kind', portBase(this.lab.topic, 'kind'), { context: this.context, ownCluster: String(!this.deps.env.LAB_KUBE_CONTEXT), activeLabel: this.activeLabel() });

  // ---- lifecycle ----------------------------------------------------------------------------------------
  requireTools(): void {
    const tools = ['kubectl', 'helm', ...(this.deps.env.LAB_KUBE_CONTEXT ? [] : ['kind'])];
    const missing = tools.filter((t) => !this.deps.which(t));
    if (!missing.length) return;
    const lines = (l: 'ko' | 'en') => missing.map((t) => `  - ${TOOL_HINTS[t]![l]}`).join('\n');
    const head = msg('설치하세요:', 'Install:');
    throw new LabError(
      msg(`kind 플랫폼에 필요한 프로그램이 없습니다: ${missing.join(', ')}`, `the kind platform needs programs that are missing: ${missing.join(', ')}`),
      {
        exitCode: Exit.environment,
        hint: msg(
          `${head.ko}\n${lines('ko')}\n레지스트리에 닿지 않는 머신: bash scripts/setup.sh --kind가 모두 만듭니다.\n이미 있는 클러스터를 쓰려면 LAB_KUBE_CONTEXT=<context>를 지정하세요 (kind 불필요). 점검: npx lab doctor. kind 없이 실습하려면 --platform local.`,
          `${head.en}\n${lines('en')}\nWithout registry access: bash scripts/setup.sh --kind builds them all.\nTo use an existing cluster set LAB_KUBE_CONTEXT=<context> (no kind needed). Check with: npx lab doctor. Without Kubernetes use --platform local.`,
        ),
      },
    );
  }

  /** One Vault release per cluster: another kind lab on the same context would be overwritten. */
  private assertSoleOwner(): void {
    for (const t of listLabs(labHome())) {
      if (t === this.lab.topic) continue;
      let rec: LabRecord | undefined;
      try {
        rec = JSON.parse(fs.readFileSync(path.join(labHome(), t, 'lab.json'), 'utf8')) as LabRecord;
      } catch {
        continue;
      }
      if (rec.platform === 'kind' && rec.facts.context === this.context && rec.facts.released === 'true') {
        throw envError(
          msg(`'${t}' 랩이 이미 ${this.context}의 ${NAMESPACE} 네임스페이스에서 Vault를 쓰고 있습니다.`, `the '${t}' lab already runs Vault in namespace ${NAMESPACE} of ${this.context}.`),
          msg(`먼저 'npx lab down ${t}' 하세요 (한 클러스터에 Vault 릴리스는 하나).`, `Run 'npx lab down ${t}' first (one Vault release per cluster).`),
        );
      }
    }
  }

  async up(_needs: Needs, report: Reporter): Promise<void> {
    this.requireTools();
    this.lab.ensure();
    this.assertSoleOwner();
    // A new lab (first run, or after `lab reset`) meets nothing of an earlier one's steps: not this checkout's, nor what
    // an older version of the lab left behind (issue 19, defect 8).
    const fresh = !this.lab.record();
    if (fresh) this.lab.saveRecord(this.initRecord());
    const operator = this.secretsOperator;
    if (operator && this.lab.record()?.facts.secretsOperator !== operator) {
      this.lab.updateRecord((r) => {
        r.facts.secretsOperator = operator;
      }, this.initRecord);
    }
    if (this.deps.env.LAB_KUBE_CONTEXT) await this.assertContext();
    const dir = this.lab.path('kind');
    const tls = this.spec.tls ? await labCertificates(this.lab.path('tls'), this.spec) : undefined;
    const m = this.deps.machine();
    const tc = m.toolchain;
    // The services' images built here reach only the lab's own cluster (kind load); another cluster pulls the pinned ones.
    const built = this.ownCluster ? (tc.images ?? {}) : {};
    const extra = { services: this.plannedServices(built), chart: this.chartSource() };
    const cluster = { workers: workerCount(this.deps.env, m.cpus), nodeImage: tc.nodeImage, cgroupV1: m.cgroupV1, disableDefaultCNI: Boolean(tc.nodeImage) };
    if (usesIngress(this.spec) && this.ownCluster && !this.withIngress) {
      report.info(report.t(msg('ingress-nginx는 설치하지 않습니다: 그 컨트롤러 이미지는 레지스트리에서만 받을 수 있습니다 (여기서 만든 노드 이미지). Vault는 port-forward로 접속합니다.', 'ingress-nginx is not installed: its controller image comes only from a registry (this node image was built here). Vault is reached through port-forwards.')));
    }
    const plan = kindPlan(this.topic.needs, { context: this.context, ownCluster: !this.deps.env.LAB_KUBE_CONTEXT, ingress: this.withIngress, dir, image: this.deps.env.LAB_VAULT_IMAGE, cluster, archives: [...archivesFor(tc, this.topic.needs), ...(this.eso && this.ownCluster && tc.esoArchive ? [tc.esoArchive] : [])], ...extra, ...(tls ? { tls } : {}) });
    writePlanFiles(dir, plan.files);
    for (const step of plan.steps) {
      const opts: RunOptions = step.timeoutMs ? { timeoutMs: step.timeoutMs } : {};
      switch (step.id) {
        case 'cluster': {
          const clusters = (await this.deps.run('kind', ['get', 'clusters'])).stdout.split('\n').map((s) => s.trim());
          if (clusters.includes(CLUSTER_NAME)) {
            const ready = await this.kubectl(['get', '--raw', '/readyz'], { reject: false, timeoutMs: 20_000 });
            const stale = cluster.nodeImage ? await this.nodeImageChanged(cluster.nodeImage) : false;
            if (ready.exitCode === 0 && !stale) break;
            // A rebuilt node image, or node containers stopped with the Docker daemon (a reboot, the lab's own dockerd
            // restarted), which kind cannot bring back: the cluster is made anew (keys for old data go aside at install).
            const why = stale
              ? msg(`노드 이미지 ${cluster.nodeImage}가 새로 만들어졌습니다: 클러스터를 다시 만듭니다.`, `the node image ${cluster.nodeImage} was rebuilt: making the cluster anew.`)
              : msg(`kind 클러스터 ${CLUSTER_NAME}가 응답하지 않아 다시 만듭니다.`, `the kind cluster ${CLUSTER_NAME} does not answer; making it anew.`);
            report.info(report.t(why));
            await this.deps.run('kind', ['delete', 'cluster', '--name', CLUSTER_NAME], { timeoutMs: 180_000 });
          }
          report.info(report.t(msg(`kind 클러스터 ${CLUSTER_NAME}를 만듭니다 (몇 분 걸립니다)…`, `creating kind cluster ${CLUSTER_NAME} (takes a few minutes)…`)));
          this.madeCluster = true;
          await this.deps.run(step.file, step.args, opts);
          break;
        }
        case 'nodes': {
          // A node that never gets Ready (someone else's cluster) is simply not counted.
          await this.deps.run(step.file, step.args, { ...opts, reject: false });
          const nodes = (await this.kubectl(['get', 'nodes', '-o', 'json'])).stdout;
          if (plan.steps.some((x) => x.id === 'ingress-apply') && !hasIngressReadyNode(nodes)) {
            throw envError(
              msg(`kind 클러스터 ${CLUSTER_NAME}에 ingress-ready 노드가 없습니다: 이전 버전의 랩이 만든 클러스터입니다 (80/443 매핑 없음).`, `the kind cluster ${CLUSTER_NAME} has no ingress-ready node: an earlier lab version made it (no 80/443 mapping).`),
              msg(`kind delete cluster --name ${CLUSTER_NAME} 후 다시 실행하세요 (랩 데이터가 지워집니다).`, `Run kind delete cluster --name ${CLUSTER_NAME}, then run again (the lab's data goes with it).`),
            );
          }
          const schedulable = schedulableNodes(nodes);
          const values = kindPlan(this.topic.needs, { context: this.context, ownCluster: false, dir, schedulableNodes: schedulable, image: this.deps.env.LAB_VAULT_IMAGE, ...extra, ...(tls ? { tls } : {}) }).files.find((f) => f.name === 'values.yaml')!;
          writePlanFiles(dir, [values]);
          break;
        }
        case 'install':
          await this.prepareVolumes(report);
          report.debug(`helm upgrade --install ${RELEASE} ${CHART} --version ${CHART_VERSION}`);
          await this.deps.run(step.file, step.args, opts);
          this.lab.updateRecord((r) => {
            r.facts.released = 'true';
          }, this.initRecord);
          break;
        case 'transit-install':
          await this.prepareTransit();
          await this.deps.run(step.file, step.args, opts);
          break;
        case 'namespace':
          await this.deps.run(step.file, step.args, opts);
          if (fresh) await this.removeLeftovers();
          break;
        case 'pods-created':
          break;
        case 'pods':
          await this.waitPods((l) => report.debug(l));
          break;
        default:
          await this.deps.run(step.file, step.args, opts);
      }
    }
    for (let i = 0; i < this.spec.nodes; i++) await this.ensurePortForward(i);
    for (const f of this.forwards()) await this.ensureForward(f);
    for (const n of this.vaultNodes()) await this.waitReachable(n);
  }

  // ---- the in-cluster services (src/services/<name>/kube.ts) ---------------------------------------------
  /** The topic's services that have a kube adapter, in registry order (ESO only where it is the topic's operator). */
  kubeServices(): [ServiceName, KubeAdapter][] {
    return neededServices(this.topic.needs).flatMap((n) => {
      const k = n === 'eso' && !this.eso ? undefined : kubeAdapter(n);
      return k ? [[n, k] as [ServiceName, KubeAdapter]] : [];
    });
  }

  /** What a service's kube adapter may use of this platform; its port-forwards sit in this lab's block. */
  hostFor(service: ServiceName): KubeHost {
    return { lab: this.lab, namespace: NAMESPACE, vaultAddr: this.inClusterVaultAddr, port: (role) => servicePort(this.base, service, role), kubectl: (args, opts) => this.kubectl(args, opts) };
  }

  /** A secret file of the lab folder, made once (0600, no trailing newline: `ldapsearch -y` and `k=@file` read it whole). */
  private keepSecret(name: string): string {
    let v = this.lab.readSecret(name)?.trim();
    if (!v) {
      v = newPassword();
      this.lab.writeSecret(name, v);
    }
    registerSecret(v);
    return v;
  }

  /** The services' objects, with passwords made once and kept in the lab folder under the names the local platform uses. */
  /** `built`: the images scripts/build-kind-services.sh made here (the lab's own cluster only); LAB_*_IMAGE wins over them. */
  plannedServices(built: Toolchain['images'] = {}): PlannedService[] {
    const out: PlannedService[] = [];
    for (const [name, k] of this.kubeServices()) {
      this.lab.ensure();
      const secrets = k.secrets((f) => this.keepSecret(f));
      k.prepare?.(this.hostFor(name), secrets);
      const crds = k.crds?.();
      out.push({ name: k.name, ...(crds ? { crds } : {}), objects: k.manifests(secrets, { namespace: NAMESPACE, image: this.deps.env[k.image.env] || (k.image.built ? built?.[k.image.built] : undefined) || k.image.pinned }) });
    }
    return out;
  }

  /** Port-forwards to the topic's services, above the Vault pods' ports. */
  forwards(): Forward[] {
    return this.kubeServices().flatMap(([name, k]) => (k.forward ? [{ name: k.name, target: `svc/${k.name}`, local: this.hostFor(name).port(k.forward), remote: k.port }] : []));
  }

  /** Each service's address as the learner's shell reaches it (its port-forward) → as Vault in a pod does. */
  private serviceRewrites(): { from: string; to: string }[] {
    return this.kubeServices().flatMap(([name, k]) => (k.forward ? [{ from: k.address(`127.0.0.1:${this.hostFor(name).port(k.forward)}`), to: inCluster(k, NAMESPACE) }] : []));
  }

  get ldap(): LdapAccess | undefined {
    for (const [name, k] of this.kubeServices()) {
      const provided = k.provides?.(this.hostFor(name));
      if (provided?.ldap) return provided.ldap;
    }
    return undefined;
  }

  private async assertContext(): Promise<void> {
    const ctxs = (await this.deps.run('kubectl', ['config', 'get-contexts', '-o', 'name'])).stdout.split('\n').map((s) => s.trim());
    if (!ctxs.includes(this.context)) {
      throw envError(msg(`kube context '${this.context}'가 없습니다 (LAB_KUBE_CONTEXT).`, `kube context '${this.context}' does not exist (LAB_KUBE_CONTEXT).`), msg(`있는 context: ${ctxs.filter(Boolean).join(', ') || '없음'}`, `existing contexts: ${ctxs.filter(Boolean).join(', ') || 'none'}`));
    }
  }

  /**
   * The release's volumes before `helm upgrade --install`. `lab down` keeps them, so the next run finds the same sealed
   * Vault. They are emptied only when no release uses them (a running pod's PVC would hang in pvc-protection, issue 19
   * defect 1) and they hold another topic's Vault or this lab has no keys for them (defect 2: topics share the names).
   * The ConfigMap OWNER says whose they are.
   */
  private async prepareVolumes(report: Reporter): Promise<void> {
    const owner = await this.owner();
    const sts = await this.kubectl(['get', 'statefulset', RELEASE, '-n', NAMESPACE, '-o', 'name', '--ignore-not-found'], { reject: false });
    if (sts.exitCode === 0 && sts.stdout.trim()) {
      this.assertNotHeld(owner);
      return;
    }
    await this.releasePodsGone(RELEASE, NAMESPACE);
    // Another lab folder's Vault of the same topic is another Vault all the same: this folder's keys do not open it.
    const foreign = owner.topic !== undefined && (owner.topic !== this.lab.topic || (owner.dir !== undefined && owner.dir !== this.lab.dir));
    if (this.transitRemade && !foreign && this.lab.clusterKeys()) report.info(report.t(msg('transit Vault를 새로 만들었으므로 (봉인 키가 바뀜) 주 Vault의 볼륨도 비우고 새로 시작합니다.', 'the transit Vault was made anew (its seal key changed): the main Vault\'s volumes are emptied for a new one too.')));
    if (foreign || this.transitRemade || !this.lab.clusterKeys()) {
      if (foreign) report.info(report.t(msg(`${NAMESPACE} 네임스페이스의 볼륨은 '${owner.topic}' 랩(${owner.dir ?? '다른 폴더'})의 Vault입니다: 비우고 새로 시작합니다.`, `the volumes in namespace ${NAMESPACE} hold the '${owner.topic}' lab's Vault (${owner.dir ?? 'another folder'}): emptying them for a new one.`)));
      await this.kubectl(['delete', 'pvc', '-n', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=120s', ...LEFTOVER_PVCS], { timeoutMs: 150_000 });
    }
    // Keys for data that is gone (another topic's volumes, a cluster made anew) would make the lab unseal a Vault they
    // do not open, and block a new init's noclobber write: kept aside, never deleted.
    const keys = this.lab.path('cluster-keys.json');
    if ((foreign || this.madeCluster || this.transitRemade) && fs.existsSync(keys)) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      fs.renameSync(keys, this.lab.path(`cluster-keys.${stamp}.stale.json`));
      // The lab's admin token (production) was made by that Vault: it goes aside with its keys.
      const admin = this.lab.path('admin-token');
      if (fs.existsSync(admin)) fs.renameSync(admin, this.lab.path(`admin-token.${stamp}.stale`));
    }
    this.transitRemade = false;
    const transitDir = this.topic.needs.transit ? this.lab.dir : owner.transitDir;
    await this.writeOwner({ topic: this.lab.topic, dir: this.lab.dir, ...(transitDir ? { transitDir } : {}) });
  }

  /**
   * `helm uninstall --wait` returns once the StatefulSet is gone; its pods are deleted after it, in the background, a
   * Vault pod taking its grace period. A StatefulSet installed meanwhile finds a same-named pod it does not own and
   * never makes that member (real kind, lab down then lab run ha-failover: vault-2 was never created, the run waited
   * 300 s); a PVC deleted meanwhile hangs in pvc-protection. So nothing goes on until the release's pods are gone.
   */
  private async releasePodsGone(release: string, namespace: string, timeoutMs = 120_000): Promise<void> {
    const left = async () => {
      const r = await this.kubectl(['get', 'pods', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name'], { reject: false });
      return r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean) : [];
    };
    if (await poll(async () => (await left()).length === 0, { timeoutMs, everyMs: 1000, pause: this.deps.sleep })) return;
    const pods = await left();
    throw envError(
      msg(`이전 ${release} 릴리스의 Pod가 ${timeoutMs / 1000}초 안에 사라지지 않았습니다: ${pods.join(', ')}`, `the earlier ${release} release's pods did not go within ${timeoutMs / 1000}s: ${pods.join(', ')}`),
      msg(`kubectl --context ${this.context} get pods -n ${namespace}로 상태를 보고, 남은 것을 지운 뒤 다시 실행하세요.`, `See kubectl --context ${this.context} get pods -n ${namespace}, delete what is left, then run again.`),
    );
  }

  /** Whose Vault the namespace holds: the topic and the lab folder (two checkouts share one cluster), and whose keys the transit volume takes. */
  private async owner(): Promise<{ topic?: string; dir?: string; transitDir?: string }> {
    const r = await this.kubectl(['get', 'configmap', OWNER, '-n', NAMESPACE, '-o', 'jsonpath={.data}', '--ignore-not-found'], { reject: false });
    try {
      const d = JSON.parse(r.stdout.trim() || '{}') as Record<string, string>;
      return { ...(d.topic ? { topic: d.topic } : {}), ...(d.dir ? { dir: d.dir } : {}), ...(d.transitDir ? { transitDir: d.transitDir } : {}) };
    } catch {
      return {};
    }
  }
  private async writeOwner(data: Record<string, string>): Promise<void> {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: OWNER, namespace: NAMESPACE }, data };
    await this.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cm) });
  }

  /** A release running for a lab of another folder (another checkout, another LAB_HOME) is that lab's: named, not overwritten. */
  private assertNotHeld(owner: { topic?: string; dir?: string }): void {
    if (owner.dir === undefined || owner.dir === this.lab.dir) return;
    const topic = owner.topic ?? '?';
    throw envError(
      msg(`${this.context}의 ${NAMESPACE} 네임스페이스는 다른 폴더의 '${topic}' 랩이 쓰고 있습니다: ${owner.dir}`, `namespace ${NAMESPACE} of ${this.context} is held by the '${topic}' lab of another folder: ${owner.dir}`),
      msg(
        `그 랩을 먼저 내리세요: 그 체크아웃에서 (LAB_HOME=${path.dirname(owner.dir)}) 'npx lab down ${topic}'. 한 클러스터에 Vault 릴리스는 하나입니다.`,
        `Take that lab down first: in that checkout (LAB_HOME=${path.dirname(owner.dir)}) run 'npx lab down ${topic}'. One Vault release per cluster.`,
      ),
    );
  }

  /**
   * The transit release's volume outlives `lab reset`, its keys do not: without transit-keys.json its Vault could never
   * be unsealed again and the bootstrap's init would meet "already initialized" (issue 19, defect 4). It starts empty;
   * so it does when another lab folder's keys initialised it (theirs do not unseal it: "message authentication failed").
   */
  private async prepareTransit(): Promise<void> {
    this.transitRemade = false;
    const owner = await this.owner();
    const sts = await this.kubectl(['get', 'statefulset', RELEASE, '-n', NAMESPACE, '-o', 'name', '--ignore-not-found'], { reject: false });
    if (sts.exitCode === 0 && sts.stdout.trim()) this.assertNotHeld(owner);
    // A namespace marked by an earlier lab version names no transit owner: unknown is taken as not ours.
    const theirs = owner.topic !== undefined && owner.transitDir !== this.lab.dir;
    if (fs.existsSync(this.lab.path('kind', 'transit-keys.json')) && !theirs) return;
    // The main Vault's root key is sealed by the old transit key: its volumes cannot be opened any more either.
    this.transitRemade = true;
    await this.helm(['uninstall', TRANSIT.release, '-n', TRANSIT.namespace, '--ignore-not-found', '--wait'], { reject: false });
    await this.releasePodsGone(TRANSIT.release, TRANSIT.namespace);
    await this.kubectl(['delete', 'pvc', `data-${TRANSIT.pod}`, '-n', TRANSIT.namespace, '--ignore-not-found', '--wait=true', '--timeout=120s'], { reject: false, timeoutMs: 150_000 });
    // This folder's keys no longer open anything: kept aside (never deleted), the bootstrap makes new ones.
    const keys = this.lab.path('kind', 'transit-keys.json');
    if (theirs && fs.existsSync(keys)) fs.renameSync(keys, this.lab.path('kind', `transit-keys.${new Date().toISOString().replace(/[:.]/g, '-')}.stale.json`));
    await this.writeOwner({ ...(owner.topic ? { topic: owner.topic } : {}), ...(owner.dir ? { dir: owner.dir } : {}), transitDir: this.lab.dir });
  }

  /** The control plane runs from an older build of the node image (scripts/build-kind.sh ran again since). */
  private async nodeImageChanged(image: string): Promise<boolean> {
    const want = await this.deps.run('docker', ['image', 'inspect', image, '--format', '{{.Id}}'], { reject: false });
    const have = await this.deps.run('docker', ['inspect', `${CLUSTER_NAME}-control-plane`, '--format', '{{.Image}}'], { reject: false });
    return want.exitCode === 0 && have.exitCode === 0 && want.stdout.trim() !== have.stdout.trim();
  }

  /** LAB_VAULT_CHART: a folder or .tgz must exist (a typo would otherwise reach helm as a repository name). */
  chartSource(): string | undefined {
    const c = this.deps.env.LAB_VAULT_CHART?.trim();
    if (!c) return undefined;
    if (!/^(https?|oci):\/\//.test(c) && !fs.existsSync(c)) {
      throw new LabError(msg(`LAB_VAULT_CHART가 가리키는 '${c}'는 없는 경로입니다.`, `LAB_VAULT_CHART '${c}' does not exist.`), {
        exitCode: Exit.usage,
        hint: msg('차트 폴더, vault-0.31.0.tgz 같은 파일, 또는 저장소 URL(https://… / oci://…)을 지정하세요.', 'Give a chart folder, a file such as vault-0.31.0.tgz, or a repository URL (https://… or oci://…).'),
      });
    }
    return c;
  }

  valuesFile(): string {
    return this.lab.path('kind', 'values.yaml');
  }

  private async podNames(): Promise<string[]> {
    const r = await this.kubectl(['get', 'pods', '-n', NAMESPACE, '-l', `app.kubernetes.io/name=vault,component=server`, '-o', 'json'], { reject: false });
    return r.exitCode === 0 ? runningPods(r.stdout) : [];
  }

  private async waitPods(debug: (line: string) => void, only?: number, timeoutMs = 300_000): Promise<void> {
    const want = only === undefined ? this.vaultNodes().map((n) => n.name) : [podName(only)];
    debug(`waiting for ${want.join(', ')} Running`);
    const running = async () => {
      const names = await this.podNames();
      return want.every((w) => names.includes(w));
    };
    if (await poll(running, { timeoutMs, everyMs: 2000, pause: this.deps.sleep })) return;
    const pods = await this.kubectl(['get', 'pods', '-n', NAMESPACE, '-o', 'wide'], { reject: false });
    throw envError(
      msg(`${want.join(', ')} Pod가 ${timeoutMs / 1000}초 안에 Running이 되지 않았습니다.`, `${want.join(', ')} did not reach Running within ${timeoutMs / 1000}s.`),
      msg(`kubectl --context ${this.context} describe pod -n ${NAMESPACE} ${want[0]}로 이벤트를 보세요.`, `See the events: kubectl --context ${this.context} describe pod -n ${NAMESPACE} ${want[0]}`),
      pods.stdout,
    );
  }

  // ---- port-forward supervision -----------------------------------------------------------------------
  pfName(i: number): string {
    return `port-forward-${podName(i)}`;
  }
  /** Pod i's API port; the loop restarts kubectl port-forward whenever the pod goes away (it comes back with the same name). */
  podForward(i: number): Forward {
    return { name: podName(i), target: `pod/${podName(i)}`, local: this.localPort(i), remote: 8200 };
  }
  portForwardCommand(i: number): { file: string; args: string[] } {
    return this.forwardCommand(this.podForward(i));
  }
  forwardCommand(f: Forward): { file: string; args: string[] } {
    const pf = `kubectl --context "$1" port-forward -n ${NAMESPACE} ${f.target} ${f.local}:${f.remote} --address 127.0.0.1`;
    // A pod's forward started while the old pod was still terminating stays attached to it and then hangs (real kind,
    // after the drill's delete: minutes of timeouts on vault-0's port). So a second kubectl waits for the pod it was
    // started against to be deleted, and then the forward is started again for the pod that now bears the name; if the
    // wait itself fails (no watch permission), the forward is kept as it is.
    // kubectl port-forward also exits on the first stream error of any one connection ("lost connection to pod": a
    // reset from the pod, seen about once in twenty reads through a Raft node's forward). A forward that had been up
    // for seconds is started again at once (its exit seen within half a second), so the next read finds the port; one that failed at start
    // (pod not there yet) waits a second before the next try.
    const again = 'if [ $(( $(date +%s) - s )) -ge 5 ]; then sleep 0.2; else sleep 1; fi';
    const script = f.target.startsWith('pod/')
      ? [
          'while :; do',
          `  s=$(date +%s); ${pf} & pf=$!`,
          `  kubectl --context "$1" wait --for=delete -n ${NAMESPACE} ${f.target} --timeout=24h > /dev/null 2>&1 & w=$!`,
          '  while kill -0 $pf 2>/dev/null; do',
          '    if [ -n "$w" ] && ! kill -0 $w 2>/dev/null; then if wait $w; then kill $pf 2>/dev/null; fi; w=; fi',
          '    sleep 0.5',
          '  done',
          `  [ -n "$w" ] && kill $w 2>/dev/null; wait; ${again}`,
          'done',
        ].join('\n')
      : `while :; do s=$(date +%s); ${pf}; ${again}; done`;
    // The lab folder on the command line lets procAlive tell our loop from a reused pid.
    return { file: 'sh', args: ['-c', script, 'lab-port-forward', this.context, this.lab.dir] };
  }
  private async ensureForward(f: Forward): Promise<void> {
    const name = `port-forward-${f.name}`;
    if (this.procAlive(name)) return;
    const log = this.lab.path('logs', `${name}.log`);
    fs.mkdirSync(path.dirname(log), { recursive: true, mode: 0o700 });
    const { file, args } = this.forwardCommand(f);
    const pid = this.deps.daemon(file, args, { logFile: log });
    this.lab.updateRecord((r) => {
      r.processes[name] = { name, pid, command: args.slice(0, 2).map(shellQuote).join(' '), log, startedAt: new Date().toISOString() };
    }, this.initRecord);
  }
  procAlive(name: string): boolean {
    const p = this.lab.record()?.processes[name];
    if (!p || !this.deps.isAlive(p.pid)) return false;
    try {
      return fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(this.lab.dir);
    } catch {
      return true;
    }
  }
  private async restartForward(i: number): Promise<void> {
    const name = this.pfName(i);
    const p = this.lab.record()?.processes[name];
    if (p && this.procAlive(name)) await this.deps.kill(p.pid);
    this.lab.updateRecord((r) => {
      delete r.processes[name];
    }, this.initRecord);
  }
  async ensurePortForward(i: number): Promise<void> {
    await this.ensureForward(this.podForward(i));
  }
  private async waitReachable(n: VaultNodeInfo, timeoutMs = 60_000): Promise<void> {
    if (await poll(() => this.deps.reachable(n), { timeoutMs, everyMs: 500, pause: this.deps.sleep })) return;
    throw envError(msg(`${n.name}에 ${n.addr}로 연결되지 않습니다 (kubectl port-forward).`, `${n.name} is not reachable at ${n.addr} (kubectl port-forward).`), msg(`로그: ${this.lab.path('logs')}`, `logs: ${this.lab.path('logs')}`));
  }

  async nodeAction(action: NodeAction, node: number): Promise<void> {
    if (action === 'kill') {
      await this.kubectl(['delete', 'pod', podName(node), '-n', NAMESPACE, '--grace-period=0', '--force']);
      return;
    }
    if (action === 'stop') {
      await this.kubectl(['delete', 'pod', podName(node), '-n', NAMESPACE]);
      return;
    }
    if (action === 'reset') {
      // The PVC goes once its pod is gone; the StatefulSet then recreates both, the volume empty.
      await this.kubectl(['delete', 'pvc', `data-${podName(node)}`, '-n', NAMESPACE, '--wait=false', '--ignore-not-found']);
      await this.kubectl(['delete', 'pod', podName(node), '-n', NAMESPACE]);
    }
    await this.waitPods(() => undefined, node, 180_000);
    // A pod force-deleted a moment ago still runs until the kubelet tears its sandbox down (seen: 25 s later): the
    // running port-forward stays attached to it and answers for the old Vault, then drops mid-check. A new one
    // attaches to the pod that now bears the name.
    if (action === 'start') await this.restartForward(node);
    await this.ensurePortForward(node);
    await this.waitReachable(this.vaultNodes()[node]!);
    // A pod force-deleted a moment ago may still hold the Raft database on the node: the new container's first start
    // can fail on its lock ("failed to open bolt file: timeout", seen after 4–9 s) and restart. Settled = one container
    // up for 12 s.
    // A container between two starts (waiting in back-off, or just terminated) is not settled: that crash is the one
    // this waits out (seen: production's restart step read a stale forward to the old pod, then met the new one down).
    const settled = async () => {
      const since = await this.containerUp(node);
      return since !== 'down' && (!since || Date.now() - since.getTime() >= 12_000);
    };
    // Not settled within 90 s: go on; the reachability wait below says whether it serves.
    await poll(settled, { timeoutMs: 90_000, everyMs: 1000, pause: this.deps.sleep });
    await this.waitReachable(this.vaultNodes()[node]!);
  }

  async down(): Promise<void> {
    const rec = this.lab.record();
    if (!rec) return;
    for (const p of Object.values(rec.processes)) {
      if (this.procAlive(p.name)) await this.deps.kill(p.pid);
    }
    this.lab.updateRecord((r) => {
      r.processes = {};
      delete r.facts.released;
    }, this.initRecord);
    // Without the tools there is nothing in a cluster we could have made.
    if (!this.deps.which('kubectl') || !this.deps.which('helm')) return;
    await this.removeLeftovers();
    // The StatefulSet's PVCs outlive the release: the next `lab run` finds the same (sealed) Vault.
    await this.helm(['uninstall', RELEASE, '-n', NAMESPACE, '--ignore-not-found', '--wait'], { reject: false });
    // Down means stopped: the next `lab run` (of any topic: they share the release) starts from no pod at all.
    await this.releasePodsGone(RELEASE, NAMESPACE).catch(() => undefined);
    // The topic's services and its transit release go too (the next topic shares the namespace); their passwords and
    // the transit keys stay in the lab folder, so the next `lab run` brings back the same ones.
    const services = this.lab.path('kind', 'services.yaml');
    if (fs.existsSync(services)) await this.kubectl(['delete', '-f', services, '--ignore-not-found', '--wait=false'], { reject: false });
    // Their CRDs last: deleting one deletes every object of its kind left anywhere (and what those own).
    const crds = this.lab.path('kind', 'services-crds.yaml');
    if (fs.existsSync(crds)) await this.kubectl(['delete', '-f', crds, '--ignore-not-found', '--wait=false'], { reject: false });
    if (this.topic.needs.transit) {
      await this.helm(['uninstall', TRANSIT.release, '-n', TRANSIT.namespace, '--ignore-not-found', '--wait'], { reject: false });
      await this.releasePodsGone(TRANSIT.release, TRANSIT.namespace).catch(() => undefined);
    }
  }

  /**
   * What the topic's steps made in the cluster (Topic.leaves, issue 19 defect 8), before the operators go: an object an
   * operator holds with a finalizer is released while the operator still runs. A kind the cluster does not serve is
   * passed over (kubectl refuses the line: no such resource).
   */
  private async removeLeftovers(): Promise<void> {
    const leaves = this.topic.leaves;
    if (!leaves) return;
    for (const o of leaves.objects) {
      await this.kubectl(['delete', o.resource, ...o.names, '-n', o.namespace, '--ignore-not-found', '--timeout=60s'], { reject: false, timeoutMs: 80_000 });
    }
    for (const h of leaves.helm ?? []) await this.helm(['uninstall', h.release, '-n', h.namespace, '--ignore-not-found', '--wait'], { reject: false });
  }

  async status(): Promise<ProcStatus[]> {
    const running = this.deps.which('kubectl') ? await this.podNames().catch(() => [] as string[]) : [];
    const rec = this.lab.record();
    const out: ProcStatus[] = this.vaultNodes().map((n) => ({ name: n.name, running: running.includes(n.name), addr: n.addr }));
    for (const p of Object.values(rec?.processes ?? {})) out.push({ name: p.name, pid: p.pid, running: this.procAlive(p.name), log: p.log });
    return out;
  }

  // ---- the vault CLI in a pod -------------------------------------------------------------------------------
  async vaultCli(args: string[], opts: { node?: number; env?: Record<string, string>; stdin?: string; forward?: string[]; stdoutFile?: string }): Promise<RunResult> {
    const token = opts.env?.VAULT_TOKEN ?? this.lab.adminToken();
    const node = opts.node ?? 0;
    const files = podFiles(args.map((a) => inPodArg(a, { addrs: this.vaultNodes().map((n) => n.addr), caFile: this.caFile, services: this.serviceRewrites() })), this.lab.dir);
    const podArgs = [...files.args];
    if (files.valueFile) {
      // k=@file, as `vault write` reads it, but from the host: the value goes in as a secret, the file stays here.
      // One trailing newline (an editor's) is dropped: the value travels as one line of stdin.
      const value = this.readLabFile(files.valueFile.host).toString('utf8').replace(/\n$/, '');
      registerSecret(value);
      podArgs[files.valueFile.index] = `${files.valueFile.key}=${value}`;
    }
    const exports = Object.fromEntries((opts.forward ?? []).flatMap((k) => (opts.env?.[k] !== undefined ? [[k, opts.env[k]!]] : [])));
    const plan = podVaultExec({
      context: this.context,
      node,
      args: podArgs,
      token,
      stdin: opts.stdin,
      // A value the lab knows to be secret (token, unseal key, JWT, a password file's content) never goes on the command line.
      isSecret: (a) => redact(a) !== a,
      exports,
      files: files.copyIn.map((f) => ({ pod: f.pod, content: this.readLabFile(f.host) })),
    });
    const r = await this.deps.run(plan.file, plan.args, { ...(plan.input !== undefined ? { input: plan.input } : {}), ...(opts.stdoutFile ? { stdoutFile: opts.stdoutFile } : {}) });
    for (const f of files.copyOut) {
      // Binary (a Raft snapshot): base64 in the pod, decoded here.
      const b = await this.kubectl(['exec', podName(node), '-n', NAMESPACE, '--', 'base64', f.pod]);
      fs.writeFileSync(f.host, Buffer.from(b.stdout, 'base64'), { mode: 0o600 });
    }
    return r;
  }

  private readLabFile(file: string): Buffer {
    try {
      return fs.readFileSync(file);
    } catch {
      throw envError(msg(`파일이 없습니다: ${file}`, `${file} does not exist.`), msg('앞 단계를 먼저 끝내세요 (npx lab hint).', 'Finish the earlier step first (npx lab hint).'));
    }
  }

  /** The container's start (a pod deleted and recreated by the StatefulSet, or a container restarted, starts anew). */
  async nodeStartedAt(node: number): Promise<Date | undefined> {
    const r = await this.kubectl(['get', 'pod', podName(node), '-n', NAMESPACE, '-o', 'jsonpath={.status.containerStatuses[0].state.running.startedAt}'], { reject: false });
    const t = r.exitCode === 0 ? Date.parse(r.stdout.trim()) : NaN;
    return Number.isNaN(t) ? undefined : new Date(t);
  }

  /** When pod i's container started running, 'down' while it is waiting or terminated, undefined when nothing says. */
  private async containerUp(node: number): Promise<Date | 'down' | undefined> {
    const r = await this.kubectl(['get', 'pod', podName(node), '-n', NAMESPACE, '-o', 'jsonpath={.status.containerStatuses[0].state}'], { reject: false });
    if (r.exitCode !== 0) return 'down';
    const out = r.stdout.trim();
    let state: { running?: { startedAt?: string } } | undefined;
    try {
      state = JSON.parse(out) as typeof state;
    } catch {
      // Not a state object (a stand-in cluster answers the start time itself).
      const t = Date.parse(out);
      return Number.isNaN(t) ? undefined : new Date(t);
    }
    if (!state || typeof state !== 'object') return undefined;
    if (!state.running) return 'down';
    const t = Date.parse(state.running.startedAt ?? '');
    return Number.isNaN(t) ? undefined : new Date(t);
  }

  /** The audit log and other files Vault writes live in the pod: read them there. */
  async readServerFile(file: string, node = 0): Promise<string | undefined> {
    const r = await this.kubectl(['exec', podName(node), '-n', NAMESPACE, '--', 'cat', file], { reject: false });
    return r.exitCode === 0 ? r.stdout : undefined;
  }

  render(cmd: Cmd): string {
    return renderKind(cmd, { activeLabel: this.activeLabel() });
  }

  /**
   * The label the server puts on the active pod. On the lab's own cluster the Vault image is the one
   * scripts/build-kind.sh makes from the OpenBao binary (vault.tar), which labels itself openbao-active; a
   * LAB_VAULT_IMAGE names its flavor; otherwise the chart's hashicorp/vault labels vault-active.
   */
  private activeLabel(): 'vault-active' | 'openbao-active' {
    // Kept in the lab record from the start: the learner's shell (`lab env` exports LAB_KUBE_CONTEXT) renders the same.
    const kept = this.lab.record()?.facts.activeLabel;
    if (kept === 'vault-active' || kept === 'openbao-active') return kept;
    const image = this.deps.env.LAB_VAULT_IMAGE;
    if (image) return /openbao/i.test(image) ? 'openbao-active' : 'vault-active';
    const own = !this.deps.env.LAB_KUBE_CONTEXT && archivesFor(this.deps.machine().toolchain, this.topic.needs).some((a) => path.basename(a) === 'vault.tar');
    return own ? 'openbao-active' : 'vault-active';
  }

  // ---- the learner's shell --------------------------------------------------------------------------------
  shellEnv(): Record<string, string> {
    const cert: Record<string, string> = this.spec.tls ? { LAB_TLS_CERT: this.lab.path('tls', `${RELEASE}.crt`) } : {};
    const env: Record<string, string> = { ...vaultShellEnv(this.lab, this.vaultNodes(), this.caFile), ...cert, LAB_KUBE_CONTEXT: this.context };
    // The learner's tools reach the services through their port-forwards; Vault's lines name the in-cluster ones.
    for (const [name, k] of this.kubeServices()) Object.assign(env, k.env(this.hostFor(name)));
    return env;
  }

  runEnv(): Record<string, string> {
    return resolvedEnv(this.lab, this.shellEnv());
  }

  info(): Record<string, string> {
    const out: Record<string, string> = { 'lab folder': this.lab.dir, 'kube context': this.context, namespace: NAMESPACE, chart: `${CHART} ${CHART_VERSION}` };
    this.vaultNodes().forEach((n) => {
      out[n.name] = `${n.addr} (kubectl port-forward)`;
    });
    if (this.spec.storage === 'file' && this.ownCluster) out['NodePort (seed)'] = `http://${HOST_ADDR}:${NODE_PORT}`;
    if (this.caFile) out['CA certificate'] = this.caFile;
    for (const [name, k] of this.kubeServices()) Object.assign(out, k.info(this.hostFor(name), inCluster(k, NAMESPACE)));
    out['helm values'] = this.valuesFile();
    if (fs.existsSync(this.lab.path('cluster-keys.json'))) out['unseal keys + root token (0600)'] = this.lab.path('cluster-keys.json');
    if (this.ownCluster) out['remove the cluster'] = `kind delete cluster --name ${CLUSTER_NAME}`;
    return out;
  }
}
