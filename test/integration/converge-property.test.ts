/**
 * Convergence as a property, on real OpenBao: random sequences of what a learner does with the study note's commands
 * (remove a peer, seal a node, stop or kill one, wipe one's data, disable the KV mount, delete the canary), then
 * `lab run ha-failover` must end in all pass, or exit 1/3 naming a `npx lab …` command that, run, gets there.
 * Bounded by time (PROPERTY_MS, default 120 s); PROPERTY_SEED replays a run (the seed is printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { cli, labContext, useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { poll } from '../../src/engine/poll.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { LabDir } from '../../src/engine/state.ts';

/** mulberry32: small, seedable, good enough to pick mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function shell(script: string) {
  return run('bash', ['-c', `eval "$(node bin/lab.js env ha-failover)" && ${script}`], { cwd: rootDir, reject: false, env: { PATH: `${rootDir}node_modules/.bin:${process.env.PATH}` } });
}

interface Mutation {
  name: string;
  /** Takes a node's Raft data or membership away: at most one of these per sequence keeps a quorum of intact nodes. */
  destructive?: boolean;
  apply: (node: number) => Promise<string>;
}

const nodeName = (n: number) => `vault-${n}`;
const mutations: Mutation[] = [
  {
    name: 'raft remove-peer',
    destructive: true,
    apply: async (n) => {
      const ctx = await labContext('ha-failover');
      const a = await ctx.activeVault();
      // remove-peer of the active node itself is refused by Raft; the learner removes a follower.
      const victim = a && a.node === n ? (n + 1) % 3 : n;
      const r = await shell(`vault operator raft remove-peer ${nodeName(victim)}`);
      return `remove-peer ${nodeName(victim)} → exit ${r.exitCode}`;
    },
  },
  {
    name: 'wipe a node (stop, rm -rf its data, start it)',
    destructive: true,
    apply: async (n) => {
      await cli('node', 'ha-failover', 'stop', nodeName(n));
      fs.rmSync(new LabDir('ha-failover').path('nodes', nodeName(n), 'data'), { recursive: true, force: true });
      const r = await cli('node', 'ha-failover', 'start', nodeName(n));
      return `wipe ${nodeName(n)} → start exit ${r.code}`;
    },
  },
  {
    name: 'seal a node',
    apply: async (n) => {
      const r = await shell(`vault operator seal -address="$VAULT_ADDR_${n}"`);
      return `seal ${nodeName(n)} → exit ${r.exitCode}`;
    },
  },
  { name: 'stop a node (SIGTERM)', apply: async (n) => `stop ${nodeName(n)} → exit ${(await cli('node', 'ha-failover', 'stop', nodeName(n))).code}` },
  {
    name: 'kill -9 a node',
    apply: async (n) => {
      const r = await shell(`kill -9 "$(cat "$LAB_DIR/logs/${nodeName(n)}.pid")"`);
      return `kill -9 ${nodeName(n)} → exit ${r.exitCode}`;
    },
  },
  { name: 'disable the KV mount', apply: async () => `secrets disable secret → exit ${(await shell('vault secrets disable secret')).exitCode}` },
  { name: 'delete the canary', apply: async () => `kv metadata delete → exit ${(await shell('vault kv metadata delete secret/ha/canary')).exitCode}` },
];

/**
 * CI replays a fixed seed so a red run can be replayed; PROPERTY_SEED=random explores (print the seed, then replay it).
 * Seed 633672's sequence 2 (kill -9 vault-0; seal vault-1; wipe vault-1) used to spend two minutes in the
 * unseal-vault-0 step: the wiped vault-1's retry_join had taken a challenge from the unsealed standby vault-2, so it
 * looked initialised and sealed, and restoring the quorum unsealed it first; its unseal then waits for a leader that
 * cannot exist until vault-0 is unsealed, until the CLI gives up. restoreQuorum (scenarios/raft.ts) now unseals the
 * step's own node first and stops as soon as a majority elects. The counterexamples are replayed below, every run.
 */
/** With the fixed seed, CI replays the first sequences seen passing (23 of them); exploring sets its own limit. */
const maxSequences = Number(process.env.PROPERTY_SEQUENCES ?? (process.env.PROPERTY_SEED ? Infinity : 20));

function propertySeed(): number {
  const v = process.env.PROPERTY_SEED;
  if (v === 'random') return Date.now() % 1_000_000;
  return Number(v ?? 826305);
}

/** PROPERTY_VERBOSE=1: each `lab run` with -v, its output echoed as it comes (to see where a slow one spends its time). */
const verbose = process.env.PROPERTY_VERBOSE ? ['-v'] : [];
if (process.env.PROPERTY_VERBOSE) process.env.LAB_TEST_ECHO = '1';

