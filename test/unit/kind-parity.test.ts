/**
 * Issue 12, "Found" 1, 2, 3, 5, 6: what the kind path generates against the study note's HA and TLS sections,
 * the real hashicorp/vault-helm 0.31.0 templates and ingress-nginx controller-v1.15.1. kubectl/helm/kind calls go to
 * a FAKE runner (no cluster can run here); certificates are made by the real openssl and read back with node:crypto.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadYaml } from '@kubernetes/client-node';
import { useTempLabHome } from '../helpers.ts';
import { LabDir } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { certSans, helmValues, kindClusterConfig, serverHcl, toYaml } from '../../src/platforms/kind/config.ts';
import { renderKind } from '../../src/platforms/kind/exec-plan.ts';
import { renderLocal } from '../../src/platforms/local/render.ts';
import { KindPlatform, labCertificates, schedulableNodes, type KindDeps } from '../../src/platforms/kind/kind.ts';
import { ensureCa, ensureServerCert } from '../../src/tls/certs.ts';
import type { RunOptions, RunResult } from '../../src/exec.ts';

useTempLabHome('kind-parity-test-');
const sink = { write: () => undefined };
const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: sink, stderr: sink });

type Node = { metadata: { name: string; labels?: Record<string, string> }; spec: { taints?: { key: string; effect: string }[] }; status: { conditions: { type: string; status: string }[] } };
const node = (name: string, ready: boolean, controlPlane = false): Node => ({
  metadata: { name, ...(controlPlane ? { labels: { 'ingress-ready': 'true' } } : {}) },
  spec: {
    taints: [
      ...(controlPlane ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : []),
      // kubelet registers a node with this taint; the node lifecycle controller lifts it once the node is Ready.
      ...(ready ? [] : [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]),
    ],
  },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

/** A FAKE cluster just after `kind create cluster --wait`: the control plane is Ready, the workers are not yet, until someone waits for them. */
function fakeCluster(cluster: { oldCluster?: boolean } = {}) {
  const calls: { line: string; input?: string | undefined }[] = [];
  let workersReady = false;
  const run = async (file: string, args: readonly string[], o: RunOptions = {}): Promise<RunResult> => {
    const line = [file, ...args].join(' ');
    calls.push({ line, input: o.input });
    let stdout = '';
    if (line === 'kind get clusters') stdout = 'vault-lab\n';
    else if (/ wait --for=condition=Ready nodes? --all/.test(line)) workersReady = true;
    else if (line.includes('get nodes -o json')) {
      const cp = node('vault-lab-control-plane', true, true);
      if (cluster.oldCluster) delete cp.metadata.labels;
      stdout = JSON.stringify({ items: [cp, ...[1, 2, 3].map((i) => node(`vault-lab-worker${i === 1 ? '' : i}`, workersReady))] });
    }
    else if (line.includes('get pods') && line.includes('-o json')) stdout = JSON.stringify({ items: [0, 1, 2].map((i) => ({ metadata: { name: `vault-${i}` }, status: { phase: 'Running' } })) });
    else if (line.includes('--dry-run=client')) stdout = '# rendered\n';
    return { command: line, exitCode: 0, stdout, stderr: '' };
  };
  const deps: Partial<KindDeps> = {
    run,
    which: (n) => `/fake/bin/${n}`,
    daemon: () => 999_999,
    isAlive: () => false,
    kill: async () => undefined,
    reachable: async () => true,
    sleep: async () => undefined,
    env: {},
  };
  return { calls, deps };
}

type Ingress = { enabled: boolean; ingressClassName: string; activeService: boolean; pathType: string; annotations: Record<string, string>; hosts: { host: string; paths: string[] }[] };
type Values = { server: { affinity?: string; ingress?: Ingress; auditStorage: { enabled: boolean; mountPath?: string }; ha?: { raft: { config: string } } } };

