/**
 * The lesson's client examples, run for real against the solved tls lab: each must work with the lab CA and
 * fail without it (so verification is really on). The Python and Node code is taken from the lesson text itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { which } from '../../src/vault/binary.ts';
import { lessonPath } from '../../src/engine/content.ts';
import { labsDir, rootDir } from '../../src/engine/paths.ts';

let home: string;
let env: Record<string, string>;
const lesson = fs.readFileSync(lessonPath('tls'), 'utf8');
const block = (lang: string): string => {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(lesson);
  if (!m) throw new Error(`no ${lang} block in the lesson`);
  return m[1]!;
};
const python = path.join(rootDir, '.tools', 'venv', 'bin', 'python');
const bao = () => which('bao') ?? path.join(rootDir, '.tools', 'venv', 'bin', 'bao');

beforeAll(async () => {
  home = useTempLabHome('vault-lab-tls-clients-');
  const r = await cli('run', 'tls');
  expect(r.code, r.stderr).toBe(0);
  // What `eval "$(npx lab env tls)"` gives the learner, resolved.
  const out = await run('bash', ['-c', 'eval "$(node_modules/.bin/node bin/lab.js env tls)" && env -0'], { cwd: rootDir, env: { LAB_HOME: home, LAB_PORT_BASE: process.env.LAB_PORT_BASE } });
  env = Object.fromEntries(out.stdout.split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  env.VAULT_SKIP_VERIFY = '';
  env.BAO_SKIP_VERIFY = '';
  expect(env.VAULT_ADDR).toMatch(/^https:\/\//);
  expect(fs.existsSync(env.VAULT_CACERT!)).toBe(true);
});
afterAll(async () => {
  await cli('down', '--all');
  fs.rmSync(home, { recursive: true, force: true });
});

describe('tls clients against the live lab', () => {
  it('bao CLI with VAULT_CACERT reads the secret; without the CA it refuses the server', async () => {
    const ok = await run(bao(), ['kv', 'get', '-format=json', 'secret/webapp/config'], { env });
    expect((JSON.parse(ok.stdout) as { data: { data: { username: string } } }).data.data.username).toBe('static-user');
    const bad = await run(bao(), ['status'], { env: { ...env, VAULT_CACERT: '', BAO_CACERT: '' }, reject: false });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/certificate|x509/i);
  });

  it('curl --cacert works with the token header; without it curl stops at verification (exit 60)', async () => {
    const ok = await run('curl', ['-sS', '--fail', '--cacert', env.VAULT_CACERT!, '-H', `X-Vault-Token: ${env.VAULT_TOKEN!}`, `${env.VAULT_ADDR!}/v1/secret/data/webapp/config`], { env });
    expect((JSON.parse(ok.stdout) as { data: { data: { password: string } } }).data.data.password).toBe('static-password');
    const port = new URL(env.VAULT_ADDR!).port;
    const byName = await run('curl', ['-sS', '--fail', '--cacert', env.VAULT_CACERT!, '--resolve', `vault.example.com:${port}:127.0.0.1`, `https://vault.example.com:${port}/v1/sys/health`], { env });
    expect(JSON.parse(byName.stdout)).toMatchObject({ initialized: true, sealed: false });
    const bad = await run('curl', ['-sS', '--fail', `${env.VAULT_ADDR!}/v1/sys/health`], { env, reject: false });
    expect(bad.exitCode).toBe(60);
  });

  it('the lesson\'s Python hvac example (verify=VAULT_CACERT) prints the secret keys; verify=True fails', async () => {
    const code = block('python');
    const ok = await run(python, ['-c', code], { env });
    expect(ok.stdout.trim()).toBe("['password', 'username']");
    const bad = await run(python, ['-c', code.replace('verify=os.environ["VAULT_CACERT"]', 'verify=True')], { env, reject: false });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/SSLError|CERTIFICATE_VERIFY_FAILED/);
  });

  it('the lesson\'s Node https example (ca: VAULT_CACERT) gets 200; without ca it reports the TLS error', async () => {
    const dir = fs.mkdtempSync(path.join(home, 'node-'));
    const file = path.join(dir, 'health.mjs');
    fs.writeFileSync(file, block('js'));
    const node = path.join(rootDir, 'node_modules', '.bin', 'node');
    const ok = await run(node, [file], { env });
    expect(ok.stdout.trim()).toBe('200 false');
    fs.writeFileSync(file, block('js').replace('{ ca: fs.readFileSync(process.env.VAULT_CACERT) }', '{}'));
    const bad = await run(node, [file], { env, reject: false });
    expect(bad.stderr).toMatch(/self-signed|unable to verify|certificate/i);
  });

  it.skipIf(!which('go'))('Go (standard library only) GETs /v1/sys/health verified against the lab CA', async () => {
    // Standard library only: no module download; the user's build cache keeps reruns fast.
    const r = await run('go', ['run', path.join(labsDir, 'tls', 'clients', 'health.go')], {
      env: { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '', GO111MODULE: 'off', GOPROXY: 'off' },
      timeoutMs: 120_000,
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^200 TLS 1\.3\n\{"initialized":true/);
  });
});
