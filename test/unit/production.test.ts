import { describe, expect, it } from 'vitest';
import { checks, parsePrometheus, type State } from '../../checkers/production.ts';
import { ADMIN_POLICY, productionNeeds } from '../../scenarios/production.ts';
import { transitSealOf } from '../../src/services/transit/seal.ts';
import { LabDir } from '../../src/engine/state.ts';
import { renderNodeConfig } from '../../src/vault/config.ts';
import { nonEmpty } from '../non-empty.ts';

const hs = (ok: boolean) => ({ ok, authorized: ok, protocol: ok ? 'TLSv1.2' : undefined }) as never;

const solved = (): State => ({
  ready: true,
  audit: { devices: [{ path: 'file/', type: 'file', file: '/x/audit.log' }], grew: true, tokenInClear: false },
  snapshot: { exists: true, size: 40_000, gzip: true },
  restore: { value: 'before-snapshot', changedSeen: true },
  seal: { type: 'transit', sealed: false, recoveryKeys: true, unsealKeys: false, restartedAfterInit: true },
  ttl: { mounts: { 'token/': { defaultTtl: 3600, maxTtl: 14400 }, 'userpass/': { defaultTtl: 3600, maxTtl: 14400 } }, loginTtl: 3600, renewedTtl: 14400 },
  metrics: { tokenFile: true, policies: ['default', 'prometheus'], secretCaps: ['deny'], scrape: { status: 200, samples: 120, unsealed: 1 }, tls11: hs(false), tls12: hs(true) },
  root: { rootAlive: false, adminOk: true, adminIsRoot: false, attemptInProgress: false, adminWide: [] },
});

const failing = (s: State) => checks.filter((c) => !c.judge(s).ok).map((c) => c.id);

describe('production judges', () => {
  it('pass on the solved state; every check has a hint', () => {
    expect(failing(solved())).toEqual([]);
    for (const c of nonEmpty(checks)) expect(c.hint?.ko && c.hint.en).toBeTruthy();
  });

  it('the admin policy is scoped: no path "*", no sudo outside the paths that need it', () => {
    expect(ADMIN_POLICY).not.toMatch(/path\s+"\*"/);
    const sudoPaths = [...ADMIN_POLICY.matchAll(/path "([^"]+)" \{[^}]*"sudo"/g)].map((m) => m[1]);
    expect(sudoPaths.every((p) => /^(sys\/(audit|auth|mounts|storage\/raft|generate-root)|auth\/token\/create)/.test(p!)), sudoPaths.join(' ')).toBe(true);
  });

  it('each catches its typical mistake', () => {
    const cases: [string, (s: State) => void][] = [
      ['audit-device', (s) => (s.audit.tokenInClear = true)],
      ['snapshot-saved', (s) => (s.snapshot = { exists: true, size: 0, gzip: false })],
      ['snapshot-restored', (s) => (s.restore.value = 'changed-after-snapshot')],
      ['auto-unseal', (s) => (s.seal.restartedAfterInit = false)],
      ['auto-unseal', (s) => (s.seal.sealed = true)],
      ['token-ttl', (s) => (s.ttl.mounts['token/'] = { defaultTtl: 768 * 3600, maxTtl: 768 * 3600 })],
      ['metrics-scraped', (s) => (s.metrics.policies = ['default', 'prometheus', 'lab-admin'])],
      ['metrics-scraped', (s) => (s.metrics.tls11 = hs(true))],
      // A failed lookup (a reset port-forward on kind) is said as such, not as a token with no policies.
      ['metrics-scraped', (s) => ((s.metrics.lookupError = 'POST /auth/token/lookup: no response ECONNRESET'), (s.metrics.policies = []))],
      ['root-revoked', (s) => (s.root.rootAlive = true)],
      ['root-revoked', (s) => (s.root.attemptInProgress = true)],
      ['root-revoked', (s) => (s.root.adminWide = ['sys/raw/core', 'secret/data/other-team/db'])],
    ];
    for (const [id, mutate] of nonEmpty(cases)) {
      const s = solved();
      mutate(s);
      expect(failing(s), id).toEqual([id]);
      const v = checks.find((c) => c.id === id)!.judge(s);
      expect(v.why?.ko && v.why.en && ((v.fix?.ko && v.fix.en) || v.fixCmds?.length)).toBeTruthy();
    }
  });

  it('parses Prometheus text', () => {
    const m = parsePrometheus('# HELP vault_core_unsealed x\n# TYPE vault_core_unsealed gauge\nvault_core_unsealed{cluster="a"} 1\nvault_core_active 0\n');
    expect(m.get('vault_core_unsealed')).toBe(1);
    expect(m.get('vault_core_active')).toBe(0);
  });

  it('configures the main cluster with a transit seal, TLS 1.2 and telemetry', () => {
    const n = productionNeeds;
    expect(n.transit).toBe(true);
    expect(n.vault.autoUnseal).toBe('transit');
    const t = transitSealOf({ port: 30116, lab: new LabDir('production', '/labs') });
    expect(t.addr).toBe('https://127.0.0.1:30116');
    expect(t.tokenFile).toBe('/labs/production/transit-token');
    const cfg = renderNodeConfig({ flavor: 'bao', nodeId: 'vault-0', apiPort: 30100, clusterPort: 30101, dataDir: '/d', storage: 'raft', tls: { cert: 'c', key: 'k', ca: 'a', minVersion: 'tls12' }, peers: [], apiAudit: true, telemetry: true, transitSeal: { addr: t.addr, keyName: t.keyName, mountPath: t.mountPath, token: 'tok' } });
    expect(cfg).toContain('seal "transit"');
    expect(cfg).toContain('tls_min_version = "tls12"');
    expect(cfg).toContain('prometheus_retention_time');
  });
});
