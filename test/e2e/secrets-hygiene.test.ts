/**
 * Secret hygiene: run every topic that exists on the local platform through the real CLI and prove that no
 * unseal key, root/admin token, secret_id or bind password reaches stdout, stderr, the lab's logs, the built site
 * or any process's command line while `lab run` works (argv is readable by every local user), and that every file
 * holding one is mode 0600.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootDir } from '../../src/engine/paths.ts';
import { testPortBase } from '../helpers.ts';
import { loadAll } from '../../src/engine/catalogue.ts';
import { nonEmpty } from '../non-empty.ts';
import { missingKubeBins } from '../../src/services/kube/bin.ts';

const node = path.join(rootDir, 'node_modules', '.bin', 'node');
const bin = path.join(rootDir, 'bin', 'lab.js');
let home: string;
const outputs: { what: string; text: string }[] = [];
const runs: Record<string, number> = {};
/** Every command line seen in the process table while `lab run <topic>` ran, per topic. */
const argvs = new Map<string, Set<string>>();

/**
 * Samples /proc every few milliseconds: each process seen young enough (its first 2 s) has its cmdline read again, so
 * a short-lived `bao operator unseal <key>` is caught after its exec, not only as the node that forked it.
 */
function sampleArgv(into: Set<string>): () => void {
  const firstSeen = new Map<string, number>();
  let stop = false;
  const tick = () => {
    if (stop) return;
    const now = Date.now();
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const seen = firstSeen.get(pid) ?? now;
      firstSeen.set(pid, seen);
      if (now - seen > 2000) continue;
      try {
        // Only this test's processes (they inherit its LAB_HOME): other agents' labs share the machine.
        if (!`\0${fs.readFileSync(`/proc/${pid}/environ`, 'utf8')}`.includes(`\0LAB_HOME=${home}\0`)) continue;
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        if (cmd) into.add(cmd);
      } catch {
        /* gone already */
      }
    }
    setTimeout(tick, 5);
  };
  tick();
  return () => {
    stop = true;
  };
}

async function lab(...args: string[]) {
  const r = await execa(node, [bin, ...args], {
    env: { LAB_HOME: home, LAB_PORT_BASE: String(testPortBase()), NO_COLOR: '1', LAB_LANG: 'en' },
    reject: false,
    cwd: rootDir,
    timeout: 300_000,
  });
  outputs.push({ what: `lab ${args.join(' ')} (stdout)`, text: String(r.stdout) }, { what: `lab ${args.join(' ')} (stderr)`, text: String(r.stderr) });
  return r;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => path.join(f.parentPath, f.name));
}

const SECRET_KEY = /(secret_id|password|passwd|bindpass|bind_pw|client_token|root_token|unseal_keys_(b64|hex)|recovery_keys_(b64|hex)|^token$)/i;
const SECRET_FILE = /(token|password|passwd|secret[-_]?id|bindpw|unseal|cluster-keys)/i;

/** Secret values the labs hold: the init output, token files, and any JSON field named like a secret. */
function collectSecrets(labDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const add = (v: unknown, where: string) => {
    if (typeof v === 'string' && v.trim().length >= 8 && !found.has(v.trim())) found.set(v.trim(), where);
    if (Array.isArray(v)) v.forEach((x) => add(x, where));
  };
  const visit = (o: unknown, where: string) => {
    if (!o || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      if (SECRET_KEY.test(k)) add(v, `${where}:${k}`);
      else visit(v, where);
    }
  };
  for (const f of walk(labDir)) {
    const rel = path.relative(labDir, f);
    if (rel.startsWith('logs') || rel.startsWith('chaos') || fs.statSync(f).size > 1_000_000) continue;
    const text = fs.readFileSync(f, 'utf8');
    try {
      visit(JSON.parse(text), rel);
    } catch {
      if (SECRET_FILE.test(path.basename(f)) && !text.trim().includes('\n')) add(text, rel);
    }
  }
  return found;
}

