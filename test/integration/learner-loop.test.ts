/**
 * The learner's loop as a learner lives it: commands typed in bash (never `lab solve`), `lab hint` and `lab check`
 * run from that same shell. Real OpenBao, real slapd.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { renderLocal } from '../../src/platforms/local/local.ts';
import { main } from '../../src/cli/main.ts';
import fs from 'node:fs';
import path from 'node:path';
import { nonEmpty } from '../non-empty.ts';

const PATH = `${rootDir}node_modules/.bin:${process.env.PATH}`;

/** bash with the lab's CLI as `lab`; `env` replaces the variables a learner's shell would hold. */
async function bash(script: string, env: Record<string, string> = {}) {
  const r = await run('bash', ['-c', `set -euo pipefail\nlab() { node bin/lab.js "$@"; }\n${script}`], { cwd: rootDir, reject: false, timeoutMs: 120_000, env: { PATH, ...env } });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** Every task command of a topic as rendered, up to (not including) step `until`. */
async function typed(topicId: string, until?: string): Promise<string> {
  const topic = await loadTopic(topicId);
  const lines = [`eval "$(lab env ${topicId})"`];
  for (const step of topic.steps.filter((s) => s.kind === 'task' && (!s.platforms || s.platforms.includes('local')))) {
    if (step.id === until) break;
    for (const c of step.commands ?? []) {
      const text = renderLocal(c, topic.needs.vault, topic.id);
      lines.push((c.kind === 'exec' || c.kind === 'vault') && c.mayFail ? `${text} || true` : text);
      if (c.kind === 'vault' && c.stdout) lines.push(`eval "$(lab env ${topicId})"`);
    }
  }
  return lines.join('\n');
}

/** `lab check --watch` with a stdout that says it is a terminal, stopped (as by Ctrl-C) after `ms`. */
async function watchFor(ms: number, env: Record<string, string | undefined>): Promise<string> {
  let stdout = '';
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(), ms);
  await main(['check', 'ha-failover', '--watch', '--interval', '0.3', '--lang', 'en'], { stdout: { write: (x: string) => void (stdout += x), isTTY: true, columns: 100 }, stderr: { write: () => undefined }, env, signal: ac.signal });
  clearTimeout(t);
  return stdout;
}

