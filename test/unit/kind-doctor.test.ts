/**
 * The kind pitfall detectors, judged on recorded, real-shaped API objects: one failing and one passing fixture each.
 * Sources: Pods in the shape the vault-helm 0.31.0 StatefulSet makes them (test/fixtures/kind-doctor/*.json, scheduler
 * message of Kubernetes 1.3x), follower logs recorded from a real OpenBao 2.6.2 retry_join against a sealed and then
 * unsealed leader (*.log), ingress-nginx's own kind manifest at controller-v1.15.1, certificates made by the real openssl.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAllYaml } from '@kubernetes/client-node';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { helmValues, ingressNginxPatch, serverHcl, tlsSecretManifest } from '../../src/platforms/kind/config.ts';
import { labCertificates } from '../../src/platforms/kind/kind.ts';
import { ensureCa, ensureServerCert } from '../../src/tls/certs.ts';
import { judgePitfalls, pitfalls, type ClusterSnapshot, type PodObj } from '../../src/platforms/kind/pitfalls.ts';
import type { VaultSpec } from '../../src/engine/types.ts';
import { nonEmpty } from '../non-empty.ts';

const fx = (f: string) => fs.readFileSync(new URL(`../fixtures/kind-doctor/${f}`, import.meta.url), 'utf8');
const pod = (f: string): PodObj => JSON.parse(fx(f)) as PodObj;
const clone = <T>(v: T): T => structuredClone(v);
type Deployment = NonNullable<ClusterSnapshot['ingressController']> & { kind?: string };
const controller = (loadAllYaml(fs.readFileSync(new URL('../fixtures/ingress-nginx-controller-v1.15.1/deploy-kind.yaml', import.meta.url), 'utf8')) as Deployment[]).find((d) => d.kind === 'Deployment')!;
const judge = (id: string, s: ClusterSnapshot) => pitfalls.find((p) => p.id === id)!.judge(s);

let spec: VaultSpec;
let base: ClusterSnapshot;
let tmp: string;

beforeAll(async () => {
  spec = (await loadTopic('ha-failover')).needs.vault;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kind-doctor-'));
  process.once('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  const secret = tlsSecretManifest(await labCertificates(path.join(tmp, 'lab'), spec)) as { data: Record<string, string> };
  const ingress = (helmValues(spec).server as { ingress: { annotations: Record<string, string> } }).ingress;
  // The patched controller: the manifest's Deployment with the lab's patch applied (args replaced whole).
  const patched = clone(controller);
  patched.spec!.template!.spec!.containers![0]!.args = (ingressNginxPatch() as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]!.args;
  base = {
    pods: [pod('pod-vault-1-running-sealed.json')],
    // What the chart's "vault.config" helper puts in the ConfigMap: our HCL plus its own disable_mlock.
    config: { data: { 'extraconfig-from-values.hcl': `${serverHcl(spec)}\ndisable_mlock = true` } },
    tlsSecret: { data: secret.data },
    ingresses: [{ metadata: { name: 'vault', namespace: 'vault', annotations: ingress.annotations } }],
    ingressController: patched,
    logs: { 'vault-1': fx('join-joined.log') },
  };
});

describe('each pitfall: a failing and a passing fixture', () => {
  it('HA pods Pending from anti-affinity on too few nodes', () => {
    expect(judge('anti-affinity-pending', base).status).toBe('ok');
    const r = judge('anti-affinity-pending', { ...base, pods: [...base.pods, pod('pod-vault-2-pending-anti-affinity.json')] });
    expect(r.status).toBe('warn');
    expect(r.why!.en).toContain('vault-2');
    expect(r.fix!.ko).toContain('server.affinity: ""');
  });

  it('sealed pods 0/1 Ready by design: info, not a failure; unsealed and still not Ready: warn', () => {
    const sealed = judge('sealed-not-ready', base);
    expect(sealed.status).toBe('info');
    expect(sealed.why!.ko).toContain('vault-1');
    const unsealedReady = clone(base.pods[0]!);
    unsealedReady.metadata!.labels!['vault-sealed'] = 'false';
    unsealedReady.status!.containerStatuses![0]!.ready = true;
    expect(judge('sealed-not-ready', { ...base, pods: [unsealedReady] }).status).toBe('ok');
    const unsealedNotReady = clone(unsealedReady);
    unsealedNotReady.status!.containerStatuses![0]!.ready = false;
    expect(judge('sealed-not-ready', { ...base, pods: [unsealedNotReady] }).status).toBe('warn');
  });

  it('tlsDisable not matching the listener', () => {
    expect(judge('tls-disable-mismatch', base).status).toBe('ok');
    // global.tlsDisable: false (VAULT_ADDR https) with a listener that has tls_disable = 1.
    const plain = { data: { 'extraconfig-from-values.hcl': `${serverHcl({ ...spec, tls: false })}\ndisable_mlock = true` } };
    const r = judge('tls-disable-mismatch', { ...base, config: plain });
    expect(r.status).toBe('warn');
    expect(r.fix!.en).toContain('global.tlsDisable: true');
  });

  it('a certificate without the vault-internal SANs (real openssl)', async () => {
    expect(judge('cert-internal-sans', base).status).toBe('ok');
    const dir = path.join(tmp, 'bad');
    const ca = await ensureCa(dir);
    const cert = await ensureServerCert(dir, 'vault', { dns: ['vault.example.com'], ip: ['127.0.0.1'] }, ca);
    const data = (tlsSecretManifest({ crt: fs.readFileSync(cert.cert, 'utf8'), key: fs.readFileSync(cert.key, 'utf8'), ca: fs.readFileSync(ca.ca, 'utf8') }) as { data: Record<string, string> }).data;
    const r = judge('cert-internal-sans', { ...base, tlsSecret: { data } });
    expect(r.status).toBe('warn');
    expect(r.why!.en).toContain('vault-0.vault-internal, vault-1.vault-internal, vault-2.vault-internal');
    expect(r.why!.en).toContain('DNS:vault.example.com');
  });

  it('a TLS secret without ca.crt', () => {
    expect(judge('tls-secret-ca', base).status).toBe('ok');
    const { 'ca.crt': _ca, ...noCa } = base.tlsSecret!.data!;
    const r = judge('tls-secret-ca', { ...base, tlsSecret: { data: noCa } });
    expect(r.status).toBe('warn');
    expect(r.fix!.ko).toContain('--from-file=ca.crt=');
  });

  it('joining before the leader is unsealed (OpenBao 2.6.2 retry_join logs, recorded)', () => {
    expect(judge('join-before-leader-unsealed', base).status).toBe('ok');
    const r = judge('join-before-leader-unsealed', { ...base, logs: { 'vault-1': fx('join-leader-sealed.log') } });
    expect(r.status).toBe('warn');
    expect(r.why!.ko).toContain('vault-1');
    // Leader unsealed; the follower now only waits for its own unseal keys: not this pitfall.
    expect(judge('join-before-leader-unsealed', { ...base, logs: { 'vault-1': fx('join-leader-unsealed-follower-waiting.log') } }).status).toBe('ok');
    // The leader's own log: its retry_join hits itself sealed until init, then stops ("returning from raft join").
    expect(fx('join-leader-own-log.log')).toContain('Vault is sealed');
    expect(judge('join-before-leader-unsealed', { ...base, logs: { 'vault-0': fx('join-leader-own-log.log'), 'vault-1': fx('join-joined.log') } }).status).toBe('ok');
  });

  it('passthrough annotation without the controller flag (ingress-nginx controller-v1.15.1 kind manifest as shipped)', () => {
    expect(judge('passthrough-flag', base).status).toBe('ok');
    const asShipped = judge('passthrough-flag', { ...base, ingressController: controller });
    expect(asShipped.status).toBe('warn');
    expect(asShipped.why!.en).toContain('without --enable-ssl-passthrough');
    const { ingressController: _c, ...noController } = base;
    expect(judge('passthrough-flag', noController).status).toBe('warn');
    expect(judge('passthrough-flag', { ...noController, ingresses: [] }).status).toBe('ok');
  });
});

describe('every pitfall', () => {
  it('has a Korean hint whenever it warns', () => {
    const worst: ClusterSnapshot = {
      pods: [pod('pod-vault-2-pending-anti-affinity.json')],
      config: { data: { 'extraconfig-from-values.hcl': `${serverHcl({ ...spec, tls: false })}` } },
      tlsSecret: { data: { 'tls.crt': Buffer.from('not a certificate').toString('base64') } },
      ingresses: base.ingresses,
      ingressController: controller,
      logs: { 'vault-1': fx('join-leader-sealed.log') },
    };
    const results = judgePitfalls(worst);
    expect(results.map((r) => r.id)).toEqual(pitfalls.map((p) => p.id));
    for (const r of nonEmpty(results.filter((x) => x.status !== 'ok'))) {
      expect(r.fix?.ko, r.id).toMatch(/[가-힣]/);
      expect(r.why?.ko, r.id).toMatch(/[가-힣]/);
    }
    expect(judgePitfalls(base).filter((r) => r.status === 'warn')).toEqual([]);
  });
});
