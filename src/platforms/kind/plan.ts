/**
 * The kind path as data: the files it writes (cluster config, manifests, chart values) and the ordered commands that
 * apply them. `lab run --platform kind` writes these files and runs these commands; `--dry-run` only writes them,
 * with the commands as a script, so a learner can apply them by hand. kindPlan is pure; writePlanFiles writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Needs } from '../../engine/types.ts';
import type { KubeObject } from '../../services/types.ts';
import { msg, type Msg } from '../../engine/i18n.ts';
import { commandLine } from '../../exec.ts';
import type { ClusterOptions } from './config.ts';
import {
  CHART, CHART_VERSION, CLUSTER_NAME, HELM_REPO, INGRESS_NGINX, NAMESPACE, RELEASE, TRANSIT, WORKERS,
  bridgeConflist, helmValues, transitBootstrapScript, transitHelmValues, ingressNginxPatch, kindClusterConfig, namespaceManifest, podName, tlsSecretManifest, toYaml, usesIngress,
} from './config.ts';

export interface PlanFile {
  name: string;
  content: string;
  /** Holds a private key or a password: written 0600. */
  secret?: boolean;
  /** A script: written 0755. */
  executable?: boolean;
}

export type StepId = 'cluster' | 'nodes' | 'services-crds' | 'services-crds-established' | 'services' | 'services-rollout' | 'ingress-apply' | 'ingress-patch' | 'ingress-rollout' | 'ingress-webhook' | 'namespace' | 'tls-secret' | 'cni' | 'images' | 'repo-add' | 'repo-update' | 'transit-install' | 'transit-created' | 'transit-running' | 'transit-bootstrap' | 'install' | 'pods-created' | 'pods';

export interface PlanStep {
  id: StepId;
  title: Msg;
  file: 'kind' | 'kubectl' | 'helm' | 'bash';
  args: string[];
  timeoutMs?: number;
}

export interface Plan {
  files: PlanFile[];
  steps: PlanStep[];
}

/** One service's objects in the cluster; `name` is its Deployment's. */
export interface PlannedService {
  name: string;
  /** Its CustomResourceDefinitions (one YAML stream), applied server-side before the objects. */
  crds?: string;
  objects: KubeObject[];
}

export interface PlanOptions {
  context: string;
  /** The lab makes the kind cluster itself (no LAB_KUBE_CONTEXT). */
  ownCluster: boolean;
  /** Install ingress-nginx for a TLS topic (default: on the lab's own cluster); false where its image cannot be had. */
  ingress?: boolean;
  /** Where the files go; the commands name them by absolute path. */
  dir: string;
  schedulableNodes?: number;
  /** PEM contents of the server certificate, its key and the lab CA (TLS topics). */
  tls?: { crt: string; key: string; ca: string };
  /** LAB_VAULT_IMAGE: the server image as repository:tag. */
  image?: string | undefined;
  /** The topic's in-cluster services (their kube adapters' objects, passwords in Secrets), in registry order. */
  services?: PlannedService[];
  /** The lab's own cluster: workers, node image, cgroup v1 patch, CNI (toolchain.ts). */
  cluster?: ClusterOptions;
  /** Image archives sent to the nodes with `kind load image-archive` (images no registry serves here). */
  archives?: string[];
  /** LAB_VAULT_CHART: a chart folder, a .tgz, or a repository URL; then no `helm repo add` of the public one. */
  chart?: string | undefined;
}