type Json = { ok: boolean; results: { id: string; ok: boolean; why?: string; fix?: string }[] };
const check = async () => JSON.parse((await cli('check', 'ha-failover', '--json', '--lang', 'en')).stdout) as Json;

/** A solved ha-failover lab in a test home of its own for the block, stopped after it. */
function useSolvedLab(): void {
  beforeAll(async () => {
    useTempLabHome();
    const r = await cli('run', 'ha-failover');
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli('down', '--all');
  });
}

describe('convergence as a property (real servers)', () => {
  const seed = propertySeed();
  const budgetMs = Number(process.env.PROPERTY_MS ?? 120_000);
  useSolvedLab();

  it(`random learner mutations, then lab run: all pass or a named fix that works (seed ${seed})`, { timeout: budgetMs + 120_000 }, async () => {
    const rand = rng(seed);
    const t0 = Date.now();
    let sequences = 0;
    const log: string[] = [];
    while ((Date.now() - t0 < budgetMs || sequences < 3) && sequences < maxSequences) {
      const len = 1 + Math.floor(rand() * 3);
      let destructive = false;
      const steps: string[] = [];
      for (let i = 0; i < len; i++) {
        const allowed = mutations.filter((x) => !(destructive && x.destructive));
        const m = allowed[Math.floor(rand() * allowed.length)]!;
        destructive ||= Boolean(m.destructive);
        steps.push(await m.apply(Math.floor(rand() * 3)));
      }
      const where = `seed ${seed}, sequence ${sequences + 1}: ${steps.join('; ')}`;
      console.log(`${where} → lab run …`);
      const r = await cli('run', 'ha-failover', '--lang', 'en', ...verbose);
      log.push(`${where} → lab run exit ${r.code}`);
      if (r.code !== 0) {
        // Not converged by itself: it must stop with 1/3 and name the command that fixes it.
        expect([1, 3], `${where}\n${r.stderr}`).toContain(r.code);
        const fix = /'(npx lab [^']+)'/.exec(r.stderr)?.[1];
        expect(fix, `${where}: no 'npx lab …' fix named\n${r.stderr}`).toBeDefined();
        // Every mutation here leaves a quorum of intact nodes: starting the lab over is not a fix, nor is looking.
        expect(fix, `${where}\n${r.stderr}`).not.toMatch(/^npx lab (reset|status|check|info|env|hint|list|doctor)\b/);
        const f = await cli(...fix!.split(' ').slice(2), '--lang', 'en');
        log.push(`  fix: ${fix} → exit ${f.code}`);
        const again = await cli('run', 'ha-failover', '--lang', 'en');
        expect(again.code, `${where}; after '${fix}':\n${again.stderr}`).toBe(0);
      }
      const c = await check();
      expect(c.ok, `${where}\n${JSON.stringify(c.results.filter((x) => !x.ok))}`).toBe(true);
      sequences++;
    }
    console.log(`property: ${sequences} sequences in ${((Date.now() - t0) / 1000).toFixed(0)} s\n${log.join('\n')}`);
  });
});

/** The counterexamples the property found, replayed exactly: each must end in all pass, in bounded time. */
describe('convergence: the counterexamples, replayed (real servers)', () => {
  const byName = (prefix: string) => mutations.find((m) => m.name.startsWith(prefix))!;
  useSolvedLab();
  // Bounded at 150 s, not less: OpenBao 2.6.2 sometimes stops answering on a node unsealed while its retry_join
  // finishes ("waiting for raft retry join process to complete", "cluster listener is already started", later "unable
  // to grab state lock for standby"); the lab gets it back by timing out, wiping and rejoining it, in 70-110 s (seen
  // in 2 of 8 replays). Without the Vault API deadlines it waited forever.
  const cases: [string, [string, number][], number][] = [
    // Issue 23: vault-0 alone is no quorum, vault-1 stopped (not lost): start it and unseal it before joining vault-2.
    ['seed 826305, sequence 12', [['stop', 1], ['wipe', 2]], 150],
    // A joining node's unseal blocks without a leader: vault-0 restarted is the quorum, not the wiped vault-1.
    ['seed 633672, sequence 2', [['kill', 0], ['seal', 1], ['wipe', 1]], 150],
    // The mirror image: the node the step unseals (vault-0) is the one joining; vault-2, restarted, is the quorum.
    ['seed 826305, sequence 11', [['disable', 0], ['wipe', 0], ['kill', 2]], 150],
  ];
  for (const [name, steps, bound] of cases) {
    it(`${name}: ${steps.map(([m, n]) => `${m} vault-${n}`).join('; ')} → lab run converges within ${bound} s`, { timeout: 60_000 + bound * 1000 }, async () => {
      const done: string[] = [];
      for (const [m, n] of steps) done.push(await byName(m).apply(n));
      // The state that hurt: the wiped node's retry_join has taken a challenge from an unsealed standby, so it says
      // initialised and sealed (a race the random sequence sometimes won). Wait for it, up to 20 s.
      const wiped = steps.find(([m]) => m === 'wipe')![1];
      const ctx = await labContext('ha-failover');
      const joining = await poll(async () => (await ctx.vault(wiped, null).health()).initialized, { timeoutMs: 20_000, everyMs: 250 });
      done.push(`vault-${wiped} ${joining ? 'holds a join challenge' : 'still uninitialised'}`);
      const t0 = Date.now();
      const r = await cli('run', 'ha-failover', '--lang', 'en');
      const secs = (Date.now() - t0) / 1000;
      expect(r.code, `${done.join('; ')}\n${r.stderr}`).toBe(0);
      expect(secs, `${done.join('; ')}: lab run took ${secs.toFixed(1)} s`).toBeLessThan(bound);
      const c = await check();
      expect(c.ok, JSON.stringify(c.results.filter((x) => !x.ok))).toBe(true);
    });
  }
});

