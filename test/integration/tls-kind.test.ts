/**
 * `lab run tls --platform kind`, steps and checks, with a FAKE cluster: no kind cluster can run on this machine. The
 * fake runner records every kind/kubectl/helm call; its `helm upgrade --install` starts a REAL OpenBao from what the
 * lab generated (the chart's server HCL from values.yaml, the certificate and key from vault-tls-secret.yaml), standing
 * in for vault-0 behind its port-forward; its `kubectl exec vault-0 -- …` runs the in-pod command here with the pod's
 * environment (VAULT_ADDR https://127.0.0.1, VAULT_CACERT the mounted CA). ingress-nginx with SSL passthrough is a REAL
 * TCP proxy that forwards bytes untouched; its default certificate is a REAL TLS server with the controller's subject.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadYaml } from '@kubernetes/client-node';
import { freePort, useTempLabHome } from '../helpers.ts';
import { LabDir, newLabRecord } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { createContext } from '../../src/engine/context.ts';
import { findStep, runSteps } from '../../src/engine/runner.ts';
import { registerSecret } from '../../src/engine/redact.ts';
import type { LabContext, Topic } from '../../src/engine/types.ts';
import { KindPlatform, type KindDeps } from '../../src/platforms/kind/kind.ts';
import { renderKind } from '../../src/platforms/kind/exec-plan.ts';
import { ensureServerCert } from '../../src/tls/certs.ts';
import { daemon, killDaemon, run, type RunOptions, type RunResult } from '../../src/exec.ts';
import { findVaultBinary } from '../../src/vault/binary.ts';
import { VaultClient } from '../../src/vault/client.ts';
import { INGRESS_FAKE_CN } from '../../checkers/tls.ts';

const home = useTempLabHome('tls-kind-test-');
const sink = { write: () => undefined };
const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: sink, stderr: sink });
const HOST = 'vault.example.com';


/** FAKE: the lab's ingress address aimed at this test's stand-in instead of the host's 443. */
class FakeIngressKind extends KindPlatform {
  ingressPort = 0;
  override get ingress() {
    return { host: '127.0.0.1', port: this.ingressPort, servername: HOST };
  }
}

const calls: string[] = [];
const podDir = path.join(home, 'pod-vault-0');
const bin = path.join(home, 'bin');
let apiPort = 0;
let baoPid: number | undefined;
let baoPath = '';
const servers: net.Server[] = [];
let passTo = 0;

/** The pod's own environment, as the chart sets it (VAULT_ADDR https://127.0.0.1:8200, VAULT_CACERT from extraEnvironmentVars). */
const podEnv = () => ({ PATH: `${bin}:${process.env.PATH}`, VAULT_ADDR: `https://127.0.0.1:${apiPort}`, VAULT_CACERT: path.join(podDir, 'ca.crt'), BAO_ADDR: undefined, BAO_CACERT: undefined, VAULT_TOKEN: undefined, BAO_TOKEN: undefined, VAULT_SKIP_VERIFY: undefined, BAO_SKIP_VERIFY: undefined });
const inPod = (a: string) => a.split('/vault/userconfig/vault-tls/').join(`${podDir}/`);