describe('secret hygiene across every local topic', () => {
  let topics: string[] = [];
  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-lab-secrets-'));
    // A topic whose Kubernetes binaries are not built yet would start a 17-minute build: not this test's business.
    topics = (await loadAll()).filter((t) => t.platforms.includes('local') && (!t.needs.kube || missingKubeBins(Boolean(t.needs.eso)).length === 0)).map((t) => t.id);
    for (const t of topics) {
      const seen = new Set<string>();
      argvs.set(t, seen);
      const stopSampling = sampleArgv(seen);
      const r = await lab('run', t).finally(stopSampling);
      runs[t] = r.exitCode ?? 1;
      await lab('check', t, '--json');
      await lab('info', t);
      await lab('env', t);
      await lab('hint', t);
      if (t === 'ha-failover' && r.exitCode === 0) await lab('chaos', t, '--kills', '1');
    }
    await lab('status');
  }, 900_000);
  afterAll(async () => {
    await lab('down', '--all');
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('the core topics ran', () => {
    expect(topics).toEqual(expect.arrayContaining(['ha-failover', 'vault-k8s']));
    expect(runs['ha-failover']).toBe(0);
    expect(runs['vault-k8s']).toBe(0);
  });

  it('no secret value in any CLI output, log or built site', async () => {
    const secrets = new Map<string, string>();
    for (const t of topics) for (const [v, w] of collectSecrets(path.join(home, t))) if (!secrets.has(v)) secrets.set(v, `${t}/${w}`);
    const where = [...new Set(secrets.values())];
    // The scan must have something to look for: the init output of both core topics.
    expect(where.some((w) => w.startsWith('ha-failover/cluster-keys.json:root_token'))).toBe(true);
    expect(where.some((w) => w.startsWith('ha-failover/cluster-keys.json:unseal_keys_b64')), where.join('\n')).toBe(true);
    expect(where.some((w) => w.startsWith('vault-k8s/cluster-keys.json:root_token'))).toBe(true);

    const haystacks = [...outputs];
    for (const t of topics) {
      for (const f of walk(path.join(home, t, 'logs'))) haystacks.push({ what: f, text: fs.readFileSync(f, 'utf8') });
      for (const f of walk(path.join(home, t)).filter((f) => f.endsWith('.log'))) haystacks.push({ what: f, text: fs.readFileSync(f, 'utf8') });
    }
    if (fs.existsSync(path.join(rootDir, 'src', 'cli', 'commands', 'site.ts'))) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-lab-secrets-site-'));
      const r = await lab('site', 'build', '--out', out);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      for (const f of walk(out)) haystacks.push({ what: f, text: fs.readFileSync(f, 'latin1') });
      fs.rmSync(out, { recursive: true, force: true });
    }
    const leaks: string[] = [];
    for (const h of haystacks) for (const [v, w] of secrets) if (h.text.includes(v)) leaks.push(`${w} appears in ${h.what}`);
    expect(leaks).toEqual([]);
    // A raw token in output would be one the lab never registered: none may look like one.
    for (const h of nonEmpty(outputs)) expect(h.text, h.what).not.toMatch(/\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{20,}/);
  });

  it('no key, token or secret_id in any process\'s command line while lab run worked (sampled from /proc)', () => {
    const leaks: string[] = [];
    let lines = 0;
    for (const t of topics) {
      const seen = argvs.get(t) ?? new Set<string>();
      lines += seen.size;
      // The lab's own CLI runs were sampled: the check below has something to look at.
      expect([...seen].some((c) => /\b(?:bao|vault) /.test(c)), `${t}: no vault/bao command sampled`).toBe(true);
      const secrets = collectSecrets(path.join(home, t));
      for (const cmd of seen) {
        for (const [v, w] of secrets) if (cmd.includes(v)) leaks.push(`${t}: ${w} in argv: ${cmd.replace(v, '<secret>').slice(0, 160)}`);
        if (/\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{20,}/.test(cmd)) leaks.push(`${t}: a token in argv: ${cmd.slice(0, 160)}`);
      }
    }
    expect(lines).toBeGreaterThan(50);
    expect(leaks).toEqual([]);
  });

  it('every file holding a secret, and every private key, is mode 0600', () => {
    const bad: string[] = [];
    for (const t of topics) {
      const dir = path.join(home, t);
      const secrets = [...collectSecrets(dir).keys()];
      for (const f of walk(dir)) {
        const rel = path.relative(dir, f);
        if (rel.startsWith('logs')) continue;
        const mode = fs.statSync(f).mode & 0o777;
        const text = fs.readFileSync(f, 'utf8');
        const holds = f.endsWith('.key') || /PRIVATE KEY-----/.test(text) || secrets.some((s) => text.includes(s));
        if (holds && mode !== 0o600) bad.push(`${t}/${rel} is ${mode.toString(8)}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