describe('1. ingress-nginx with SSL passthrough, as the study note HA and TLS sections', () => {
  it('the kind config labels the control plane ingress-ready and maps 80 and 443', () => {
    const text = toYaml(kindClusterConfig());
    const c = loadYaml<{ nodes: { role: string; labels?: Record<string, unknown>; extraPortMappings?: { containerPort: number; hostPort: number; protocol: string }[] }[] }>(text);
    const cp = c.nodes[0]!;
    expect(cp.role).toBe('control-plane');
    // kind's v1alpha4 Node.Labels is map[string]string (pkg/apis/config/v1alpha4/types.go): the value must stay a string.
    expect(cp.labels).toEqual({ 'ingress-ready': 'true' });
    expect(text).toMatch(/ingress-ready: ['"]true['"]/);
    const ports = cp.extraPortMappings!.map((m) => [m.containerPort, m.hostPort, m.protocol]);
    expect(ports).toEqual(expect.arrayContaining([[80, 80, 'TCP'], [443, 443, 'TCP']]));
    expect(c.nodes.slice(1).every((n) => n.role === 'worker' && !n.labels)).toBe(true);
  });

  it('ha-failover values expose Vault at vault.example.com through an nginx Ingress with SSL passthrough to the active pod', async () => {
    const v = loadYaml<Values>(toYaml(helmValues((await loadTopic('ha-failover')).needs.vault)));
    expect(v.server.ingress).toEqual({
      enabled: true,
      ingressClassName: 'nginx',
      activeService: true,
      pathType: 'Prefix',
      annotations: { 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true', 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' },
      hosts: [{ host: 'vault.example.com', paths: ['/'] }],
    });
  });

  it('the standalone HTTP topic gets no Ingress (nothing to pass TLS through)', async () => {
    const v = loadYaml<Values>(toYaml(helmValues((await loadTopic('vault-k8s')).needs.vault)));
    expect(v.server.ingress).toBeUndefined();
  });

  it('the HA certificate names vault.example.com, so the handshake through the ingress verifies (real openssl)', async () => {
    expect(certSans((await loadTopic('ha-failover')).needs.vault).dns).toContain('vault.example.com');
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const f = fakeCluster();
    await new KindPlatform(lab, topic, f.deps).up(topic.needs, report);
    const cert = new X509Certificate(fs.readFileSync(lab.path('tls', 'vault.crt')));
    expect(cert.checkHost('vault.example.com')).toBe('vault.example.com');
    expect(cert.checkHost('vault-2.vault-internal')).toBe('vault-2.vault-internal');
    lab.remove();
  });

  it('a lab certificate from before the ingress (no vault.example.com) is reissued with it, same CA (real openssl)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kind-oldcert-'));
    const spec = (await loadTopic('ha-failover')).needs.vault;
    const ca = await ensureCa(dir);
    const oldSans = certSans(spec).dns.filter((d) => d !== 'vault.example.com');
    await ensureServerCert(dir, 'vault', { dns: oldSans, ip: ['127.0.0.1'] }, ca);
    expect(new X509Certificate(fs.readFileSync(path.join(dir, 'vault.crt'))).checkHost('vault.example.com')).toBeUndefined();
    const pem = await labCertificates(dir, spec);
    const cert = new X509Certificate(pem.crt);
    expect(cert.checkHost('vault.example.com')).toBe('vault.example.com');
    expect(cert.verify(new X509Certificate(fs.readFileSync(path.join(dir, 'ca.crt'))).publicKey)).toBe(true);
    // An up-to-date certificate is kept as it is.
    expect((await labCertificates(dir, spec)).crt).toBe(pem.crt);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('up() deploys ingress-nginx for kind, pinned to the ingress-ready node with --enable-ssl-passthrough, before the chart creates its Ingress', async () => {
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const f = fakeCluster();
    await new KindPlatform(lab, topic, f.deps).up(topic.needs, report);
    const lines = f.calls.map((c) => c.line);
    const apply = lines.findIndex((l) => l.includes('apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml'));
    const patch = lines.findIndex((l) => l.includes('patch deployment ingress-nginx-controller -n ingress-nginx'));
    const rollout = lines.findIndex((l) => l.includes('rollout status deployment/ingress-nginx-controller -n ingress-nginx'));
    const helm = lines.findIndex((l) => l.includes('upgrade --install vault hashicorp/vault'));
    expect(apply).toBeGreaterThan(-1);
    expect(patch).toBeGreaterThan(apply);
    // The chart's Ingress goes through ingress-nginx's validating webhook: the controller must be up first.
    expect(rollout).toBeGreaterThan(patch);
    expect(helm).toBeGreaterThan(rollout);
    const patchFile = /--patch-file (\S+)/.exec(lines[patch]!)![1]!;
    const p = loadYaml<{ spec: { template: { spec: { nodeSelector: Record<string, string>; containers: { name: string; args: string[] }[] } } } }>(fs.readFileSync(patchFile, 'utf8'));
    expect(p.spec.template.spec.nodeSelector).toEqual({ 'ingress-ready': 'true' });
    const args = p.spec.template.spec.containers.find((c) => c.name === 'controller')!.args;
    expect(args).toContain('--enable-ssl-passthrough');
    // A strategic merge patch replaces the args list: every flag of the pinned manifest must still be there.
    expect(args.slice(0, 10)).toEqual([
      '/nginx-ingress-controller', '--election-id=ingress-nginx-leader', '--controller-class=k8s.io/ingress-nginx', '--ingress-class=nginx',
      '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--validating-webhook=:8443', '--validating-webhook-certificate=/usr/local/certificates/cert',
      '--validating-webhook-key=/usr/local/certificates/key', '--watch-ingress-without-class=true', '--publish-status-address=localhost',
    ]);
    lab.remove();
  });
});

describe('1. the ingress on clusters the lab did not make', () => {
  it('a vault-lab cluster from an earlier lab (no ingress-ready node) stops with a hint instead of a controller Pending for ever', async () => {
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const f = fakeCluster({ oldCluster: true });
    await expect(new KindPlatform(lab, topic, f.deps).up(topic.needs, report)).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('no ingress-ready node') });
    expect(f.calls.some((c) => c.line.includes('ingress-nginx'))).toBe(false);
    lab.remove();
  });

  it('LAB_KUBE_CONTEXT: no ingress-nginx is deployed into someone else\'s cluster; the chart still asks for its Ingress', async () => {
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const f = fakeCluster({ oldCluster: true });
    const calls: string[] = [];
    const run = f.deps.run!;
    f.deps.run = async (file, args, opts) => {
      const line = [file, ...args].join(' ');
      calls.push(line);
      return line === 'kubectl config get-contexts -o name' ? { command: line, exitCode: 0, stdout: 'their-cluster\n', stderr: '' } : run(file, args, opts);
    };
    f.deps.env = { LAB_KUBE_CONTEXT: 'their-cluster' };
    await new KindPlatform(lab, topic, f.deps).up(topic.needs, report);
    expect(calls.some((c) => c.includes('ingress-nginx'))).toBe(false);
    expect(fs.readFileSync(lab.path('kind', 'values.yaml'), 'utf8')).toContain('nginx.ingress.kubernetes.io/ssl-passthrough');
    lab.remove();
  });
});

