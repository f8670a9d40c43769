/**
 * `lab doctor --platform kind`: versions parsed from real tool output, ports, and the pitfalls on a cluster.
 * The cluster is a FAKE runner (no cluster can run here) answering with the recorded objects of test/fixtures/kind-doctor.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, useTempLabHome } from '../helpers.ts';
import { doctorExit, doctorLines, dockerServerVersion, helmVersion, hostTools, kindDoctor, kindVersion, kubectlVersion, type DoctorDeps } from '../../src/platforms/kind/doctor.ts';
import type { RunResult } from '../../src/exec.ts';
import type { Toolchain } from '../../src/platforms/kind/toolchain.ts';
import type { Cmd, Step, Topic } from '../../src/engine/types.ts';

const home = useTempLabHome('kind-doctor-cli-test-');
const fx = (f: string) => fs.readFileSync(new URL(`../fixtures/kind-doctor/${f}`, import.meta.url), 'utf8');

describe('version parsing', () => {
  it('kubectl: recorded `kubectl version --client -o json` of v1.32.4 and of an unstamped source build', () => {
    const recorded = '{\n  "clientVersion": {\n    "major": "1",\n    "minor": "32+",\n    "gitVersion": "v1.32.4-dispatcher",\n    "gitCommit": "4cb5f0764b8d5f425645c6f433394fede34a8a26",\n    "gitTreeState": "clean",\n    "buildDate": "2025-05-15T20:09:34Z",\n    "goVersion": "go1.23.8",\n    "compiler": "gc",\n    "platform": "linux/amd64"\n  },\n  "kustomizeVersion": "v5.5.0"\n}';
    expect(kubectlVersion(recorded)).toEqual({ version: 'v1.32.4-dispatcher', major: 1, minor: 32 });
    const sourceBuild = '{"clientVersion":{"major":"","minor":"","gitVersion":"v0.0.0-master+$Format:%H$","gitCommit":"$Format:%H$"},"kustomizeVersion":"v5.7.1"}';
    expect(kubectlVersion(sourceBuild)).toBeUndefined();
    expect(kubectlVersion('error: unknown flag')).toBeUndefined();
  });
  it('kind (pkg/cmd/kind/version DisplayVersion), helm --short, docker server', () => {
    expect(kindVersion('kind v0.31.0 go1.25.5 linux/amd64')).toBe('v0.31.0');
    expect(kindVersion('kind v0.33.0-alpha+fed26882 go1.26.1 darwin/arm64')).toBe('v0.33.0-alpha+fed26882');
    expect(helmVersion('v3.19.2+g8766e71\n')).toBe('v3.19.2');
    expect(helmVersion('v4.1.4+g05fa379')).toBe('v4.1.4');
    expect(dockerServerVersion('28.2.2')).toBe('28.2.2');
    expect(dockerServerVersion('')).toBeUndefined();
  });
});

/** A FAKE kind machine: every tool present, an existing vault-lab cluster with the given Vault objects. */
function fakeMachine(o: { tools?: string[]; pods?: unknown[]; logs?: Record<string, string>; clusters?: string; busy?: number[]; kubectl?: string; env?: Record<string, string>; toolchain?: Toolchain; ingresses?: unknown[] } = {}) {
  const tools = o.tools ?? ['docker', 'kind', 'helm', 'kubectl'];
  const calls: string[] = [];
  const ok = (stdout: string): RunResult => ({ command: '', exitCode: 0, stdout, stderr: '' });
  const notFound: RunResult = { command: '', exitCode: 1, stdout: '', stderr: 'Error from server (NotFound)' };
  const deps: DoctorDeps = {
    which: (n) => (tools.includes(n) ? `/usr/local/bin/${n}` : undefined),
    listening: async (p) => (o.busy ?? []).includes(p),
    env: o.env ?? {},
    ...(o.toolchain ? { toolchain: () => o.toolchain! } : {}),
    run: async (file, args) => {
      const line = [file, ...args].join(' ');
      calls.push(line);
      if (line.startsWith('docker version')) return ok('28.2.2');
      if (line === 'kind version') return ok('kind v0.31.0 go1.25.5 linux/amd64');
      if (line === 'kind get clusters') return ok(o.clusters ?? 'vault-lab\n');
      if (line.startsWith('helm version')) return ok('v3.19.2+g8766e71');
      if (line.startsWith('kubectl version')) return ok(o.kubectl ?? '{"clientVersion":{"gitVersion":"v1.35.4"}}');
      if (line === 'kubectl config get-contexts -o name') return ok('kind-vault-lab\n');
      if (line.includes(' get pods ')) return ok(JSON.stringify({ items: o.pods ?? [] }));
      const logs = / logs (\S+) /.exec(line);
      if (logs) return ok(o.logs?.[logs[1]!] ?? '');
      if (line.includes(' get ingress ')) return ok(JSON.stringify({ items: o.ingresses ?? [] }));
      return notFound;
    },
  };
  return { deps, calls };
}

