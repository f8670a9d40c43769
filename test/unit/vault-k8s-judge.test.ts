import { renderOn } from '../helpers.ts';
import { describe, expect, it } from 'vitest';
import { checks, type State } from '../../checkers/vault-k8s.ts';
import { judgeAll } from '../../src/engine/runner.ts';

const render = await renderOn('local', 'vault-k8s');
const solved = (): State => ({
  nodes: [{ name: 'vault-0', reachable: true, initialized: true, sealed: false, standby: false }],
  keysFile: true,
  active: 0,
  tokenValid: true,
  mounts: { secret: { type: 'kv', version: '2' } },
  secret: { username: 'static-user', password: 'static-password' },
  uiStatus: 200,
});
const start = (): State => ({
  nodes: [{ name: 'vault-0', reachable: true, initialized: false, sealed: true, standby: false }],
  keysFile: false,
  active: undefined,
  tokenValid: false,
  mounts: undefined,
  secret: undefined,
  uiStatus: 200,
});
const failed = (s: State) => judgeAll(checks, s, 'en', render).filter((r) => !r.ok).map((r) => r.id);

describe('vault-k8s judges (pure)', () => {
  it('pass on the solved state', () => expect(failed(solved())).toEqual([]));
  it('fail on the start state (the UI is on from the start)', () => expect(failed(start())).toEqual(['initialized', 'unsealed', 'kv-v2', 'secret']));
  it('KV version 1 at secret/ is caught with the upgrade command', () => {
    const s = solved();
    s.mounts = { secret: { type: 'kv' } };
    const r = judgeAll(checks, s, 'en', render).find((x) => x.id === 'kv-v2')!;
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('enable-versioning');
  });
  it('a secret with only one key is caught and the missing key named', () => {
    const s = solved();
    s.secret = { password: 'static-password' };
    const r = judgeAll(checks, s, 'ko', render).find((x) => x.id === 'secret')!;
    expect(r.ok).toBe(false);
    expect(r.why).toContain('username');
  });
  it('initialised without the keys file is still a failure (the lab cannot act for the learner)', () => {
    const s = solved();
    s.keysFile = false;
    expect(failed(s)).toEqual(['initialized']);
  });
  it('an unreachable server fails with a restart hint', () => {
    const s = start();
    s.nodes[0]!.reachable = false;
    const r = judgeAll(checks, s, 'en', render).find((x) => x.id === 'unsealed')!;
    expect(r.fix).toContain('npx lab run vault-k8s');
  });
});

describe('vault-k8s: the UI check can fail', () => {
  it('a server without ui = true (404 on /ui/) fails only the ui check', () => {
    const s = solved();
    s.uiStatus = 404;
    expect(failed(s)).toEqual(['ui']);
  });
});
