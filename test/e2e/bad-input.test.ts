/**
 * Bad input through the real CLI entry point: each case gets a clear bilingual message, the documented exit
 * code (2 usage, 3 environment, 1 checks failed) and nothing already in the lab folder is lost.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, useTempLabHome } from '../helpers.ts';
import { portBase } from '../../src/platforms/ports.ts';
import { resetBinaryCache } from '../../src/vault/binary.ts';
import { rootDir } from '../../src/engine/paths.ts';

let home: string;
const labDir = (t = 'ha-failover') => path.join(home, t);
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);

/** Every file under a folder with its bytes, to prove nothing was changed or removed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const p = path.join(f.parentPath, f.name);
    out[path.relative(dir, p)] = fs.readFileSync(p, 'base64');
  }
  return out;
}

function seed(files: Record<string, string>, topic = 'ha-failover'): void {
  fs.rmSync(labDir(topic), { recursive: true, force: true });
  fs.mkdirSync(labDir(topic), { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(labDir(topic), name), text, { mode: 0o600 });
}

const record = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ schema: 1, topic: 'ha-failover', platform: 'local', createdAt: new Date().toISOString(), ports: { base: portBase('ha-failover') }, processes: {}, facts: {}, ...over });

describe('bad input', () => {
  beforeAll(() => {
    home = useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', '--all');
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('unknown topic: a suggestion, exit 2', async () => {
    const r = await cli('run', 'ha-failovr', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown topic 'ha-failovr'. Did you mean 'ha-failover'?");
    const ko = await cli('check', 'ha-failovr', '--lang', 'ko');
    expect(ko.code).toBe(2);
    expect(ko.stderr).toContain("혹시 'ha-failover' 인가요?");
    expect(fs.existsSync(labDir('ha-failovr'))).toBe(false);
  });

  it('unknown flag: names it, shows usage, exit 2', async () => {
    const r = await cli('run', 'ha-failover', '--frobnicate', '--lang', 'en');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--frobnicate');
    expect(r.stderr).toContain('usage: lab run <topic>');
    expect(fs.existsSync(labDir())).toBe(false);
  });

  it('port in use: which port and which process, exit 3', async () => {
    const port = portBase('ha-failover');
    const srv = net.createServer();
    await new Promise<void>((res) => srv.listen({ port, host: '127.0.0.1' }, () => res()));
    try {
      const r = await cli('run', 'ha-failover', '--lang', 'en');
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`port ${port}`);
      expect(r.stderr).toContain(`pid ${process.pid}`);
      expect(r.stderr).toContain('LAB_PORT_BASE');
      noStack(r.stderr);
    } finally {
      await new Promise((res) => srv.close(res));
      await cli('down', 'ha-failover');
      fs.rmSync(labDir(), { recursive: true, force: true });
    }
  });

  it('missing vault/bao binary: install hint, exit 3', async () => {
    const saved = { PATH: process.env.PATH, VAULT_BIN: process.env.VAULT_BIN, LAB_NO_BUNDLED_BAO: process.env.LAB_NO_BUNDLED_BAO };
    process.env.PATH = '/usr/bin:/bin';
    process.env.VAULT_BIN = '/nonexistent/vault';
    process.env.LAB_NO_BUNDLED_BAO = '1';
    resetBinaryCache();
    try {
      const r = await cli('run', 'vault-k8s', '--lang', 'en');
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('no vault or bao binary found');
      expect(r.stderr).toContain('scripts/setup.sh');
      expect(r.stderr).toContain('/nonexistent/vault');
      noStack(r.stderr);
      const ko = await cli('run', 'vault-k8s', '--lang', 'ko');
      expect(ko.stderr).toContain('vault 또는 bao 실행 파일을 찾을 수 없습니다');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      resetBinaryCache();
      fs.rmSync(labDir('vault-k8s'), { recursive: true, force: true });
    }
  });

  it.skipIf(!fs.existsSync(path.join(rootDir, 'scenarios', 'ldap.ts')))('missing slapd: install hint, exit 3', async () => {
    process.env.LAB_SLAPD = '/nonexistent/slapd';
    try {
      const r = await cli('run', 'ldap', '--lang', 'en');
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('slapd');
      expect(r.stderr).toContain('apt-get install');
      noStack(r.stderr);
    } finally {
      delete process.env.LAB_SLAPD;
      await cli('down', 'ldap');
      fs.rmSync(labDir('ldap'), { recursive: true, force: true });
    }
  });

  it('corrupt or partial lab.json: message, exit 3, file untouched (also by run and reset)', async () => {
    seed({ 'lab.json': '{"schema": 1, "topic": "ha-fa', 'cluster-keys.json': '{"root_token":"keep-me"}' });
    const before = snapshot(labDir());
    for (const argv of [['check', 'ha-failover'], ['run', 'ha-failover'], ['reset', 'ha-failover']]) {
      const r = await cli(...argv, '--lang', 'en');
      expect(r.code, argv.join(' ')).toBe(3);
      expect(r.stderr).toContain(`state file is corrupt: ${path.join(labDir(), 'lab.json')}`);
      expect(r.stderr).toContain('left as it is');
      noStack(r.stderr);
      expect(snapshot(labDir())).toEqual(before);
    }
  });

  it('corrupt progress.json: message, exit 3, file untouched', async () => {
    seed({ 'lab.json': record(), 'progress.json': '{"steps": {"init": ' });
    const before = snapshot(labDir());
    const r = await cli('hint', 'ha-failover', '--lang', 'en');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`state file is corrupt: ${path.join(labDir(), 'progress.json')}`);
    expect(snapshot(labDir())).toEqual(before);
  });

  it('a state folder from another schema version: exit 3, nothing deleted', async () => {
    seed({ 'lab.json': record({ schema: 99 }), 'cluster-keys.json': '{"root_token":"keep-me"}', 'notes.txt': 'mine' });
    const before = snapshot(labDir());
    for (const argv of [['check', 'ha-failover'], ['reset', 'ha-failover'], ['down', '--all'], ['run', 'ha-failover']]) {
      const r = await cli(...argv, '--lang', 'en');
      expect(r.code, argv.join(' ')).toBe(3);
      expect(r.stderr).toContain('another vault-lab version (schema 99)');
      expect(r.stderr).toContain('Nothing was deleted');
      expect(snapshot(labDir())).toEqual(before);
    }
    fs.rmSync(labDir(), { recursive: true, force: true });
  });

  it('lab check on a lab never created: exit 3 with how to create it', async () => {
    const r = await cli('check', 'ha-failover', '--lang', 'en');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("there is no 'ha-failover' lab yet");
    expect(r.stderr).toContain("'npx lab run ha-failover'");
    expect(fs.existsSync(labDir())).toBe(false);
  });

  it('a state folder that cannot be written: exit 3, clear message', async () => {
    const file = path.join(home, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    const saved = process.env.LAB_HOME;
    process.env.LAB_HOME = path.join(file, 'x');
    try {
      const r = await cli('run', 'ha-failover', '--lang', 'en');
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`cannot write the state folder: ${path.join(file, 'x', 'ha-failover')}`);
      expect(r.stderr).toContain('LAB_HOME');
      noStack(r.stderr);
      const c = await cli('check', 'ha-failover', '--lang', 'en');
      expect(c.code).toBe(3);
    } finally {
      process.env.LAB_HOME = saved;
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('not a folder');
  });

  it('lab check on a lab that is down: checks fail (exit 1) and the fixes say how to restart', { timeout: 120_000 }, async () => {
    const run = await cli('run', 'ha-failover', '--lang', 'en');
    expect(run.code, run.stderr).toBe(0);
    const keys = fs.readFileSync(path.join(labDir(), 'cluster-keys.json'), 'utf8');
    expect((await cli('down', 'ha-failover')).code).toBe(0);
    const r = await cli('check', 'ha-failover', '--lang', 'en');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('does not answer');
    expect(r.stdout).toMatch(/npx lab (node ha-failover start vault-\d|run ha-failover)/);
    const j = await cli('check', 'ha-failover', '--json', '--lang', 'en');
    expect(j.code).toBe(1);
    expect((JSON.parse(j.stdout) as { ok: boolean }).ok).toBe(false);
    // Down keeps the learner's data.
    expect(fs.readFileSync(path.join(labDir(), 'cluster-keys.json'), 'utf8')).toBe(keys);
  });
});