describe('kindDoctor', () => {
  it('all tools, the cluster holds its own ports, a sealed follower whose leader is still sealed: info and a warning, exit 1', async () => {
    const m = fakeMachine({ pods: [JSON.parse(fx('pod-vault-1-running-sealed.json'))], logs: { 'vault-1': fx('join-leader-sealed.log') } });
    const r = await kindDoctor(m.deps);
    expect(r.tools.slice(0, 4).map((t) => [t.name, t.status, t.version])).toEqual([['docker', 'ok', '28.2.2'], ['kind', 'ok', 'v0.31.0'], ['helm', 'ok', 'v3.19.2'], ['kubectl', 'ok', 'v1.35.4']]);
    // The host tools the learner's own lines use are listed, optional: missing ones never make doctor fail.
    expect(r.tools.slice(4).map((t) => [t.name, t.status])).toEqual([['jq', 'optional'], ['curl', 'optional'], ['ldapsearch', 'optional'], ['openssl', 'optional'], ['mariadb', 'optional']]);
    expect(r.tools.find((t) => t.name === 'ldapsearch')?.hint?.en).toBe('the commands you type in ldap use it.');
    // Read from the lessons' lines: vault-k8s's own curl line counts (the list written by hand had left it out).
    expect(r.tools.find((t) => t.name === 'curl')?.hint?.en).toBe('the commands you type in vault-k8s, tls, production use it.');
    expect(r.ports.map((p) => p.status)).toEqual(['ours', 'ours', 'ours']);
    const by = Object.fromEntries(r.cluster.pitfalls.map((p) => [p.id, p.status]));
    expect(by['sealed-not-ready']).toBe('info');
    expect(by['join-before-leader-unsealed']).toBe('warn');
    expect(by['anti-affinity-pending']).toBe('ok');
    expect(doctorExit(r)).toBe(1);
    const text = doctorLines(r, (x) => x.ko).join('\n');
    expect(text).toContain('리더(vault-0)를 먼저 unseal');
    expect(m.calls).toContain('kubectl --context kind-vault-lab logs vault-1 -n vault -c vault --tail=400');
  });

  it('no cluster yet: busy host ports are named, missing tools come with install hints, exit 3', async () => {
    const m = fakeMachine({ tools: ['docker', 'kubectl'], clusters: '', busy: [443] });
    const r = await kindDoctor(m.deps);
    expect(r.tools.filter((t) => t.status === 'missing').map((t) => t.name)).toEqual(['kind', 'helm']);
    expect(r.ports.map((p) => [p.port, p.status])).toEqual([[80, 'free'], [443, 'busy'], [30000, 'free']]);
    expect(doctorExit(r)).toBe(3);
    expect(doctorLines(r, (x) => x.en).join('\n')).toContain('https://helm.sh/docs/intro/install/');
  });

  // A node image built here pulls nothing: an image the setup did not build leaves that topic's pods unable to start;
  // doctor names it, with the script that builds it (it used to list tools and ports only).
  it('a node image built here: each topic image is listed, a missing one (ESO) fails doctor with the script that builds it', async () => {
    const built: Toolchain = { nodeImage: 'vault-lab/kind-node:v1.35.4', archives: ['/c/kind/images/vault.tar', '/c/kind/images/openldap.tar', '/c/kind/images/mariadb.tar'], images: { openldap: 'vault-lab/openldap:2.5.13', mariadb: 'vault-lab/mariadb:10.11.18' } };
    const r = await kindDoctor(fakeMachine({ toolchain: built }).deps);
    expect(r.images.map((i) => [i.name, i.status])).toEqual([['vault', 'ok'], ['openldap', 'ok'], ['mariadb', 'ok'], ['eso', 'missing']]);
    expect(r.images.find((i) => i.name === 'eso')).toMatchObject({ topics: ['vso'] });
    expect(r.images.find((i) => i.name === 'openldap')).toMatchObject({ topics: ['ldap'] });
    expect(doctorExit(r)).toBe(3);
    expect(doctorLines(r, (x) => x.en).join('\n')).toMatch(/✗ image eso .*\[vso\].*build-kind-eso\.sh/);
    const whole = await kindDoctor(fakeMachine({ toolchain: { ...built, images: { ...built.images, eso: 'vault-lab/external-secrets:v0.16.2' } } }).deps);
    expect(whole.images.every((i) => i.status === 'ok')).toBe(true);
    expect(doctorExit(whole)).toBe(0);
    // A node image that pulls (kind's own): nothing to build, no rows.
    expect((await kindDoctor(fakeMachine({ toolchain: { archives: [] } }).deps)).images).toEqual([]);
  });

  it('an Ingress asking for ssl-passthrough with no controller: a warning, but only information where the lab left ingress-nginx out', async () => {
    const pods = [JSON.parse(fx('pod-vault-1-running-sealed.json'))];
    const ingresses = [{ metadata: { name: 'vault', annotations: { 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' } } }];
    const theirs = await kindDoctor(fakeMachine({ pods, ingresses, toolchain: { archives: [] } }).deps);
    expect(theirs.cluster.pitfalls.find((p) => p.id === 'passthrough-flag')?.status).toBe('warn');
    const ours = await kindDoctor(fakeMachine({ pods, ingresses, toolchain: { nodeImage: 'vault-lab/kind-node:v1.35.4', archives: [] } }).deps);
    const p = ours.cluster.pitfalls.find((x) => x.id === 'passthrough-flag');
    expect(p?.status).toBe('info');
    expect(p?.why?.en).toContain('left out of this cluster');
  });

  it('an old kubectl (no wait --for=create) is reported', async () => {
    const r = await kindDoctor(fakeMachine({ kubectl: '{"clientVersion":{"gitVersion":"v1.29.3"}}' }).deps);
    expect(r.tools.find((t) => t.name === 'kubectl')!.status).toBe('old');
    expect(doctorExit(r)).toBe(3);
  });

  it('LAB_KUBE_CONTEXT: no kind or docker needed, no host ports checked', async () => {
    const m = fakeMachine({ tools: ['helm', 'kubectl'], env: { LAB_KUBE_CONTEXT: 'kind-vault-lab' } });
    const r = await kindDoctor(m.deps);
    expect(r.tools.filter((t) => t.status === 'missing')).toEqual([]);
    expect(r.ports).toEqual([]);
    expect(r.cluster.reachable).toBe(true);
    expect(doctorExit(r)).toBe(0);
  });
});

describe('hostTools: the host tools read from the kind steps\' command data', () => {
  const step = (id: string, commands: Cmd[], platforms?: ('local' | 'kind')[]) => ({ id, kind: 'task', commands, ...(platforms ? { platforms } : {}) }) as unknown as Step;
  const topic = (id: string, steps: Step[], platforms: ('local' | 'kind')[] = ['local', 'kind']) => ({ id, steps, platforms }) as unknown as Topic;
  it('an exec program, a set line\'s jq, a pipe\'s first word and a wait probe count; local-only steps, local-only topics and what every machine has do not', () => {
    const a = topic('a', [
      step('one', [{ kind: 'set', name: 'K', file: 'keys.json', jq: '.root_token' }, { kind: 'exec', file: 'dig', args: ['example.org'] }]),
      step('two', [{ kind: 'vault', args: ['write', 'auth/jwt/login', 'jwt=-'], pipeFrom: 'step-cli token create' }, { kind: 'set', name: 'P', file: 'pass.txt', jq: '.' }]),
      step('three', [{ kind: 'wait', probe: { kind: 'exec', file: 'nc', args: ['-z', 'x', '1'] }, timeoutSec: 5 }, { kind: 'exec', file: 'kubectl', args: ['get', 'pods'] }]),
      step('local', [{ kind: 'exec', file: 'ss', args: ['-lnt'] }], ['local']),
    ]);
    const b = topic('b', [step('one', [{ kind: 'exec', file: 'dig', args: ['b'] }])]);
    const c = topic('c', [step('one', [{ kind: 'exec', file: 'tcpdump', args: [] }])], ['local']);
    expect(hostTools([a, b, c])).toEqual([
      ['jq', ['a']],
      ['dig', ['a', 'b']],
      ['step-cli', ['a']],
      ['nc', ['a']],
    ]);
  });
});

describe('lab doctor --platform kind (this machine, no cluster)', () => {
  it('prints the tools and never judges a cluster it cannot reach', async () => {
    // An empty kubeconfig: whatever clusters this machine knows stay out of the test.
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = `${home}/empty-kubeconfig`;
    fs.writeFileSync(process.env.KUBECONFIG, '');
    const r = await cli('--lang', 'en', 'doctor', '--platform', 'kind', '--json').finally(() => {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    });
    const j = JSON.parse(r.stdout) as { tools: { name: string }[]; cluster: { reachable: boolean } };
    expect(j.tools.map((t) => t.name)).toEqual(['docker', 'kind', 'helm', 'kubectl', 'jq', 'curl', 'ldapsearch', 'openssl', 'mariadb']);
    expect(j.cluster.reachable).toBe(false);
    expect([0, 3]).toContain(r.code);
  });
});