/** The same property on the ldap topic: a real slapd beside one Vault; the learner breaks either side. */
describe('convergence as a property: ldap (real slapd and Vault)', () => {
  const seed = propertySeed();
  const budgetMs = Number(process.env.PROPERTY_LDAP_MS ?? 40_000);
  const sh = (script: string) =>
    run('bash', ['-c', `eval "$(node bin/lab.js env ldap)" && ${script}`], { cwd: rootDir, reject: false, env: { PATH: `${rootDir}node_modules/.bin:${process.env.PATH}` } });
  const ldapMutations: { name: string; apply: () => Promise<string> }[] = [
    { name: 'kill slapd', apply: async () => `kill slapd → ${(await sh('kill "$(jq -r .processes.slapd.pid "$LAB_DIR/lab.json")"')).exitCode}` },
    { name: 'kill -9 vault', apply: async () => `kill -9 vault → ${(await sh('kill -9 "$(cat "$LAB_DIR/logs/vault-0.pid")"')).exitCode}` },
    { name: 'disable ldap auth', apply: async () => `auth disable ldap → ${(await sh('vault auth disable ldap')).exitCode}` },
    { name: 'delete a policy', apply: async () => `policy delete dev-policy → ${(await sh('vault policy delete dev-policy')).exitCode}` },
    { name: 'unmap a group', apply: async () => `groups/developers policies= → ${(await sh('vault write auth/ldap/groups/developers policies=')).exitCode}` },
    { name: 'seal vault', apply: async () => `operator seal → ${(await sh('vault operator seal')).exitCode}` },
  ];
  beforeAll(async () => {
    const r = await cli('run', 'ldap');
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it(`random learner mutations, then lab run ldap: all pass or a named fix that works (seed ${seed})`, { timeout: budgetMs + 90_000 }, async () => {
    const rand = rng(seed + 1);
    const t0 = Date.now();
    let sequences = 0;
    const log: string[] = [];
    while (Date.now() - t0 < budgetMs || sequences < 3) {
      const steps: string[] = [];
      for (let i = 0, len = 1 + Math.floor(rand() * 3); i < len; i++) steps.push(await ldapMutations[Math.floor(rand() * ldapMutations.length)]!.apply());
      const where = `seed ${seed}, ldap sequence ${sequences + 1}: ${steps.join('; ')}`;
      const r = await cli('run', 'ldap', '--lang', 'en');
      log.push(`${where} → lab run exit ${r.code}`);
      if (r.code !== 0) {
        expect([1, 3], `${where}\n${r.stderr}`).toContain(r.code);
        const fix = /'(npx lab [^']+)'/.exec(r.stderr)?.[1];
        expect(fix, `${where}: no 'npx lab …' fix named\n${r.stderr}`).toBeDefined();
        expect(fix, `${where}\n${r.stderr}`).not.toMatch(/^npx lab (status|check|info|env|hint|list|doctor)\b/);
        const f = await cli(...fix!.split(' ').slice(2), '--lang', 'en');
        log.push(`  fix: ${fix} → exit ${f.code}`);
        const again = await cli('run', 'ldap', '--lang', 'en');
        expect(again.code, `${where}; after '${fix}':\n${again.stderr}`).toBe(0);
      }
      const c = JSON.parse((await cli('check', 'ldap', '--json', '--lang', 'en')).stdout) as Json;
      expect(c.ok, `${where}\n${JSON.stringify(c.results.filter((x) => !x.ok))}`).toBe(true);
      sequences++;
    }
    console.log(`ldap property: ${sequences} sequences in ${((Date.now() - t0) / 1000).toFixed(0)} s\n${log.join('\n')}`);
  });
});
