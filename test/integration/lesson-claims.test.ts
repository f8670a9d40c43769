/** What the lessons say about OpenBao's behaviour, checked against the real binary the lab installs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { findVaultBinary } from '../../src/vault/binary.ts';
import { freePort } from '../helpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Start a file-storage server with one extra config line; resolve with its output once it started or exited. */
async function serve(extra: string): Promise<{ started: boolean; out: string }> {
  const bin = await findVaultBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-lab-claims-'));
  dirs.push(dir);
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'c.hcl'), `storage "file" { path = "${dir}/data" }\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\n${extra}\n`);
  const child = spawn(bin.path, ['server', `-config=${path.join(dir, 'c.hcl')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve) => {
    const done = (started: boolean) => {
      child.kill('SIGKILL');
      resolve({ started, out });
    };
    const timer = setTimeout(() => done(false), 20_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/server started/i.test(out)) {
        clearTimeout(timer);
        done(true);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ started: /server started/i.test(out), out });
    });
  });
}

describe('vault-k8s lesson: disable_mlock on OpenBao 2.x', async () => {
  const bin = await findVaultBinary();
  it.skipIf(bin.flavor !== 'bao')('starts with the line absent, and with true; refuses only false', async () => {
    expect((await serve('')).started).toBe(true);
    expect((await serve('disable_mlock = true')).started).toBe(true);
    const f = await serve('disable_mlock = false');
    expect(f.started).toBe(false);
    expect(f.out).toMatch(/dropped support for mlock/);
    const lesson = fs.readFileSync('labs/vault-k8s/lesson.ko.md', 'utf8');
    expect(lesson).not.toMatch(/true로 두어야/);
    expect(lesson).toMatch(/`false`만 기동을 거부/);
  });
});
