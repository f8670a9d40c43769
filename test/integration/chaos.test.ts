/**
 * The chaos drill against a real 3-node OpenBao Raft cluster: 10 hard kills of the active node under
 * continuous check-and-set writes, then a quorum loss. Every acknowledged write must be readable at its version.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, labContext, useTempLabHome } from '../helpers.ts';
import { judgeDrill, percentile, quorumMessage, type DrillRecord, type WriteRecord } from '../../src/chaos/judge.ts';
import { classify, MOUNT, readBack } from '../../src/chaos/drill.ts';
import { VaultApiError } from '../../src/vault/client.ts';

const w = (key: string, version: number | undefined, value: string, outcome: WriteRecord['outcome'] = 'acked', phase = 'kill-1'): WriteRecord => ({
  key,
  cas: (version ?? 1) - 1,
  value,
  outcome,
  ...(version !== undefined ? { version } : {}),
  node: 0,
  at: 0,
  ms: 1,
  phase,
});
const base = (over: Partial<DrillRecord> = {}): DrillRecord => ({
  startedAt: '',
  nodes: 3,
  writes: [w('k', 1, 'a'), w('k', 2, 'b'), w('k', undefined, 'c', 'unknown'), w('k', undefined, 'd', 'refused')],
  reads: [
    { key: 'k', version: 1, value: 'a' },
    { key: 'k', version: 2, value: 'b' },
    { key: 'k', version: 3, value: 'c' },
  ],
  kills: [{ n: 1, node: 0, at: 0, failoverMs: 1500 }],
  finalVersions: { k: 3 },
  cluster: { unsealed: 3, actives: 1, voters: 3, healthy: true },
  durationMs: 1,
  ...over,
});

describe('judgeDrill (pure)', () => {
  it('names how the active node was taken down: SIGKILL by default, SIGTERM in graceful mode', () => {
    expect(judgeDrill(base()).summary.en).toContain('1 hard kills (SIGKILL)');
    expect(judgeDrill(base({ mode: 'graceful' })).summary.en).toContain('1 graceful stops (SIGTERM)');
    expect(judgeDrill(base({ mode: 'graceful' })).summary.ko).toContain('정상 종료(SIGTERM) 1회');
  });
  it('passes when every acknowledged write reads back, and counts unknown writes apart', () => {
    const v = judgeDrill(base());
    expect(v).toMatchObject({ ok: true, acknowledged: 2, refused: 1, unknown: 1, unknownCommitted: 1, lost: 0, unverified: 0 });
    expect(v.summary.en).toContain('0 lost');
    expect(v.summary.en).toContain('neither acknowledged nor lost');
  });
  it('catches an acknowledged write whose version holds another value, or is gone', () => {
    const v = judgeDrill(base({ reads: [{ key: 'k', version: 1, value: 'a' }, { key: 'k', version: 2, value: 'x' }] }));
    expect(v.ok).toBe(false);
    expect(v.lost).toBe(1);
    expect(v.lostWrites[0]).toEqual({ key: 'k', version: 2, expected: 'b', found: 'x' });
    expect(judgeDrill(base({ reads: [{ key: 'k', version: 1, value: 'a' }, { key: 'k', version: 2, value: undefined }] })).lost).toBe(1);
  });
  it('does not pass an acknowledged write it could not read back', () => {
    const v = judgeDrill(base({ reads: [{ key: 'k', version: 1, value: 'a' }, { key: 'k', version: 2, value: undefined, error: 'timeout' }] }));
    expect(v).toMatchObject({ ok: false, lost: 0, unverified: 1 });
  });
  it('flags two acknowledgements of the same version', () => {
    const v = judgeDrill(base({ writes: [w('k', 1, 'a'), w('k', 1, 'b')], reads: [{ key: 'k', version: 1, value: 'a' }] }));
    expect(v.duplicateVersions).toBe(1);
    expect(v.lost).toBe(1);
    expect(v.ok).toBe(false);
  });
  it('fails when the cluster did not converge or a kill saw no failover', () => {
    expect(judgeDrill(base({ cluster: { unsealed: 3, actives: 1, voters: 2, healthy: false } })).ok).toBe(false);
    expect(judgeDrill(base({ kills: [{ n: 1, node: 0, at: 0 }] })).ok).toBe(false);
  });
  it('fails the quorum phase when a write was acknowledged without quorum', () => {
    const q = { killed: [0, 1], attempts: 5, acked: 1, message: quorumMessage(1, 3) };
    expect(judgeDrill(base({ quorum: q })).quorum?.ok).toBe(false);
    expect(judgeDrill(base({ quorum: { ...q, acked: 0 } })).quorum?.ok).toBe(true);
    expect(quorumMessage(1, 3).en).toMatch(/quorum lost — only 1 of 3 .* needs 2/);
    expect(quorumMessage(1, 3).ko).toContain('과반');
  });
  it('percentiles', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeUndefined();
  });
  it('classifies only provably unapplied writes as refused', () => {
    expect(classify(new VaultApiError('POST x: 400 check-and-set parameter did not match', 400, ['check-and-set parameter did not match the current version']))).toBe('refused');
    expect(classify(new VaultApiError('POST x: no response ECONNREFUSED', undefined))).toBe('refused');
    expect(classify(new VaultApiError('POST x: 503 Vault is sealed', 503, ['Vault is sealed']))).toBe('refused');
    expect(classify(new VaultApiError('POST x: no response ECONNRESET', undefined))).toBe('unknown');
    expect(classify(new VaultApiError('POST x: no response ECONNABORTED', undefined))).toBe('unknown');
    expect(classify(new VaultApiError('POST x: 500 leadership lost while committing log', 500, ['leadership lost while committing log']))).toBe('unknown');
    expect(classify(new Error('boom'))).toBe('unknown');
  });
});

describe('lab chaos: usage', () => {
  beforeAll(() => {
    useTempLabHome();
  });
  it('runs on ha-failover only, and wants a sane --kills', async () => {
    const r = await cli('chaos', 'ldap', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ha-failover topic only');
    const k = await cli('chaos', 'ha-failover', '--kills', 'many', '--lang', 'en');
    expect(k.code).toBe(2);
    expect(k.stderr).toContain('--kills');
    const m = await cli('chaos', 'ha-failover', '--mode', 'gentle', '--lang', 'en');
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('--mode takes crash');
    const none = await cli('chaos', 'ha-failover', '--lang', 'en');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("no 'ha-failover' lab");
  });
});

describe('chaos drill on a live 3-node cluster', () => {
  let home: string;
  beforeAll(async () => {
    home = useTempLabHome();
    const r = await cli('run', 'ha-failover', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli('down', '--all');
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('10 hard kills under check-and-set writes, then a quorum loss: nothing acknowledged is lost', { timeout: 240_000 }, async () => {
    const t0 = Date.now();
    const r = await cli('chaos', 'ha-failover', '--kills', '10', '--json', '--lang', 'en');
    const took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout) as ReturnType<typeof judgeDrill> & { summary: string; quorum: { message: string; attempts: number; acked: number } };
    console.log(`chaos drill (${(took / 1000).toFixed(0)} s): ${v.summary}`);
    expect(v.lost).toBe(0);
    expect(v.unverified).toBe(0);
    expect(v.duplicateVersions).toBe(0);
    expect(v.acknowledged).toBeGreaterThan(100);
    expect(v.failover.count).toBe(10);
    expect(v.cluster).toMatchObject({ unsealed: 3, actives: 1, voters: 3, ok: true });
    expect(v.quorum.acked).toBe(0);
    expect(v.quorum.attempts).toBeGreaterThan(0);
    expect(v.quorum.message).toMatch(/quorum lost/);
    expect(r.stderr).toContain('write refused: Raft quorum lost');
    expect(r.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/); // no raw stack

    // The record is real: the same read-back sees a destroyed version as lost.
    const file = JSON.parse(fs.readFileSync(`${home}/ha-failover/chaos/last.json`, 'utf8')) as { record: DrillRecord };
    const rec = file.record;
    expect(rec.kills.map((k) => k.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(rec.kills.map((k) => k.node)).size).toBeGreaterThan(1);
    const victim = rec.writes.find((x) => x.outcome === 'acked' && x.phase === 'kill-5')!;
    const ctx = await labContext('ha-failover');
    const a = (await ctx.activeVault())!;
    await a.client.write(`/${MOUNT}/destroy/${victim.key}`, { versions: [victim.version] });
    const again = await readBack(ctx, rec.writes, Object.keys(rec.finalVersions));
    const v2 = judgeDrill({ ...rec, reads: again.reads });
    expect(v2.lost).toBe(1);
    expect(v2.lostWrites[0]).toMatchObject({ key: victim.key, version: victim.version, expected: victim.value });
    expect(v2.ok).toBe(false);
  });

  it('graceful mode (SIGTERM, as kubectl delete pod): the leader hands over faster than any Raft election, nothing is lost', { timeout: 240_000 }, async () => {
    const r = await cli('chaos', 'ha-failover', '--mode', 'graceful', '--kills', '5', '--json', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout) as ReturnType<typeof judgeDrill> & { mode: string; summary: string };
    console.log(`graceful drill: ${v.summary}`);
    expect(v.mode).toBe('graceful');
    expect(v.summary).toContain('5 graceful stops (SIGTERM)');
    expect(r.stderr).toMatch(/stopped vault-\d → vault-\d answered a write/);
    expect(v.lost).toBe(0);
    expect(v.unverified).toBe(0);
    expect(v.failover.count).toBe(5);
    // A crash cannot fail over sooner than one election timeout (1 s at performance_multiplier = 1): below it,
    // leadership was handed over.
    expect(v.failover.p50).toBeLessThan(1000);
    expect(v.cluster).toMatchObject({ unsealed: 3, actives: 1, voters: 3, ok: true });
  });
});
