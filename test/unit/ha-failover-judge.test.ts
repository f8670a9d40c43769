import { renderOn } from '../helpers.ts';
import { describe, expect, it } from 'vitest';
import { checks, CANARY, type State } from '../../checkers/ha-failover.ts';
import { judgeAll } from '../../src/engine/runner.ts';
import { renderLocal } from '../../src/platforms/local/render.ts';
import { renderKind } from '../../src/platforms/kind/exec-plan.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { nonEmpty } from '../non-empty.ts';

const render = await renderOn('local', 'ha-failover');
const ok12 = { version: 'TLSv1.2' as const, ok: true, authorized: true };
const no11 = { version: 'TLSv1.1' as const, ok: false, error: 'ECONNRESET' };
const node = (i: number, over: Partial<State['nodes'][number]> = {}) => ({ name: `vault-${i}`, reachable: true, initialized: true, sealed: false, standby: i !== 0, ...over });

/** The solved state: what the lab sees after `lab run ha-failover`. */
const solved = (): State => ({
  nodes: [node(0, { standby: true }), node(1, { standby: false }), node(2)],
  actives: [1],
  servers: [0, 1, 2].map((i) => ({ node_id: `vault-${i}`, address: `127.0.0.1:${18221 + 2 * i}`, leader: i === 1, voter: true })),
  term: 4,
  baselineTerm: 2,
  leaders: ['vault-0', 'vault-1'],
  tls: [0, 1, 2].map((i) => ({ node: `vault-${i}`, v11: no11, v12: ok12 })),
  canary: CANARY.value,
  hasToken: true,
});

/** The start state: three sealed, uninitialised nodes. */
const start = (): State => ({
  nodes: [0, 1, 2].map((i) => node(i, { initialized: false, sealed: true, standby: false })),
  actives: [],
  servers: undefined,
  term: undefined,
  baselineTerm: undefined,
  leaders: [],
  tls: [0, 1, 2].map((i) => ({ node: `vault-${i}`, v11: no11, v12: ok12 })),
  canary: undefined,
  hasToken: false,
});

const failed = (s: State) => judgeAll(checks, s, 'en', render).filter((r) => !r.ok).map((r) => r.id);