/** `helm upgrade --install vault`: vault-0 starts from the generated values and the Secret the lab applied. */
async function install(lab: LabDir, valuesFile: string): Promise<void> {
  if (baoPid) return;
  const values = loadYaml<{ server: { standalone: { config: string }; extraEnvironmentVars: { VAULT_CACERT: string } } }>(fs.readFileSync(valuesFile, 'utf8'));
  expect(values.server.extraEnvironmentVars.VAULT_CACERT).toBe('/vault/userconfig/vault-tls/ca.crt');
  const secret = loadYaml<{ data: Record<string, string> }>(fs.readFileSync(lab.path('kind', 'vault-tls-secret.yaml'), 'utf8'));
  fs.mkdirSync(path.join(podDir, 'data'), { recursive: true });
  for (const [k, v] of Object.entries(secret.data)) fs.writeFileSync(path.join(podDir, k), Buffer.from(v, 'base64'), { mode: 0o600 });
  const cluster = await freePort();
  const hcl = inPod(values.server.standalone.config).replace('[::]:8200', `127.0.0.1:${apiPort}`).replace('[::]:8201', `127.0.0.1:${cluster}`).replace('/vault/data', path.join(podDir, 'data'));
  // The chart's "vault.config" helper appends disable_mlock = true.
  fs.writeFileSync(path.join(podDir, 'config.hcl'), `${hcl}\ndisable_mlock = true\n`);
  baoPid = daemon(baoPath, ['server', `-config=${path.join(podDir, 'config.hcl')}`], { logFile: path.join(home, 'vault-0.log') });
}

function fakeDeps(lab: LabDir): Partial<KindDeps> {
  const nodes = JSON.stringify({
    items: [
      { metadata: { name: 'cp', labels: { 'ingress-ready': 'true' } }, spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      ...[1, 2, 3].map((i) => ({ metadata: { name: `w${i}` }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } })),
    ],
  });
  const fakeRun = async (file: string, args: readonly string[], o: RunOptions = {}): Promise<RunResult> => {
    const line = [file, ...args].join(' ');
    calls.push(line);
    const dash = args.indexOf('--');
    if (file === 'kubectl' && args.includes('exec') && dash > 0) {
      const [cmd, ...rest] = args.slice(dash + 1).map(inPod);
      return run(cmd!, rest, { env: podEnv(), ...(o.input !== undefined ? { input: o.input } : {}), ...(o.reject !== undefined ? { reject: o.reject } : {}) });
    }
    if (file === 'helm' && args.includes('upgrade')) await install(lab, args[args.indexOf('-f') + 1]!);
    let stdout = '';
    if (line === 'kind get clusters') stdout = 'vault-lab\n';
    else if (line.includes('get nodes -o json')) stdout = nodes;
    else if (line.includes('get pods') && line.includes('-o json')) stdout = JSON.stringify({ items: baoPid ? [{ metadata: { name: 'vault-0' }, status: { phase: 'Running' } }] : [] });
    return { command: line, exitCode: 0, stdout, stderr: '' };
  };
  // No port-forward process: the OpenBao above listens on the forwarded port itself.
  return { run: fakeRun, which: (n) => `/fake/bin/${n}`, daemon: () => 999_999, isAlive: () => false, kill: async () => undefined, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 200))), env: {} };
}

function listen(srv: net.Server): Promise<number> {
  servers.push(srv);
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port)));
}

let topic: Topic;
let lab: LabDir;
let platform: FakeIngressKind;
let ctx: LabContext;
let ingressPort = 0;
let fakeCertPort = 0;

beforeAll(async () => {
  baoPath = (await findVaultBinary()).path;
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(baoPath, path.join(bin, 'vault'));
  topic = await loadTopic('tls');
  lab = new LabDir('tls');
  lab.ensure();
  apiPort = await freePort();
  // The lab's port block starts where the kernel found a free port: vault-0's forwarded port is its first.
  lab.saveRecord(newLabRecord('tls', 'kind', apiPort, { context: 'kind-vault-lab', ownCluster: 'true' }));
  platform = new FakeIngressKind(lab, topic, fakeDeps(lab));
  ctx = createContext(topic, platform, lab, report, 'en');
  // ingress-nginx with --enable-ssl-passthrough: bytes to whatever passTo names, TLS never opened here.
  ingressPort = await listen(
    net.createServer((c) => {
      const up = net.connect(passTo, '127.0.0.1');
      c.pipe(up).pipe(c);
      up.on('error', () => c.destroy());
      c.on('error', () => up.destroy());
    }),
  );
  const fake = path.join(home, 'fake');
  fs.mkdirSync(fake);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(fake, 'k'), '-out', path.join(fake, 'c'), '-days', '365', '-subj', `/O=Acme Co/CN=${INGRESS_FAKE_CN}`, '-addext', 'subjectAltName=DNS:ingress.local']);
  fakeCertPort = await listen(tls.createServer({ cert: fs.readFileSync(path.join(fake, 'c')), key: fs.readFileSync(path.join(fake, 'k')) }, (s) => s.end()));
});
afterAll(async () => {
  for (const s of servers) s.close();
  if (baoPid) await killDaemon(baoPid);
});

