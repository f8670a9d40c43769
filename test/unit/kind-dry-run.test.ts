/**
 * `lab run <topic> --platform kind --dry-run --out D`: the files and the ordered plan, and no cluster touched.
 * docker, kind, kubectl and helm on PATH are FAKES that log and fail, and the exec seam's tracer records every
 * command the lab starts: the dry run must call none of the four (openssl, for the certificate, is real).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadYaml } from '@kubernetes/client-node';
import { cli, useTempLabHome } from '../helpers.ts';
import { setTracer, run, type RunOptions, type RunResult } from '../../src/exec.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { LabDir } from '../../src/engine/state.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { KindPlatform, type KindDeps } from '../../src/platforms/kind/kind.ts';
import { kindDryRun } from '../../src/platforms/kind/dry-run.ts';
import { nonEmpty } from '../non-empty.ts';

const home = useTempLabHome('kind-dry-run-test-');
const CLUSTER_TOOLS = ['docker', 'kind', 'kubectl', 'helm'];
const fakeBin = path.join(home, 'fake-bin');
const callLog = path.join(home, 'cluster-calls.log');
const traced: string[] = [];
let savedPath = '';

beforeAll(() => {
  fs.mkdirSync(fakeBin, { recursive: true });
  for (const t of CLUSTER_TOOLS) fs.writeFileSync(path.join(fakeBin, t), `#!/bin/sh\necho "${t} $*" >> '${callLog}'\nexit 1\n`, { mode: 0o755 });
  savedPath = process.env.PATH ?? '';
  process.env.PATH = `${fakeBin}:${savedPath}`;
  setTracer((line) => traced.push(line));
});
afterAll(() => {
  setTracer(undefined);
  process.env.PATH = savedPath;
});
const clusterCalls = () => [...(fs.existsSync(callLog) ? fs.readFileSync(callLog, 'utf8').split('\n').filter(Boolean) : []), ...traced.filter((l) => CLUSTER_TOOLS.includes(l.split(' ')[0]!))];

describe('lab run ha-failover --platform kind --dry-run --out D', () => {
  const out = path.join(home, 'D');
  let stdout = '';
  beforeAll(async () => {
    const r = await cli('--lang', 'en', 'run', 'ha-failover', '--platform', 'kind', '--dry-run', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    stdout = r.stdout;
  });

  it('calls no docker, kind, kubectl or helm (only openssl) and makes no lab', () => {
    expect(clusterCalls()).toEqual([]);
    expect(traced.length).toBeGreaterThan(0);
    expect(traced.every((l) => l.startsWith('openssl '))).toBe(true);
    expect(fs.existsSync(path.join(home, 'ha-failover'))).toBe(false);
    expect(stdout).toContain('Nothing was applied to any cluster');
  });

  it('writes a kind config with an ingress-ready node and 80/443', () => {
    const c = loadYaml<{ nodes: { role: string; labels?: Record<string, string>; extraPortMappings?: { hostPort: number }[] }[] }>(fs.readFileSync(path.join(out, 'cluster.yaml'), 'utf8'));
    expect(c.nodes[0]!.labels).toEqual({ 'ingress-ready': 'true' });
    expect(c.nodes[0]!.extraPortMappings!.map((m) => m.hostPort)).toEqual([80, 443, 30000]);
    expect(c.nodes.filter((n) => n.role === 'worker')).toHaveLength(3);
  });

  it('writes values with server.ingress for vault.example.com with SSL passthrough, and a Raft config without disable_mlock (the chart adds it once)', () => {
    const v = loadYaml<{ server: { ingress: { hosts: { host: string }[]; annotations: Record<string, string> }; ha: { raft: { config: string } } } }>(fs.readFileSync(path.join(out, 'values.yaml'), 'utf8'));
    expect(v.server.ingress.hosts[0]!.host).toBe('vault.example.com');
    expect(v.server.ingress.annotations['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
    expect(v.server.ha.raft.config).not.toContain('disable_mlock');
  });

  it('writes ingress-nginx with --enable-ssl-passthrough, the vault-tls Secret 0600, and the certificate for vault.example.com', () => {
    expect(fs.readFileSync(path.join(out, 'ingress-nginx-patch.yaml'), 'utf8')).toContain('- --enable-ssl-passthrough');
    expect(fs.statSync(path.join(out, 'vault-tls-secret.yaml')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(out, 'tls', 'vault.key')).mode & 0o777).toBe(0o600);
    const s = loadYaml<{ data: Record<string, string> }>(fs.readFileSync(path.join(out, 'vault-tls-secret.yaml'), 'utf8'));
    expect(Object.keys(s.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
  });

  it('writes plan.sh: valid bash, every node waited for before the chart, ingress-nginx before the chart', async () => {
    const script = fs.readFileSync(path.join(out, 'plan.sh'), 'utf8');
    await run('bash', ['-n', path.join(out, 'plan.sh')]);
    const cmds = script.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('set '));
    const at = (s: string) => cmds.findIndex((c) => c.includes(s));
    expect(at('kind create cluster')).toBe(0);
    expect(at('wait --for=condition=Ready nodes --all')).toBe(1);
    expect(at('deploy/static/provider/kind/deploy.yaml')).toBeGreaterThan(1);
    expect(at('ingress-nginx-patch.yaml')).toBeGreaterThan(at('deploy/static/provider/kind/deploy.yaml'));
    expect(at('rollout status deployment/ingress-nginx-controller')).toBeLessThan(at('upgrade --install vault hashicorp/vault'));
    expect(at('vault-tls-secret.yaml')).toBeLessThan(at('upgrade --install'));
  });

  it('is the same ordered commands lab run executes (fake runner), the learner-only pod waits aside', async () => {
    const topic = await loadTopic('ha-failover');
    const lab = new LabDir('ha-failover');
    const calls: string[] = [];
    const fake = async (file: string, args: readonly string[], _o: RunOptions = {}): Promise<RunResult> => {
      const line = [file, ...args].join(' ');
      calls.push(line);
      const ready = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
      const stdout = line.includes('get nodes -o json')
        ? JSON.stringify({ items: [0, 1, 2].map((i) => ({ metadata: { name: `w${i}`, labels: i === 0 ? { 'ingress-ready': 'true' } : {} }, spec: {}, ...ready })) })
        : line.includes('get pods') && line.includes('-o json')
          ? JSON.stringify({ items: [0, 1, 2].map((i) => ({ metadata: { name: `vault-${i}` }, status: { phase: 'Running' } })) })
          : '';
      return { command: line, exitCode: 0, stdout, stderr: '' };
    };
    const deps: Partial<KindDeps> = { run: fake, which: (n) => `/x/${n}`, daemon: () => 1, isAlive: () => false, kill: async () => undefined, reachable: async () => true, sleep: async () => undefined, env: {} };
    await new KindPlatform(lab, topic, deps).up(topic.needs, new Reporter({ lang: 'en', color: false, verbose: false, stdout: { write: () => undefined }, stderr: { write: () => undefined } }));
    const norm = (l: string, dir: string) => l.split(dir).join('DIR').replace(/'/g, '');
    const executed = calls.map((l) => norm(l, lab.path('kind')));
    const planned = fs
      .readFileSync(path.join(out, 'plan.sh'), 'utf8')
      .split('\n')
      .filter((l) => /^(kind|kubectl|helm) /.test(l) && !/ wait '?--for=(create|jsonpath)/.test(l))
      .map((l) => norm(l, out));
    let i = 0;
    for (const p of nonEmpty(planned)) {
      i = executed.indexOf(p, i);
      expect(i, p).toBeGreaterThan(-1);
    }
    lab.remove();
  });
});

describe('dry run refusals', () => {
  it('--json prints the folder, the files and whether the topic is plan-only', async () => {
    const out = path.join(home, 'J');
    const r = await cli('--lang', 'en', 'run', 'mcp', '--platform', 'kind', '--dry-run', '--out', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { dir: string; files: string[]; planOnly: boolean };
    expect(j).toMatchObject({ dir: out, planOnly: false });
    expect(j.files).toEqual(expect.arrayContaining(['services.yaml', 'values.yaml', 'secrets/mariadb-admin.password', 'plan.sh']));
    expect(clusterCalls()).toEqual([]);
  });

  it('--dry-run on the local platform is a usage error', async () => {
    const r = await cli('--lang', 'en', 'run', 'ha-failover', '--platform', 'local', '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dry-run is for --platform kind');
  });

  // They used to be taken quietly: a cluster name kind refuses fell back to vault-lab (the learner's other cluster), and
  // any operator but 'eso' meant VSO.
  it.each([
    ['LAB_KIND_CLUSTER', 'Bad_Name', 'a kind cluster name of lower-case letters'],
    ['LAB_KIND_HOST_ADDR', '10.0.0.1', 'a loopback IPv4 address'],
    ['LAB_VSO_OPERATOR', 'maybe', 'eso or vso'],
  ])('%s=%s is a usage error (exit 2) that says what it must be; nothing is written', async (key, value, want) => {
    const out = path.join(home, `bad-${key}`);
    const vso = await loadTopic('vso');
    const saved = process.env[key];
    process.env[key] = value;
    try {
      const r = await cli('--lang', 'en', 'run', 'vso', '--platform', 'kind', '--dry-run', '--out', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${key}='${value}' cannot be used: it must be ${want}`);
      expect(fs.existsSync(out)).toBe(false);
      // The platform itself refuses it too (lab start, run, check…), before any command.
      expect(() => new KindPlatform(new LabDir('vso'), vso, { env: { [key]: value } })).toThrow(`${key}='${value}'`);
    } finally {
      if (saved === undefined) delete process.env[key];
      else process.env[key] = saved;
    }
    expect(clusterCalls()).toEqual([]);
  });

  it('the standalone topic: no ingress, no TLS secret, no certificate', async () => {
    const out = path.join(home, 'V');
    const r = await kindDryRun(await loadTopic('vault-k8s'), { out, env: {}, lang: 'en' });
    expect(r.files).toEqual(['cluster.yaml', 'namespace.yaml', 'values.yaml', 'plan.sh']);
    expect(fs.existsSync(path.join(out, 'tls'))).toBe(false);
    expect(clusterCalls()).toEqual([]);
  });

  it('LAB_KUBE_CONTEXT: no kind cluster in the plan, every kubectl and helm on that context', async () => {
    const out = path.join(home, 'C');
    await kindDryRun(await loadTopic('vault-k8s'), { out, env: { LAB_KUBE_CONTEXT: 'my-cluster' }, lang: 'en' });
    const cmds = fs.readFileSync(path.join(out, 'plan.sh'), 'utf8').split('\n').filter((l) => /^(kind|kubectl|helm) /.test(l));
    expect(cmds.some((c) => c.startsWith('kind '))).toBe(false);
    expect(cmds.filter((c) => c.startsWith('kubectl ')).every((c) => c.startsWith('kubectl --context my-cluster '))).toBe(true);
    expect(cmds.filter((c) => c.includes('upgrade --install')).every((c) => c.startsWith('helm --kube-context my-cluster '))).toBe(true);
    expect(fs.existsSync(path.join(out, 'cluster.yaml'))).toBe(false);
  });
});
