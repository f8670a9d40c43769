/** ha-failover on the local platform: three real OpenBao/Vault processes with Raft and TLS. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { cli, failedIds, labContext, useTempLabHome } from '../helpers.ts';
import { isAlive, run } from '../../src/exec.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { LabDir } from '../../src/engine/state.ts';
import { LocalPlatform } from '../../src/platforms/local/local.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { nonEmpty } from '../non-empty.ts';

type Json = { ok: boolean; results: { id: string; ok: boolean; why?: string; fix?: string }[] };
const check = async () => {
  const r = await cli('check', 'ha-failover', '--json', '--lang', 'en');
  return { code: r.code, json: JSON.parse(r.stdout) as Json };
};
/** Every live process whose command line points into this lab. */
function labProcesses(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('ha-failover (real servers)', () => {
  let home: string;
  beforeAll(() => {
    home = useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('the start state fails every learner check; the TLS floor is already real', async () => {
    expect((await cli('start', 'ha-failover')).code).toBe(0);
    const r = await check();
    expect(r.code).toBe(1);
    expect(failedIds({ code: 1, stdout: JSON.stringify(r.json), stderr: '' })).toEqual(['all-unsealed', 'one-active', 'voters', 'data-survives', 'failover-observed']);
  });

  it('run drives the lab to the solved state, with the drill', async () => {
    const r = await cli('run', 'ha-failover');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/vault-\d → vault-\d/);
    expect((await check()).json.ok).toBe(true);
  });

  it('the real CLI, pointed at the lab by `lab env`, sees 3 voters and reads the data', async () => {
    const script = `eval "$(node bin/lab.js env ha-failover)" && vault operator raft list-peers -format=json && vault kv get -field=value secret/ha/canary`;
    const r = await run('bash', ['-c', script], { cwd: rootDir, env: { PATH: `${rootDir}node_modules/.bin:${process.env.PATH}` } });
    const jsonEnd = r.stdout.lastIndexOf('}');
    const peers = JSON.parse(r.stdout.slice(0, jsonEnd + 1)) as { data: { config: { servers: { voter: boolean }[] } } };
    expect(peers.data.config.servers.filter((s) => s.voter)).toHaveLength(3);
    expect(r.stdout.slice(jsonEnd + 1).trim()).toBe('written-before-failover');
  });

  it('a hard kill of the active node by hand is noticed, and the hint says how to recover', async () => {
    const ctx = await labContext('ha-failover');
    const active = (await ctx.activeVault())!;
    const name = ctx.platform.vaultNodes()[active.node]!.name;
    const pid = new LabDir('ha-failover').record()!.processes[name]!.pid;
    process.kill(pid, 'SIGKILL');
    const r = await check();
    expect(r.code).toBe(1);
    const up = r.json.results.find((x) => x.id === 'all-unsealed')!;
    expect(up.ok).toBe(false);
    expect(up.why).toContain(name);
    expect(up.fix).toContain(`npx lab node ha-failover start ${name}`);
  });

  it('rerunning converges: the node is restarted, unsealed and back as a standby', async () => {
    const r = await cli('run', 'ha-failover');
    expect(r.code, r.stderr).toBe(0);
    expect((await check()).json.ok).toBe(true);
  });

  it('a node that allows TLS 1.1 is caught by a real handshake', async () => {
    const lab = new LabDir('ha-failover');
    const topic = await loadTopic('ha-failover');
    const weak = new LocalPlatform(lab, { ...topic.needs.vault, tls: { minVersion: 'tls10' } });
    await weak.nodeAction('kill', 2);
    await weak.startNode(2);
    const r = await check();
    const tls = r.json.results.find((x) => x.id === 'tls-min-12')!;
    expect(tls.ok).toBe(false);
    expect(tls.why).toContain('vault-2 accepts TLS 1.1');
    // Put it back the way the topic defines it.
    const good = new LocalPlatform(lab, topic.needs.vault);
    await good.nodeAction('kill', 2);
    expect((await cli('run', 'ha-failover')).code).toBe(0);
  });

  it('after lab down every node comes back sealed, and a rerun converges (no quorum for vault-0 alone)', async () => {
    expect((await cli('down', 'ha-failover')).code).toBe(0);
    const down = await check();
    expect(down.json.results.find((x) => x.id === 'all-unsealed')!.fix).toContain('npx lab run ha-failover');
    const r = await cli('run', 'ha-failover');
    expect(r.code, r.stderr).toBe(0);
    expect((await check()).json.ok).toBe(true);
  });

  it('lab down --all leaves no process behind', async () => {
    const dir = new LabDir('ha-failover').dir;
    const pids = Object.values(new LabDir('ha-failover').record()!.processes).map((p) => p.pid);
    expect(pids).toHaveLength(3);
    expect((await cli('down', '--all')).code).toBe(0);
    for (const pid of nonEmpty(pids)) expect(isAlive(pid)).toBe(false);
    expect(labProcesses(dir)).toEqual([]);
    // The lab scanned is this test's own (a learner's labs are untouched), and down keeps what cannot be made again.
    expect(dir.startsWith(home + '/')).toBe(true);
    expect(fs.existsSync(`${dir}/cluster-keys.json`)).toBe(true);
  });
});
