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

  it('a sealed node answers 503, a stopped one refuses; a joined follower is in list-peers only after its unseal (issue 21 items 2, 11)', async () => {
    const ctx = await labContext('ha-failover');
    const [n0, n1] = ctx.platform.vaultNodes();
    const healthCode = async (addr: string) => {
      const r = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', n0!.caFile!, `${addr}/v1/sys/health`], { reject: false });
      return { code: r.exitCode, http: r.stdout.trim() };
    };
    // Sealed (and not initialised): the port answers, with 501/503; only a process that is gone refuses (curl exit 7).
    expect((await healthCode(n1!.addr)).http).toMatch(/^50[13]$/);
    for (const step of ['init', 'unseal-leader']) expect((await cli('solve', 'ha-failover', step)).code).toBe(0);
    expect((await cli('node', 'ha-failover', 'stop', 'vault-2')).code).toBe(0);
    expect(await healthCode(ctx.platform.vaultNodes()[2]!.addr)).toEqual({ code: 7, http: '000' });
    expect((await cli('node', 'ha-failover', 'start', 'vault-2')).code).toBe(0);
    // retry_join has joined vault-1 (initialised, Joined), yet it is not a peer until its unseal answers the challenge.
    expect((await cli('solve', 'ha-failover', 'join')).code).toBe(0);
    const h1 = await ctx.vault(1, null).health();
    expect(h1).toMatchObject({ initialized: true, sealed: true });
    expect(await healthCode(n1!.addr)).toEqual({ code: 0, http: '503' });
    const peers = async () => (await (await ctx.activeVault())!.client.raftServers()).map((x) => x.node_id).sort();
    expect(await peers()).toEqual(['vault-0']);
    expect((await cli('solve', 'ha-failover', 'unseal-followers')).code).toBe(0);
    expect(await peers()).toEqual(['vault-0', 'vault-1', 'vault-2']);
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

  it('after the drill, the `lab env` address follows the active node: an hvac-style write-then-read reads its write (issue 22 item 11)', async () => {
    // The study note's client, as Python hvac does it: write through VAULT_ADDR, read straight back through VAULT_ADDR.
    const py = `
import json, os, ssl, urllib.request, uuid
ctx = ssl.create_default_context(cafile=os.environ['VAULT_CACERT'])
def call(method, path, body=None):
    req = urllib.request.Request(os.environ['VAULT_ADDR'] + '/v1/' + path, method=method, data=None if body is None else json.dumps(body).encode(), headers={'X-Vault-Token': os.environ['VAULT_TOKEN']})
    with urllib.request.urlopen(req, context=ctx) as r:
        return json.loads(r.read() or b'null')
misses = 0
for i in range(10):
    v = str(uuid.uuid4())
    call('POST', 'secret/data/hvac/after-drill-%d' % i, {'data': {'v': v}})
    try:
        if call('GET', 'secret/data/hvac/after-drill-%d' % i)['data']['data']['v'] != v: misses += 1
    except urllib.error.HTTPError:
        misses += 1
print('misses', misses)
`;
    const script = `eval "$(node bin/lab.js env ha-failover)" && vault status -format=json && python3 -c "$PY"`;
    const r = await run('bash', ['-c', script], { cwd: rootDir, env: { PATH: `${rootDir}node_modules/.bin:${process.env.PATH}`, PY: py } });
    const status = JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('}') + 1)) as { ha_enabled: boolean; is_self: boolean; sealed: boolean };
    // vault status through VAULT_ADDR reports the active node, though vault-0 (the old leader) is now a standby.
    expect(status.sealed).toBe(false);
    expect(status.is_self, r.stdout).toBe(true);
    expect(r.stdout).toContain('misses 0');
    const ctx = await labContext('ha-failover');
    expect((await ctx.vault(0, null).health()).standby).toBe(true);
  });

  it('a standby forwards like Vault CE (disable_standby_reads): write-then-read through vault-0 reads its write', async () => {
    // One kept-alive connection to vault-0 (a standby now), as hvac's session does: a write, then at once a read.
    const py = `
import http.client, json, os, ssl, uuid
from urllib.parse import urlparse
u = urlparse(os.environ['VAULT_ADDR_0'])
c = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=os.environ['VAULT_CACERT']))
h = {'X-Vault-Token': os.environ['VAULT_TOKEN'], 'Content-Type': 'application/json'}
misses = 0
for i in range(20):
    v = str(uuid.uuid4())
    c.request('POST', '/v1/secret/data/ha/fwd-%d' % i, body=json.dumps({'data': {'v': v}}), headers=h); c.getresponse().read()
    c.request('GET', '/v1/secret/data/ha/fwd-%d' % i, headers=h); r = c.getresponse(); body = r.read()
    if r.status != 200 or json.loads(body)['data']['data']['v'] != v: misses += 1
print('misses', misses)
`;
    const script = `eval "$(node bin/lab.js env ha-failover)" && vault status -address="$VAULT_ADDR_0" -format=json && python3 -c "$PY"`;
    const r = await run('bash', ['-c', script], { cwd: rootDir, env: { PATH: `${rootDir}node_modules/.bin:${process.env.PATH}`, PY: py } });
    expect((JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('}') + 1)) as { is_self?: boolean }).is_self ?? false).toBe(false);
    expect(r.stdout).toContain('misses 0');
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
    const procs = new LabDir('ha-failover').record()!.processes;
    const pids = Object.values(procs).map((p) => p.pid);
    // Three nodes and the vault-active relay.
    expect(Object.keys(procs).sort()).toEqual(['vault-0', 'vault-1', 'vault-2', 'vault-active']);
    expect((await cli('down', '--all')).code).toBe(0);
    for (const pid of nonEmpty(pids)) expect(isAlive(pid)).toBe(false);
    expect(labProcesses(dir)).toEqual([]);
    // The lab scanned is this test's own (a learner's labs are untouched), and down keeps what cannot be made again.
    expect(dir.startsWith(home + '/')).toBe(true);
    expect(fs.existsSync(`${dir}/cluster-keys.json`)).toBe(true);
  });
});