describe('2. disable_mlock once in the rendered Raft config', () => {
  /** What templates/_helpers.tpl "vault.config" does to an HCL (non-JSON) config in chart 0.31.0. */
  const chartRendered = (config: string): string => `${config}\ndisable_mlock = true`;

  it('the lab leaves disable_mlock to the chart, which always appends it', async () => {
    const cfg = chartRendered(serverHcl((await loadTopic('ha-failover')).needs.vault));
    expect(cfg.match(/^\s*disable_mlock\s*=/gm)).toHaveLength(1);
  });
  it('the standalone config too', async () => {
    const cfg = chartRendered(serverHcl((await loadTopic('vault-k8s')).needs.vault));
    expect(cfg.match(/^\s*disable_mlock\s*=/gm)).toHaveLength(1);
  });
});

describe('3. schedulable nodes counted once every node is Ready', () => {
  it('a worker still NotReady is not schedulable', () => {
    const list = (ready: boolean) => JSON.stringify({ items: [node('cp', true, true), { ...node('w1', ready), spec: {} }] });
    expect(schedulableNodes(list(true))).toBe(1);
    // Ready=False without the taint yet (the lifecycle controller adds it a moment later).
    expect(schedulableNodes(list(false))).toBe(0);
  });

  it('up() waits for every node before it counts them, so three workers keep the required anti-affinity', async () => {
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const f = fakeCluster();
    await new KindPlatform(lab, topic, f.deps).up(topic.needs, report);
    const lines = f.calls.map((c) => c.line);
    const wait = lines.findIndex((l) => l.includes('wait --for=condition=Ready nodes --all'));
    const count = lines.findIndex((l) => l.includes('get nodes -o json'));
    expect(wait).toBeGreaterThan(-1);
    expect(count).toBeGreaterThan(wait);
    const v = loadYaml<Values>(fs.readFileSync(lab.path('kind', 'values.yaml'), 'utf8'));
    expect(v.server.affinity).toBeUndefined();
    lab.remove();
  });
});