describe('ha-failover judges (pure)', () => {
  it('all pass on the solved state', () => {
    expect(failed(solved())).toEqual([]);
  });

  it('the start state fails everything the learner must do (TLS is the lab\'s own and passes)', () => {
    expect(failed(start())).toEqual(['all-unsealed', 'one-active', 'voters', 'data-survives', 'failover-observed']);
  });

  it('a hard-killed node is named, with the command that brings it back', () => {
    const s = solved();
    s.nodes[2] = node(2, { reachable: false, initialized: false, sealed: true });
    const r = judgeAll(checks, s, 'ko', render).find((x) => x.id === 'all-unsealed')!;
    expect(r.ok).toBe(false);
    expect(r.why).toContain('vault-2');
    expect(r.fix).toContain('npx lab node ha-failover start vault-2');
  });

  it('the revived node left sealed is caught', () => {
    const s = solved();
    s.nodes[0] = node(0, { sealed: true, standby: false });
    expect(failed(s)).toEqual(['all-unsealed']);
  });

  it('three separate clusters (init on every node) show as split brain', () => {
    const s = solved();
    s.actives = [0, 1, 2];
    expect(failed(s)).toContain('one-active');
  });

  it('a node that never joined leaves 2 voters', () => {
    const s = solved();
    s.servers = s.servers!.slice(0, 2);
    const r = judgeAll(checks, s, 'en', render).find((x) => x.id === 'voters')!;
    expect(r.ok).toBe(false);
    expect(r.why).toContain('vault-2');
  });

  it('a non-voter is not enough', () => {
    const s = solved();
    s.servers![2]!.voter = false;
    expect(failed(s)).toEqual(['voters']);
  });

  it('TLS 1.1 accepted by any node fails the TLS check', () => {
    const s = solved();
    s.tls[1] = { node: 'vault-1', v11: { version: 'TLSv1.1', ok: true, authorized: true }, v12: ok12 };
    const r = judgeAll(checks, s, 'en', render).find((x) => x.id === 'tls-min-12')!;
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('tls_min_version = "tls12"');
  });

  it('a certificate that does not verify against the lab CA fails', () => {
    const s = solved();
    s.tls[0] = { node: 'vault-0', v11: no11, v12: { ...ok12, authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } };
    expect(failed(s)).toEqual(['tls-min-12']);
  });

  it('a graceful restart of the same leader (term up, leader unchanged) is not a failover', () => {
    const s = solved();
    s.leaders = ['vault-0'];
    expect(failed(s)).toEqual(['failover-observed']);
  });

  it('without a recorded baseline the hint says to record one first', () => {
    const s = solved();
    s.baselineTerm = undefined;
    const r = judgeAll(checks, s, 'en', render).find((x) => x.id === 'failover-observed')!;
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('npx lab check ha-failover');
  });

  it("the drill's fix is rendered for the learner's platform: no local pid file on kind (issue 20 item 2)", async () => {
    const s = solved();
    s.term = s.baselineTerm;
    s.drill = { node: 'vault-1', index: 1 };
    const kind = judgeAll(checks, s, 'en', await renderOn('kind', 'ha-failover')).find((x) => x.id === 'failover-observed')!;
    expect(kind.ok).toBe(false);
    expect(kind.fixCommands?.[0]).toMatch(/^kubectl .*delete pod vault-1 -n vault$/);
    expect(kind.fix).not.toContain('$LAB_DIR');
    expect(kind.fix).not.toContain('.pid');
    const local = judgeAll(checks, s, 'ko', render).find((x) => x.id === 'failover-observed')!;
    // The graceful stop comes first (the study note's drill), the crash second.
    expect(local.fixCommands).toEqual(['kill -TERM "$(cat "$LAB_DIR/logs/vault-1.pid")"', 'kill -9 "$(cat "$LAB_DIR/logs/vault-1.pid")"']);
  });

  it("the topic's drill is the study note's: a graceful stop (SIGTERM), with the crash one command away", async () => {
    const topic = await loadTopic('ha-failover');
    const step = topic.steps.find((x) => x.id === 'failover')!;
    const nodeCmds = (step.commands ?? []).filter((c) => c.kind === 'node');
    expect(nodeCmds.map((c) => c.action)).toEqual(['stop']);
    // Aimed at the leader of the moment (vault-0 only on a first run), as the lab runs it.
    expect(renderLocal(nodeCmds[0]!, topic.needs.vault, 'ha-failover')).toBe('npx lab node ha-failover stop active');
    expect(renderKind(nodeCmds[0]!)).toBe('kubectl --context "$LAB_KUBE_CONTEXT" delete pod -l vault-active=true -n vault');
    expect(step.task.en).toContain('npx lab chaos ha-failover --mode crash --kills 1');
  });

  it('the lesson tells refused from sealed, shows the read through vault-1, and says join is two-phase (issue 21)', async () => {
    const fs = await import('node:fs');
    const lesson = fs.readFileSync(new URL('../../labs/ha-failover/lesson.ko.md', import.meta.url), 'utf8');
    expect(lesson).not.toContain('연결 거부는 리더가 아직 봉인된 상태');
    expect(lesson).toContain('Vault is sealed');
    expect(lesson).toContain('connect: connection refused');
    expect(lesson).toContain('`Joined true`');
    const topic = await loadTopic('ha-failover');
    const data = topic.steps.find((x) => x.id === 'data')!;
    expect((data.commands ?? []).map((c) => renderLocal(c, topic.needs.vault, 'ha-failover'))).toContain('vault kv get -address="$VAULT_ADDR_1" secret/ha/canary');
    // VAULT_ADDR follows the active node, so a line meant for vault-0 names it.
    const init = topic.steps.find((x) => x.id === 'init')!;
    expect(renderLocal(init.commands![0]!, topic.needs.vault, 'ha-failover')).toContain('-address="$VAULT_ADDR_0"');
  });

  it('lost or changed canary data fails', () => {
    const s = solved();
    s.canary = 'something-else';
    expect(failed(s)).toEqual(['data-survives']);
  });

  it('a read that errors is not called absent: the fix says to check again, not to write the value again', () => {
    const s = solved();
    s.canary = { readError: 'Error making API request. Code: 500' };
    expect(failed(s)).toEqual(['data-survives']);
    const v = judgeAll(checks, s, 'en', render).find((x) => x.id === 'data-survives')!;
    expect(v.why).toContain('answered the read of secret/ha/canary with an error: Error making API request. Code: 500');
    expect(v.fix).toContain('check again');
    expect(v.fix).not.toContain('kv put');
  });

  it('every check speaks Korean and English', () => {
    // At the start every check but the TLS floor (the config sets it) fails: each shows its reason and fix, in both.
    const ko = judgeAll(checks, start(), 'ko', render);
    const en = judgeAll(checks, start(), 'en', render);
    expect(ko.filter((r) => !r.ok).map((r) => r.id)).toEqual(checks.map((c) => c.id).filter((id) => id !== 'tls-min-12'));
    for (const [i, r] of nonEmpty(ko.entries())) {
      if (r.ok) continue;
      expect(r.why && r.fix, r.id).toBeTruthy();
      expect(`${r.why}`, r.id).toMatch(/[가-힣]/);
      expect(en[i]!.why && en[i]!.fix, r.id).toBeTruthy();
      expect(`${en[i]!.why}`, r.id).not.toMatch(/[가-힣]/);
    }
  });

  describe('messages by phase: the first cause in full, its consequences folded under it', () => {
    const res = (s: State, lang: 'ko' | 'en' = 'en') => judgeAll(checks, s, lang, render);
    const one = (s: State, id: string) => res(s).find((x) => x.id === id)!;

    it('fresh cluster: not initialised, not "vault-0 has not joined"; the rest follows from it', () => {
      const r = res(start());
      const first = r.find((x) => x.id === 'all-unsealed')!;
      expect(first.why).toMatch(/not initialised/);
      expect(first.why).not.toMatch(/joined/);
      expect(first.fixNote).toBe('Once, on vault-0:');
      expect(first.fixCommands).toEqual(['(set -o noclobber; vault operator init -address="$VAULT_ADDR_0" -key-shares=5 -key-threshold=3 -format=json > "$LAB_DIR/cluster-keys.json")']);
      expect(r.filter((x) => !x.ok && !x.after).map((x) => x.id)).toEqual(['all-unsealed']);
      expect(one(start(), 'one-active').after).toBe('all-unsealed');
      expect(one(start(), 'voters').after).toBe('one-active');
      expect(one(start(), 'data-survives').after).toBe('one-active');
    });

    it('the leader sealed with 2 of 3 keys says "vault-0: 2/3" and asks for one more key, on that node only', () => {
      const s = start();
      s.nodes[0] = node(0, { initialized: true, sealed: true, standby: false });
      s.seal = [{ progress: 2, t: 3 }, undefined, undefined];
      const r = one(s, 'all-unsealed');
      expect(r.why).toContain('vault-0: 2/3');
      expect(r.fix).toContain('1 more key');
      // The key the lesson's order has not used yet (the third), on vault-0 only.
      expect(r.fixCommands).toEqual([`VAULT_UNSEAL_KEY_3=$(jq -r '.unseal_keys_b64[2]' "$LAB_DIR/cluster-keys.json")`, 'vault write -address="$VAULT_ADDR_0" sys/unseal key=- <<< "$VAULT_UNSEAL_KEY_3"']);
      expect(one(s, 'one-active').fix).not.toMatch(/2 nodes|at least/);
    });

    it('a raft join before the leader is unsealed is explained (failed to get raft challenge)', () => {
      const s = start();
      s.nodes[0] = node(0, { initialized: true, sealed: true, standby: false });
      expect(one(s, 'all-unsealed').why).toMatch(/vault-1, vault-2 can join only after it is unsealed.*failed to get raft challenge/);
    });

    it('a follower not joined yet gets the join command for that node', () => {
      const s = start();
      s.nodes[0] = node(0, { initialized: true, sealed: false, standby: false });
      s.actives = [0];
      const r = one(s, 'all-unsealed');
      expect(r.why).toMatch(/vault-1 has not joined Raft yet/);
      expect(r.fix).toContain('vault operator raft join -address="$VAULT_ADDR_1"');
    });

    it('a joined follower with 1 of 3 keys shows its own progress', () => {
      const s = solved();
      s.nodes[2] = node(2, { sealed: true, standby: false });
      s.seal = [undefined, undefined, { progress: 1, t: 3 }];
      expect(one(s, 'all-unsealed').why).toContain('vault-2: 1/3');
    });

    it('an election under way is not "unseal the nodes" nor "the root token is missing"', () => {
      const s = solved();
      s.actives = [];
      s.nodes = s.nodes.map((n) => ({ ...n, standby: true }));
      s.servers = undefined;
      s.canary = undefined;
      const r = res(s);
      expect(r.find((x) => x.id === 'all-unsealed')!.ok).toBe(true);
      const act = r.find((x) => x.id === 'one-active')!;
      expect(act.why).toMatch(/election/);
      expect(act.after).toBeUndefined();
      for (const x of nonEmpty(r.filter((y) => !y.ok))) expect(`${x.why} ${x.fix}`).not.toMatch(/root token|Unseal/);
      expect(r.find((x) => x.id === 'voters')!.after).toBe('one-active');
    });

    it('all sealed after a restart: a majority is needed, each node with its keys', () => {
      const s = solved();
      s.nodes = s.nodes.map((n) => ({ ...n, sealed: true, standby: false }));
      s.actives = [];
      s.seal = [{ progress: 1, t: 3 }, { progress: 0, t: 3 }, { progress: 0, t: 3 }];
      const r = one(s, 'all-unsealed');
      expect(r.why).toContain('vault-0: 1/3, vault-1: 0/3, vault-2: 0/3');
      expect(r.why).toContain('2 or more');
    });

    it('a node removed from Raft is named as removed, not as "not joined"', () => {
      const s = solved();
      s.servers = s.servers!.filter((x) => x.node_id !== 'vault-2');
      const r = one(s, 'voters');
      expect(r.why).toMatch(/vault-2 was removed from Raft/);
    });

    it('a non-voter names autopilot and its stabilisation time', () => {
      const s = solved();
      s.servers![2]!.voter = false;
      expect(one(s, 'voters').why).toContain('vault-2 is still a non-voter');
      expect(one(s, 'voters').fix).toContain('-server-stabilization-time=1s');
    });

    it('the checks follow the lesson: data before the failover', () => {
      const ids = checks.map((c) => c.id);
      expect(ids.indexOf('data-survives')).toBeLessThan(ids.indexOf('failover-observed'));
      expect(ids.indexOf('all-unsealed')).toBeLessThan(ids.indexOf('voters'));
    });
  });
});