/** The command block of `lab hint` output: the lines after the first blank line, up to the next blank line. */
function commandBlock(hint: string): string {
  const lines = hint.split('\n');
  const start = lines.indexOf('');
  const end = lines.indexOf('', start + 1);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

describe('the learner loop (real servers, bash)', () => {
  beforeAll(() => {
    useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it.each(['ldap', 'tls'])('%s typed by hand: at all pass the hint shows no step, and no typed step loops', async (topicId) => {
    expect((await cli('start', topicId)).code).toBe(0);
    const r = await bash(`${await typed(topicId)}\nlab check ${topicId} --lang en >/dev/null\nlab hint ${topicId} --lang en`);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/^■/m);
    expect(r.stdout).toMatch(/all passed|every step/i);
  });

  it('ldap: a heredoc pasted from lab hint runs (commands flush-left)', async () => {
    const hint = await bash(`eval "$(lab env ldap)"\nlab hint ldap policies --lang en`);
    expect(hint.code, hint.stderr).toBe(0);
    const block = commandBlock(hint.stdout);
    expect(block).toMatch(/^vault policy write dev-policy - <<'EOF'$/m);
    expect(block).toMatch(/^EOF$/m);
    const pasted = await run('bash', ['-c', `eval "$(node bin/lab.js env ldap)"\nbash -e`], { cwd: rootDir, reject: false, input: block, env: { PATH } });
    expect(pasted.exitCode, pasted.stderr).toBe(0);
    expect(pasted.stdout).toContain('alice-specific-policy');
  });

  it('ldap: a shell pointed at another lab gets the one eval, not a failure per check', async () => {
    // The learner's `vault auth enable ldap` went to another Vault: this lab has no LDAP method.
    const off = await bash(`eval "$(lab env ldap)"\nvault auth disable ldap`);
    expect(off.code, off.stderr).toBe(0);
    const r = await bash(`export VAULT_ADDR=http://127.0.0.1:9 VAULT_ADDR_1=x VAULT_CACERT=/nowhere/ca.pem\nlab check ldap --lang en || true\necho ---\nlab env ldap`);
    const [check, env] = r.stdout.split('---\n');
    const all = r.stderr + check!;
    expect(all.match(/eval "\$\(npx lab env ldap\)"/g)?.length).toBe(1);
    expect(all).toMatch(/VAULT_ADDR \(http:\/\/127\.0\.0\.1:9\)/);
    expect(all.indexOf('eval')).toBeLessThan(all.indexOf('✗'));
    // One cause in full; the other failures folded under it, not the same fix printed for each.
    expect(check!.match(/^ {2}✗ /gm)?.length).toBe(1);
    expect(check!.match(/→ vault auth enable ldap/g)?.length).toBe(1);
    expect(check!.match(/^ {4}↳ /gm)?.length).toBeGreaterThan(8);
    expect(env).toMatch(/^unset .*\bVAULT_ADDR_1\b/m);
    expect(env).toMatch(/^unset .*\bVAULT_CACERT\b/m);
    expect(env!.indexOf('unset')).toBeLessThan(env!.indexOf('export'));

    // A token this Vault refuses (another lab's, or revoked) is named; the lab's own is not.
    const stale = await bash(`eval "$(lab env ldap)"\nexport VAULT_TOKEN=s.not-a-token BAO_TOKEN=s.not-a-token\nlab hint ldap --lang en`);
    // An exported BAO_TOKEN outranks VAULT_TOKEN for bao: named too (lab env unsets it).
    expect(stale.stdout).toMatch(/this shell's VAULT_TOKEN, BAO_TOKEN differ/);
    expect(stale.stdout.match(/^eval "\$\(npx lab env ldap\)"$/gm)?.length).toBe(1);
    const fine = await bash(`eval "$(lab env ldap)"\nlab hint ldap --lang en`);
    expect(fine.stdout).not.toMatch(/First point your shell/);
  });

  it('ha-failover: the third key does not skip the rest of the step; two keys show vault-0: 2/3', async () => {
    expect((await cli('start', 'ha-failover')).code).toBe(0);
    const topic = await loadTopic('ha-failover');
    const lines = (await typed('ha-failover', 'unseal-leader')).split('\n');
    const unseal = topic.steps.find((s) => s.id === 'unseal-leader')!.commands!.map((c) => renderLocal(c, topic.needs.vault, topic.id));
    const keys = unseal.filter((l) => l.includes('VAULT_UNSEAL_KEY_') && !l.startsWith('vault'));
    // vault-0 is named like every node (VAULT_ADDR follows the active node): `vault write -address="$VAULT_ADDR_0" sys/unseal …`.
    const unsealLines = nonEmpty(unseal.filter((l) => /^vault write (-address="\$VAULT_ADDR_0" )?sys\/unseal/.test(l)));
    const two = await bash([...lines, ...keys, unsealLines[0]!, unsealLines[1]!, 'lab hint ha-failover --lang en'].join('\n'));
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/vault-0: 2\/3/);
    expect(two.stdout.match(/^vault write (-address="\$VAULT_ADDR_0" )?sys\/unseal/gm)?.length).toBe(1);

    const three = await bash([...lines.slice(0, 1), ...keys, unsealLines[2]!, 'unset VAULT_TOKEN BAO_TOKEN', 'lab hint ha-failover --lang en'].join('\n'));
    expect(three.code, three.stderr).toBe(0);
    expect(three.stdout).toMatch(/^■ .*vault-0/m);
    expect(three.stdout).toMatch(/^export VAULT_TOKEN=/m);
    expect(three.stdout).toMatch(/^vault operator raft autopilot set-config/m);
    expect(three.stdout).not.toMatch(/^vault write (-address="\$VAULT_ADDR_0" )?sys\/unseal/m);
  });

  it('ha-failover --watch on a terminal redraws in place with a node table; NO_COLOR on that same terminal appends plain frames', async () => {
    const { NO_COLOR: _n, ...env } = process.env;
    const tty = await watchFor(2500, env);
    expect(tty).toContain('\u001b[H');
    expect(tty).toContain('\u001b[J');
    expect(tty).toMatch(/node\s+role\s+sealed\s+voter\s+term/);
    expect(tty).toMatch(/vault-0\s+leader \(active\)\s+no/);
    expect(tty).toMatch(/^[■▶□]{8} \d\/8 · Unseal vault-0/m);

    const plain = await watchFor(2500, { ...env, NO_COLOR: '1' });
    expect(plain).not.toContain('\u001b');
    expect(plain).toMatch(/^\[\d{2}:\d{2}:\d{2}\]$/m);
    expect(plain).not.toMatch(/AM|PM/);
    expect(plain).toMatch(/vault-0\s+leader \(active\)/);
  });

  it('in a real pseudo-terminal (script) the watch redraws in place, at the terminal\'s width', async () => {
    // run() extends process.env (where the test helper set NO_COLOR): an empty NO_COLOR means unset.
    const env = { ...process.env, NO_COLOR: '' };
    const cmd = `stty cols 70; eval "$(node bin/lab.js env ha-failover)"; timeout -s INT 3 node bin/lab.js check ha-failover --watch --interval 0.5 --lang en`;
    const r = await run('script', ['-qec', cmd, '/dev/null'], { cwd: rootDir, reject: false, timeoutMs: 30_000, env: { ...env, PATH } });
    expect(r.stdout).toContain('\u001b[H');
    expect(r.stdout).toMatch(/vault-0\s+leader \(active\)/);
    // Prose wrapped at 70 columns: no line of the frame's text runs past it.
    const text = r.stdout.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').split(/\r?\n/);
    // A fix's commands stay whole (copyable) under its arrow, indented: only prose wraps.
    const prose = text.filter((l) => !/^(→ )?(vault |export |[A-Z][A-Z0-9_]*=|#|\(set -o noclobber|kill |npx |kubectl )/.test(l.trim()));
    for (const l of nonEmpty(prose)) expect(l.length, l).toBeLessThanOrEqual(70);
  });

  it('lab status shows each node\'s role, not just a running process', async () => {
    const r = await cli('status', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/vault-0 .*leader \(active\)/);
    expect(r.stdout).toMatch(/vault-[12] .*sealed \d\/3/);
  });

  it('checks do not fill the node logs with the lab\'s own TLS 1.1 probes', async () => {
    const log = path.join(process.env.LAB_HOME!, 'ha-failover', 'logs', 'vault-0.log');
    const probes = () => fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('unsupported versions')).length;
    await cli('check', 'ha-failover');
    const before = probes();
    for (let i = 0; i < 3; i++) await cli('check', 'ha-failover');
    expect(probes()).toBe(before);
  });

  it('lab hint before lab start says to start, and shows no task', async () => {
    const r = await cli('hint', 'production', '--lang', 'en');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^npx lab start production$/m);
    expect(r.stdout).not.toMatch(/^■/m);
  });
});
