/**
 * vso on the local platform: a real kube-apiserver + etcd, a real OpenBao, and the real External Secrets Operator
 * v0.16.2 run out of cluster. The sync is judged on live objects: the Secret's data, ESO's own conditions, a change
 * in Vault reaching the Secret, a deleted Secret made again.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, failedIds, labContext, ranLines, useTempLabHome } from '../helpers.ts';
import { kubeApiFor } from '../../src/platforms/kube-api.ts';
import { ESO, VSO } from '../../checkers/vso.ts';
import { externalSecretManifest, secretStoreManifest } from '../../scenarios/vso.ts';
import { kube } from '../../scenarios/k8s-auth.ts';
import { onPlatform } from '../../src/engine/runner.ts';
import { nonEmpty } from '../non-empty.ts';

let home: string;
const results = async () => (JSON.parse((await cli('check', 'vso', '--json', '--lang', 'en')).stdout) as { results: { id: string; ok: boolean; why?: string }[] }).results;
const failing = async () => failedIds(await cli('check', 'vso', '--json', '--lang', 'en'));
async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const apply = async (manifest: string) => (await labContext('vso')).exec(kube(['apply', '-f', '-'], manifest));

beforeAll(() => {
  home = useTempLabHome('vault-lab-vso-');
});
afterAll(async () => {
  await cli('down', '--all');
  fs.rmSync(home, { recursive: true, force: true });
});

describe('vso on a real kube-apiserver + OpenBao + External Secrets Operator', () => {
  it('start: ESO runs with its CRDs; every other local check fails on the start state', async () => {
    const r = await cli('start', 'vso', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    expect((await cli('status', 'vso')).stdout).toMatch(/● external-secrets/);
    expect(await failing()).toEqual(['manual-secret', 'store-ready', 'external-secret-ready', 'secret-synced', 'vault-change-synced', 'secret-recreated']);
  });

  it('lab solve runs exactly the commands lab hint shows, step by step (the waits are kubectl wait lines, not hidden polls)', async () => {
    const ctx = await labContext('vso');
    for (const step of nonEmpty(ctx.topic.steps.filter((s) => s.kind === 'task' && onPlatform(s, ctx.platform)))) {
      const r = await cli('solve', 'vso', step.id, '--lang', 'en');
      expect(r.code, r.stderr).toBe(0);
      expect(ranLines(r.stderr, step.title.en), step.id).toEqual((step.commands ?? []).flatMap((c) => ctx.platform.render(c).split('\n')));
    }
    expect(await failing()).toEqual([]);
    // Again: the guarded line (the by-hand copy exists) is skipped, and only it.
    const again = await cli('solve', 'vso', 'by-hand', '--lang', 'en');
    expect(again.code, again.stderr).toBe(0);
    const byHand = ctx.topic.steps.find((s) => s.id === 'by-hand')!;
    expect(ranLines(again.stderr, byHand.title.en)).toEqual(byHand.commands!.filter((c) => !('unless' in c && c.unless)).map((c) => ctx.platform.render(c)));
  });

  it('run: by hand, then SecretStore + ExternalSecret, then a change and a deletion: all checks pass', async () => {
    const r = await cli('run', 'vso', '--lang', 'en');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await failing()).toEqual([]);
  });

  it('a change in Vault reaches the Secret within refreshInterval (10 s); the by-hand copy keeps the old value', async () => {
    const ctx = await labContext('vso');
    const k = await kubeApiFor(ctx);
    const before = (await k.secret(VSO.appNamespace, ESO.manual))!.data.password;
    const pw = `changed-${Date.now()}`;
    await ctx.vault().write('/secret/data/webapp/config', { data: { username: 'static-user', password: pw } });
    const t0 = Date.now();
    await until('the new password in the Secret', async () => (await k.secret(VSO.appNamespace, VSO.destination))?.data.password === pw, 20_000);
    expect(Date.now() - t0).toBeLessThanOrEqual(11_000);
    expect((await k.secret(VSO.appNamespace, ESO.manual))!.data.password).toBe(before);
    expect(await failing()).toEqual([]);
  });

  it('a deleted Secret is made again by ESO, owned by the ExternalSecret', async () => {
    const k = await kubeApiFor(await labContext('vso'));
    const old = (await k.secret(VSO.appNamespace, VSO.destination))!;
    await k.deleteSecret(VSO.appNamespace, VSO.destination);
    const fresh = await until('the Secret again', () => k.secret(VSO.appNamespace, VSO.destination), 20_000);
    expect(fresh.uid).not.toBe(old.uid);
    expect(fresh.owners).toEqual([{ kind: 'ExternalSecret', name: ESO.externalSecret }]);
    expect(await failing()).toEqual([]);
  });

  it("a SecretStore whose audience the role refuses: ESO's own Ready condition says so, and the check shows it", async () => {
    await apply(secretStoreManifest.replace('- vault', '- other-service'));
    try {
      // The condition only says "unable to create client"; the cause is in ESO's Warning event, which the check quotes.
      const why = await until('store-ready to fail with the cause', async () => (await results()).find((x) => x.id === 'store-ready' && !x.ok && /audience/.test(x.why ?? ''))?.why, 60_000);
      expect(why).toContain('InvalidProviderConfig');
      expect(why).toContain('invalid audience (aud) claim');
    } finally {
      await apply(secretStoreManifest);
    }
    await until('store-ready again', async () => (await failing()).length === 0, 60_000);
  });

  it('an ExternalSecret key with data/ (the policy path, not the KV path) fails its SecretSynced condition', async () => {
    await apply(externalSecretManifest.replace('key: webapp/config', 'key: data/webapp/config'));
    try {
      const why = await until('external-secret-ready to fail', async () => (await results()).find((x) => x.id === 'external-secret-ready' && !x.ok)?.why, 60_000);
      expect(why).toContain('SecretSyncedError');
    } finally {
      await apply(externalSecretManifest);
    }
    await until('synced again', async () => (await failing()).length === 0, 60_000);
  });
});
