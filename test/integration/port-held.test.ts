/**
 * A Vault node restarted onto a port someone else holds says so in one line, naming the port and its holder, on a
 * real OpenBao. The second case is the one that used to surface steps later: OpenBao starts with its cluster port
 * taken and only fails to listen there when it is unsealed, then runs on out of its peers' reach. (A holder that is a
 * connection's local end, not a listener, is named too: test/unit/ports-timewait.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { cli, labContext, useTempLabHome } from '../helpers.ts';
import { portFree } from '../../src/platforms/ports.ts';
import { sleep } from '../../src/exec.ts';

const holders: ChildProcess[] = [];

/** A process that listens on the port. */
function listenOn(port: number): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('held'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(c);
  return new Promise((resolve) => c.stdout!.once('data', () => resolve(c)));
}

const firstLine = (s: string) => s.split('\n').find((l) => l.trim()) ?? '';

describe('a restarted node that cannot bind its port (real OpenBao)', () => {
  let api = 0;
  beforeAll(async () => {
    useTempLabHome();
    const r = await cli('run', 'ha-failover');
    expect(r.code, r.stderr).toBe(0);
    api = Number(new URL((await labContext('ha-failover')).platform.vaultNodes()[1]!.addr).port);
  });
  afterEach(async () => {
    for (const h of holders.splice(0)) h.kill('SIGKILL');
    await sleep(200);
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('its API port held by a listener: `lab node start` exits 3 naming the port and the holder', async () => {
    expect((await cli('node', 'ha-failover', 'stop', 'vault-1')).code).toBe(0);
    const h = await listenOn(api);
    const r = await cli('node', 'ha-failover', 'start', 'vault-1', '--lang', 'en');
    expect(r.code, r.stderr).toBe(3);
    expect(firstLine(r.stderr)).toMatch(new RegExp(`port ${api} \\(vault vault-1\\) is already in use — pid ${h.pid}: `));
  });

  it('its cluster port taken after the restart: lab run stops at the unseal, naming that port and the holder, not at a join; freed, lab run converges', { timeout: 240_000 }, async () => {
    expect((await cli('node', 'ha-failover', 'start', 'vault-1')).code).toBe(0);
    expect((await cli('node', 'ha-failover', 'stop', 'vault-1')).code).toBe(0);
    expect((await cli('node', 'ha-failover', 'start', 'vault-1')).code).toBe(0);
    // Started, sealed: it has not opened its cluster port yet. Now someone takes it (on a port in the ephemeral
    // range, an outgoing connection can; which process holds it is what the message must say).
    const h = await listenOn(api + 1);
    const r = await cli('run', 'ha-failover', '--lang', 'en');
    expect(r.code, r.stderr).toBe(3);
    const line = r.stderr.split('\n').find((l) => l.includes(`port ${api + 1}`));
    expect(line, r.stderr).toMatch(new RegExp(`port ${api + 1} \\(vault-1\\) is already in use — pid ${h.pid}: .*node`));
    expect(r.stderr).toContain("free the port, then 'npx lab run ha-failover'");
    expect(r.stderr).not.toMatch(/raft challenge|did not become|timed out/);
    // The node that could not listen was stopped, so a rerun starts it whole.
    expect(await portFree(api)).toBe(true);
    h.kill('SIGKILL');
    await sleep(300);
    const again = await cli('run', 'ha-failover', '--lang', 'en');
    expect(again.code, again.stderr).toBe(0);
    const c = JSON.parse((await cli('check', 'ha-failover', '--json')).stdout) as { ok: boolean };
    expect(c.ok).toBe(true);
  });
});