const failed = async () => (await (await topic.checker()).evaluate(ctx)).filter((r) => !r.verdict.ok);
const failedIds = async () => (await failed()).map((r) => r.id);

describe('tls on kind (fake cluster, real OpenBao from the generated values and Secret)', () => {
  it('lab start: setup steps drive kind/kubectl/helm in order; the certificate is vault.crt from the lab CA; only the task checks are open', async () => {
    const nothing = await freePort();
    platform.ingressPort = nothing;
    await runSteps(ctx, 'start');
    const c = (s: string) => calls.findIndex((l) => l.includes(s));
    const order = ['kind get clusters', 'wait --for=condition=Ready nodes', 'apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml', 'patch deployment ingress-nginx-controller -n ingress-nginx --type=strategic --patch-file', 'rollout status deployment/ingress-nginx-controller', `apply -f ${lab.path('kind', 'vault-tls-secret.yaml')}`, 'upgrade --install vault hashicorp/vault -n vault', 'exec vault-0 -n vault -- vault operator init -key-shares=1 -key-threshold=1 -format=json', 'exec -i vault-0 -n vault -- sh -c', 'exec vault-0 -n vault -- vault status'];
    for (let i = 1; i < order.length; i++) expect(c(order[i]!), order[i]).toBeGreaterThan(c(order[i - 1]!));
    expect(calls.filter((l) => l.startsWith('kubectl ')).every((l) => l.startsWith('kubectl --context kind-vault-lab '))).toBe(true);
    // The unseal key went on stdin, never on a command line.
    const keys = lab.clusterKeys()!;
    registerSecret(keys.root_token!);
    expect(calls.join('\n')).not.toContain(keys.unseal_keys_b64![0]!);
    expect(platform.shellEnv().LAB_TLS_CERT).toBe(lab.path('tls', 'vault.crt'));
    const health = await new VaultClient({ addr: platform.vaultNodes()[0]!.addr, caFile: platform.caFile }).health();
    expect(health).toMatchObject({ initialized: true, sealed: false });
    const f = await failed();
    expect(f.map((r) => r.id)).toEqual(['client-read', 'ingress-passthrough']);
    expect(f[1]!.verdict.why?.en).toContain(`nothing accepts connections on 127.0.0.1:${nothing} (ECONNREFUSED)`);
  });

  it('client and verify run: vault in the pod (kubectl exec), curl on the host through the port-forward', async () => {
    calls.length = 0;
    await runSteps(ctx, 'run', findStep(topic, 'client'));
    await runSteps(ctx, 'run', findStep(topic, 'verify'));
    expect(calls).toContain('kubectl --context kind-vault-lab exec -i vault-0 -n vault -- sh -c IFS= read -r VAULT_TOKEN; export VAULT_TOKEN; exec vault kv get secret/webapp/config');
    expect(await failedIds()).toEqual(['ingress-passthrough']);
  });

  it("the ingress step's commands, aimed at the passthrough stand-in, verify Vault's own certificate with the lab CA", async () => {
    passTo = apiPort;
    platform.ingressPort = ingressPort;
    const step = findStep(topic, 'ingress');
    expect(step.platforms).toEqual(['kind']);
    // The same commands, the host's 443 replaced by the stand-in's port (443 cannot be taken on a shared machine).
    const aim = (a: string) => a.replace('127.0.0.1:443', `127.0.0.1:${ingressPort}`).replace(`${HOST}:443:`, `${HOST}:${ingressPort}:`).replace(`https://${HOST}/`, `https://${HOST}:${ingressPort}/`);
    const [curl, sclient] = step.commands!.map((c) => (c.kind === 'exec' ? { ...c, args: c.args.map(aim) } : c));
    expect((await ctx.exec(curl!)).stdout).toMatch(/"initialized":true,"sealed":false/);
    const s = await ctx.exec(sclient!);
    expect(s.stdout + s.stderr).toContain(`Peer certificate: CN = ${HOST}`);
    expect(s.stdout + s.stderr).toContain('Verification: OK');
    expect(await failedIds()).toEqual([]);
  });

  it("ingress-nginx without --enable-ssl-passthrough (its fake certificate answers 443): only ingress-passthrough fails, naming the flag", async () => {
    passTo = fakeCertPort;
    const f = await failed();
    expect(f.map((r) => r.id)).toEqual(['ingress-passthrough']);
    expect(f[0]!.verdict.why?.en).toContain(`presented its default certificate (CN=${INGRESS_FAKE_CN})`);
    expect(JSON.stringify(f[0]!.verdict.fixCmds)).toContain('--enable-ssl-passthrough');
    passTo = apiPort;
    expect(await failedIds()).toEqual([]);
  });

  it("a lab-CA certificate for another name behind 443: the learner's s_client refuses it (-verify_hostname) and the check names it", async () => {
    fs.mkdirSync(path.join(home, 'other'), { recursive: true });
    const other = await ensureServerCert(path.join(home, 'other'), 'grafana', { dns: ['grafana.example.com'], ip: [] }, { ca: lab.path('tls', 'ca.crt'), caKey: lab.path('tls', 'ca.key') });
    passTo = await listen(tls.createServer({ cert: fs.readFileSync(other.cert), key: fs.readFileSync(other.key) }, (s) => s.end()));
    const sclient = findStep(topic, 'ingress').commands![1]!;
    if (sclient.kind !== 'exec') throw new Error('s_client is an exec command');
    const r = await ctx.exec({ ...sclient, args: sclient.args.map((a) => a.replace('127.0.0.1:443', `127.0.0.1:${ingressPort}`)), mayFail: true });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/hostname mismatch/i);
    const f = await failed();
    expect(f.map((x) => x.id)).toEqual(['ingress-passthrough']);
    expect(f[0]!.verdict.why?.en).toContain('presented a certificate not for vault.example.com (CN=grafana.example.com');
    passTo = apiPort;
  });

  it('the kind lesson renders vault commands as kubectl exec with the lab context, and host commands as typed', () => {
    const r = (id: string) => findStep(topic, id).commands!.map((c) => renderKind(c));
    expect(r('server')).toEqual(['kubectl --context "$LAB_KUBE_CONTEXT" exec vault-0 -n vault -- vault status']);
    expect(r('certs')[0]).toBe('openssl x509 -in "$LAB_TLS_CERT" -noout -subject -issuer -enddate -ext subjectAltName');
    expect(r('client')).toContain(`printf '%s\\n' "$VAULT_TOKEN" | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-0 -n vault -- sh -c 'IFS= read -r VAULT_TOKEN; export VAULT_TOKEN; exec vault kv get secret/webapp/config'`);
    expect(r('ingress')).toEqual([
      `curl -sS --fail --cacert "$VAULT_CACERT" --resolve ${HOST}:443:127.0.0.1 https://${HOST}/v1/sys/health`,
      `openssl s_client -connect 127.0.0.1:443 -servername ${HOST} -CAfile "$VAULT_CACERT" -verify_hostname ${HOST} -verify_return_error -brief <<'EOF'\nQ\nEOF`,
    ]);
  });
});