/** The chart for helm: the public repository's, a local folder or archive, an OCI reference, or a repository URL. */
export function chartArgs(chart: string | undefined): { ref: string; tail: string[] } {
  if (!chart) return { ref: CHART, tail: ['--version', CHART_VERSION] };
  if (/^oci:\/\//.test(chart)) return { ref: chart, tail: ['--version', CHART_VERSION] };
  if (/^https?:\/\//.test(chart)) return { ref: 'vault', tail: ['--repo', chart, '--version', CHART_VERSION] };
  return { ref: path.resolve(chart), tail: [] };
}

/**
 * The lab's CNI on every node of a cluster whose default CNI is off: the bridge conflist with the node's pod range, and
 * a route to each other node's range through that node (the nodes share kind's Docker network). Usage: cni.sh <context>
 */
export function cniScript(): string {
  const conf = bridgeConflist('__CIDR__');
  return [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'CTX="$1"',
    // The controller manager gives each node its range a moment after it joins.
    'for _ in $(seq 120); do',
    `  mapfile -t NODES < <(kubectl --context "$CTX" get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}')`,
    '  ok=1; for n in "${NODES[@]}"; do set -- $n; [ -n "${3:-}" ] || ok=0; done',
    '  [ "$ok" = 1 ] && [ ${#NODES[@]} -gt 0 ] && break; sleep 1',
    'done',
    'for n in "${NODES[@]}"; do',
    '  set -- $n; name=$1; cidr=$2',
    `  printf '%s' '${conf}' | sed "s#__CIDR__#$cidr#" | docker exec -i "$name" sh -c 'mkdir -p /etc/cni/net.d && cat > /etc/cni/net.d/10-vault-lab.conflist'`,
    '  for m in "${NODES[@]}"; do set -- $m; [ "$1" = "$name" ] || docker exec "$name" ip route replace "$2" via "$3"; done',
    'done',
    '',
  ].join('\n');
}

export function kindPlan(needs: Needs, o: PlanOptions): Plan {
  const spec = needs.vault;
  const f = (name: string) => path.join(o.dir, name);
  const kubectl = (...args: string[]) => ['--context', o.context, ...args];
  const pods = Array.from({ length: spec.nodes }, (_, i) => `pod/${podName(i)}`);
  const files: PlanFile[] = [];
  const steps: PlanStep[] = [];
  if (o.ownCluster) {
    const c = o.cluster ?? {};
    const workers = c.workers ?? WORKERS;
    files.push({ name: 'cluster.yaml', content: toYaml(kindClusterConfig(c)) });
    steps.push({
      id: 'cluster',
      title: msg(`kind 클러스터 만들기 (컨트롤 플레인 ingress-ready, 워커 ${workers}개)`, `create the kind cluster (ingress-ready control plane, ${workers} worker${workers === 1 ? '' : 's'})`),
      file: 'kind',
      // Without a CNI no node can be Ready before the lab's CNI step: kind's --wait would always run out (120 s of a
      // 17 s start here); the 'nodes' step below waits for Ready once the CNI is there.
      args: ['create', 'cluster', '--name', CLUSTER_NAME, '--config', f('cluster.yaml'), ...(c.disableDefaultCNI ? [] : ['--wait', '120s'])],
      timeoutMs: 600_000,
    });
    if (c.disableDefaultCNI) {
      files.push({ name: 'cni.sh', content: cniScript(), executable: true });
      steps.push({ id: 'cni', title: msg('노드마다 bridge CNI와 다른 노드 Pod 대역으로 가는 경로', 'a bridge CNI on every node, and routes to the other nodes\' pod ranges'), file: 'bash', args: [f('cni.sh'), o.context], timeoutMs: 180_000 });
    }
    for (const a of o.archives ?? []) {
      steps.push({ id: 'images', title: msg(`이미지 ${path.basename(a)}를 노드에 싣기`, `load the image ${path.basename(a)} into the nodes`), file: 'kind', args: ['load', 'image-archive', a, '--name', CLUSTER_NAME], timeoutMs: 300_000 });
    }
  }
  // `kind create cluster --wait` waits for the control plane only: workers still NotReady would be counted out and
  // the lab would drop the required anti-affinity.
  steps.push({
    id: 'nodes',
    title: msg('모든 노드가 Ready가 될 때까지 기다리기', 'wait until every node is Ready'),
    file: 'kubectl',
    args: kubectl('wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=300s'),
    timeoutMs: 320_000,
  });
  // Only on the lab's own cluster, whose control plane is labelled ingress-ready with 80/443 mapped; on another
  // cluster (LAB_KUBE_CONTEXT) its own ingress controller serves the chart's Ingress, or nothing does.
  if (usesIngress(spec) && o.ownCluster && o.ingress !== false) {
    files.push({ name: 'ingress-nginx-patch.yaml', content: toYaml(ingressNginxPatch()) });
    steps.push(
      { id: 'ingress-apply', title: msg(`ingress-nginx (kind 용, ${INGRESS_NGINX.tag}) 배포`, `deploy ingress-nginx for kind (${INGRESS_NGINX.tag})`), file: 'kubectl', args: kubectl('apply', '-f', INGRESS_NGINX.manifest), timeoutMs: 120_000 },
      {
        id: 'ingress-patch',
        title: msg('컨트롤러를 ingress-ready 노드에 두고 --enable-ssl-passthrough 켜기', 'pin the controller to the ingress-ready node and turn on --enable-ssl-passthrough'),
        file: 'kubectl',
        args: kubectl('patch', 'deployment', INGRESS_NGINX.deployment, '-n', INGRESS_NGINX.namespace, '--type=strategic', '--patch-file', f('ingress-nginx-patch.yaml')),
      },
      {
        id: 'ingress-rollout',
        // The chart's Ingress is checked by ingress-nginx's validating webhook: the controller must answer first.
        title: msg('ingress-nginx 컨트롤러가 뜰 때까지 기다리기 (Vault의 Ingress를 검증하는 웹훅)', 'wait for the ingress-nginx controller (its webhook validates the Vault Ingress)'),
        file: 'kubectl',
        args: kubectl('rollout', 'status', `deployment/${INGRESS_NGINX.deployment}`, '-n', INGRESS_NGINX.namespace, '--timeout=300s'),
        timeoutMs: 320_000,
      },
      {
        id: 'ingress-webhook',
        // A controller that runs is not yet a webhook that answers: the API server calls it over TLS only once the
        // admission Jobs have put the CA into caBundle; before that, failurePolicy Fail refuses the Vault Ingress (defect 6).
        title: msg('ingress-nginx 웹훅에 CA(caBundle)가 들어갈 때까지 기다리기', 'wait until the ingress-nginx webhook has its CA (caBundle)'),
        file: 'kubectl',
        args: kubectl('wait', '--for=jsonpath={.webhooks[0].clientConfig.caBundle}', `validatingwebhookconfiguration/${INGRESS_NGINX.webhook}`, '--timeout=180s'),
        timeoutMs: 200_000,
      },
    );
  }
  files.push({ name: 'namespace.yaml', content: toYaml(namespaceManifest()) });
  steps.push({ id: 'namespace', title: msg(`${NAMESPACE} 네임스페이스`, `the ${NAMESPACE} namespace`), file: 'kubectl', args: kubectl('apply', '-f', f('namespace.yaml')) });
  const services = (o.services ?? []).flatMap((x) => x.objects);
  const deployments = (o.services ?? []).map((x) => x.name);
  const crds = (o.services ?? []).flatMap((x) => (x.crds ? [x.crds] : []));
  if (crds.length) {
    // Server-side: the ESO CRDs' schemas outgrow the last-applied annotation client-side apply writes (256 KiB).
    files.push({ name: 'services-crds.yaml', content: crds.join('---\n') });
    steps.push(
      { id: 'services-crds', title: msg('서비스의 CRD (server-side apply)', "the services' CRDs (server-side apply)"), file: 'kubectl', args: kubectl('apply', '--server-side', '--force-conflicts', '-f', f('services-crds.yaml')), timeoutMs: 120_000 },
      { id: 'services-crds-established', title: msg('CRD가 Established가 될 때까지', 'until the CRDs are Established'), file: 'kubectl', args: kubectl('wait', '--for=condition=Established', '-f', f('services-crds.yaml'), '--timeout=60s'), timeoutMs: 80_000 },
    );
  }
  if (services.length) {
    files.push({ name: 'services.yaml', content: services.map((m) => toYaml(m)).join('---\n'), secret: true });
    steps.push(
      { id: 'services', title: msg(`클러스터 안의 ${deployments.join(', ')} (비밀번호는 Secret에)`, `${deployments.join(', ')} in the cluster (passwords in Secrets)`), file: 'kubectl', args: kubectl('apply', '-f', f('services.yaml')) },
      ...deployments.map((d): PlanStep => ({
        id: 'services-rollout',
        title: msg(`${d}가 준비될 때까지`, `until ${d} is ready`),
        file: 'kubectl',
        args: kubectl('rollout', 'status', `deployment/${d}`, '-n', NAMESPACE, '--timeout=300s'),
        timeoutMs: 320_000,
      })),
    );
  }
  if (spec.tls) {
    if (!o.tls) throw new Error('a TLS topic needs the certificate to plan its secret');
    files.push({ name: 'vault-tls-secret.yaml', content: toYaml(tlsSecretManifest(o.tls)), secret: true });
    steps.push({ id: 'tls-secret', title: msg('vault-tls Secret (tls.crt, tls.key, ca.crt)', 'the vault-tls Secret (tls.crt, tls.key, ca.crt)'), file: 'kubectl', args: kubectl('apply', '-f', f('vault-tls-secret.yaml')) });
  }
  if (!o.chart) steps.push(
    { id: 'repo-add', title: msg('HashiCorp Helm 저장소', 'the HashiCorp Helm repository'), file: 'helm', args: ['repo', 'add', HELM_REPO.name, HELM_REPO.url, '--force-update'] },
    { id: 'repo-update', title: msg('저장소 갱신', 'refresh it'), file: 'helm', args: ['repo', 'update', HELM_REPO.name], timeoutMs: 120_000 },
  );
  if (needs.transit) {
    files.push({ name: 'transit-values.yaml', content: toYaml(transitHelmValues(o.image)) }, { name: 'transit-bootstrap.sh', content: transitBootstrapScript(), executable: true });
    const tpod = `pod/${TRANSIT.pod}`;
    steps.push(
      {
        id: 'transit-install',
        title: msg(`자동 봉인 해제용 transit Vault (${TRANSIT.release}, ${TRANSIT.namespace})`, `the transit Vault for auto-unseal (${TRANSIT.release}, ${TRANSIT.namespace})`),
        file: 'helm',
        args: ['--kube-context', o.context, 'upgrade', '--install', TRANSIT.release, chartArgs(o.chart).ref, '-n', TRANSIT.namespace, '--create-namespace', '-f', f('transit-values.yaml'), ...chartArgs(o.chart).tail],
        timeoutMs: 300_000,
      },
      { id: 'transit-created', title: msg('transit Pod 생성 대기', 'until the transit pod exists'), file: 'kubectl', args: kubectl('wait', '--for=create', tpod, '-n', TRANSIT.namespace, '--timeout=120s'), timeoutMs: 140_000 },
      { id: 'transit-running', title: msg('transit Pod 실행 대기', 'until the transit pod runs'), file: 'kubectl', args: kubectl('wait', '--for=jsonpath={.status.phase}=Running', tpod, '-n', TRANSIT.namespace, '--timeout=300s'), timeoutMs: 320_000 },
      {
        id: 'transit-bootstrap',
        title: msg(`transit 초기화·unseal, 키 ${TRANSIT.key}, 암복호화만 되는 토큰 → Secret ${TRANSIT.tokenSecret} (키는 transit-keys.json, 0600)`, `init and unseal transit, key ${TRANSIT.key}, an encrypt/decrypt-only token → Secret ${TRANSIT.tokenSecret} (keys in transit-keys.json, 0600)`),
        file: 'bash',
        args: [f('transit-bootstrap.sh'), o.context],
        timeoutMs: 300_000,
      },
    );
  }
  files.push({ name: 'values.yaml', content: toYaml(helmValues(spec, { schedulableNodes: o.schedulableNodes ?? WORKERS, image: o.image })) });
  steps.push(
    {
      id: 'install',
      title: msg(`${CHART} ${CHART_VERSION} 설치`, `install ${CHART} ${CHART_VERSION}`),
      file: 'helm',
      args: ['--kube-context', o.context, 'upgrade', '--install', RELEASE, chartArgs(o.chart).ref, '-n', NAMESPACE, '--create-namespace', '-f', f('values.yaml'), ...chartArgs(o.chart).tail],
      timeoutMs: 300_000,
    },
    {
      id: 'pods-created',
      // kubectl wait --for=create (kubectl 1.31+): waiting on a pod the StatefulSet has not made yet would fail at once.
      title: msg('StatefulSet이 Pod를 만들 때까지', 'until the StatefulSet has made the pods'),
      file: 'kubectl',
      args: kubectl('wait', '--for=create', ...pods, '-n', NAMESPACE, '--timeout=120s'),
      timeoutMs: 140_000,
    },
    {
      id: 'pods',
      // Sealed pods stay 0/1 Ready by design (the readiness probe runs `vault status`): wait for Running, not Ready.
      title: msg('Vault Pod가 Running이 될 때까지 (봉인 상태라 0/1 Ready는 정상)', 'until the Vault pods run (sealed pods are 0/1 Ready by design)'),
      file: 'kubectl',
      args: kubectl('wait', '--for=jsonpath={.status.phase}=Running', ...pods, '-n', NAMESPACE, '--timeout=300s'),
      timeoutMs: 320_000,
    },
  );
  return { files, steps };
}

/** The plan as a shell script a learner can read and run. */
export function planScript(plan: Plan, lang: 'ko' | 'en', header: string): string {
  const out = ['#!/usr/bin/env bash', `# ${header}`, 'set -euo pipefail', ''];
  plan.steps.forEach((s, i) => {
    out.push(`# ${i + 1}. ${s.title[lang]}`, commandLine(s.file, s.args), '');
  });
  return out.join('\n');
}

export function writePlanFiles(dir: string, files: PlanFile[]): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const file of files) {
    const p = path.join(dir, file.name);
    const mode = file.secret ? 0o600 : file.executable ? 0o755 : 0o644;
    fs.writeFileSync(p, file.content, { mode });
    fs.chmodSync(p, mode);
  }
}