describe('5. lesson commands carry the lab context', () => {
  it('every kubectl the kind renderer prints names --context "$LAB_KUBE_CONTEXT"', () => {
    const ctx = '--context "$LAB_KUBE_CONTEXT"';
    expect(renderKind({ kind: 'vault', args: ['operator', 'init'] })).toBe(`kubectl ${ctx} exec vault-0 -n vault -- vault operator init`);
    expect(renderKind({ kind: 'vault', node: 2, args: ['kv', 'get', 'secret/x'] })).toBe(`printf '%s\\n' "$VAULT_TOKEN" | kubectl ${ctx} exec -i vault-2 -n vault -- sh -c 'IFS= read -r VAULT_TOKEN; export VAULT_TOKEN; exec vault kv get secret/x'`);
    expect(renderKind({ kind: 'node', action: 'kill', node: 0 })).toBe(`kubectl ${ctx} delete pod vault-0 -n vault --grace-period=0 --force`);
    // Start = the pod exists, runs, and its Vault answers (issue 19, defect 7), every kubectl with the context.
    const start = renderKind({ kind: 'node', action: 'start', node: 0 });
    expect(start).toMatch(new RegExp(`^kubectl ${ctx.replace(/[$"]/g, '\\$&')} wait --for=create pod/vault-0 `));
    expect(start.match(/kubectl /g)).toHaveLength(3);
    expect(start.match(/kubectl --context/g)).toHaveLength(3);
    expect(renderKind({ kind: 'node', action: 'stop', node: 0 })).toBe(`kubectl ${ctx} delete pod vault-0 -n vault`);
  });

  it("node 'active': the leader as the chart selects it (the vault-active=true label Vault's service registration sets, openbao-active for OpenBao); local: the relay and `lab node … active`", () => {
    const ctx = '--context "$LAB_KUBE_CONTEXT"';
    // Vault labels its own pod vault-active=true only with Kubernetes service registration; the chart's vault-active
    // Service (templates/server-ha-active-service.yaml, 0.31.0) selects that label.
    expect(serverHcl({ nodes: 3, storage: 'raft', tls: { minVersion: 'tls12' } })).toContain('service_registration "kubernetes" {}');
    expect(renderKind({ kind: 'node', action: 'stop', node: 'active' })).toBe(`kubectl ${ctx} delete pod -l vault-active=true -n vault`);
    expect(renderKind({ kind: 'node', action: 'kill', node: 'active' })).toBe(`kubectl ${ctx} delete pod -l vault-active=true -n vault --grace-period=0 --force`);
    expect(renderKind({ kind: 'vault', node: 'active', args: ['status'] })).toBe(`kubectl ${ctx} exec "$(kubectl ${ctx} get pod -n vault -l vault-active=true -o name)" -n vault -- vault status`);
    // OpenBao labels its pod openbao-active (the lab's own cluster runs it): the chart's vault-active Service stays empty,
    // so the lines select the pod by the label the server really writes (seen on the real cluster: the drill deleted nothing).
    const bao = { activeLabel: 'openbao-active' } as const;
    expect(renderKind({ kind: 'node', action: 'stop', node: 'active' }, bao)).toBe(`kubectl ${ctx} delete pod -l openbao-active=true -n vault`);
    expect(renderKind({ kind: 'vault', node: 'active', args: ['status'] }, bao)).toBe(`kubectl ${ctx} exec "$(kubectl ${ctx} get pod -n vault -l openbao-active=true -o name)" -n vault -- vault status`);
    expect(renderKind({ kind: 'wait', probe: { kind: 'vault', node: 'active', args: ['status'] }, timeoutSec: 30 }, bao)).toContain('-l openbao-active=true');
    expect(() => renderKind({ kind: 'node', action: 'start', node: 'active' })).toThrow(/cannot be started/);
    const spec = { activeAddr: true };
    expect(renderLocal({ kind: 'vault', node: 'active', args: ['status'] }, spec, 'ha-failover')).toBe('vault status');
    expect(renderLocal({ kind: 'node', action: 'stop', node: 'active' }, spec, 'ha-failover')).toBe('npx lab node ha-failover stop active');
    expect(() => renderLocal({ kind: 'vault', node: 'active', args: ['status'] }, {}, 'tls')).toThrow(/activeAddr/);
  });

  it('ha-failover on kind renders no kubectl without --context', async () => {
    const topic = await loadTopic('ha-failover');
    const all = topic.steps.flatMap((s) => s.commands ?? []).map((c) => renderKind(c));
    const bare = all.filter((l) => /(^|\s)kubectl\s/.test(l) && !l.includes('kubectl --context'));
    expect(bare).toEqual([]);
  });
});

describe('6. smaller: no unused host port, audit volume at the chart default', () => {
  it('30001 is not mapped (nothing listens there); 30000 stays for the standalone NodePort', () => {
    const c = kindClusterConfig() as { nodes: { extraPortMappings?: { hostPort: number }[] }[] };
    const ports = c.nodes[0]!.extraPortMappings!.map((m) => m.hostPort);
    expect(ports).not.toContain(30001);
    expect(ports).toContain(30000);
  });

  it('auditStorage keeps the chart default mountPath /vault/audit (values.yaml of 0.31.0)', async () => {
    const v = loadYaml<Values>(toYaml(helmValues((await loadTopic('ha-failover')).needs.vault)));
    expect(v.server.auditStorage.enabled).toBe(true);
    expect(v.server.auditStorage.mountPath ?? '/vault/audit').toBe('/vault/audit');
  });
});
