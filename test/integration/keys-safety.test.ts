/**
 * Issue 14: following the hint after the failover drill must never cost the learner the unseal keys.
 * Real OpenBao nodes; the learner's commands typed into real bash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cli, useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { LabDir } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { renderLocal } from '../../src/platforms/local/local.ts';
import { findVaultBinary } from '../../src/vault/binary.ts';
import { nonEmpty } from '../non-empty.ts';

const bash = (script: string) =>
  run('bash', ['-c', script], { cwd: rootDir, reject: false, timeoutMs: 60_000, env: { PATH: `${rootDir}node_modules/.bin:${process.env.PATH}` } });

const keysOf = (lab: LabDir) => JSON.parse(fs.readFileSync(lab.path('cluster-keys.json'), 'utf8')) as { root_token?: string; unseal_keys_b64?: string[] };

describe('ha-failover: the unseal keys survive whatever the hint says (real servers)', () => {
  let lab: LabDir;
  let original: string;
  beforeAll(async () => {
    useTempLabHome();
    lab = new LabDir('ha-failover');
    const r = await cli('run', 'ha-failover');
    expect(r.code, r.stderr).toBe(0);
    original = fs.readFileSync(lab.path('cluster-keys.json'), 'utf8');
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('after the drill, with vault-0 killed, the hint does not send the learner to init', async () => {
    expect((await cli('node', 'ha-failover', 'kill', 'vault-0')).code).toBe(0);
    const h = await cli('hint', 'ha-failover', '--lang', 'en');
    expect(h.code).toBe(0);
    expect(h.stdout).not.toMatch(/operator init/);
    // The stopped node is named, with the command that brings it back.
    expect(h.stdout + h.stderr).toMatch(/npx lab node ha-failover start vault-0/);
  });

  it('typing the init line the lesson shows, while the cluster is initialised, leaves cluster-keys.json whole', async () => {
    const topic = await loadTopic('ha-failover');
    const init = topic.steps.find((s) => s.id === 'init')!.commands!;
    const typed = init.map((c) => renderLocal(c, topic.needs.vault, topic.id)).join('\n');
    const r = await bash(`eval "$(node bin/lab.js env ha-failover)"\n${typed}`);
    expect(r.exitCode).not.toBe(0);
    expect(fs.readFileSync(lab.path('cluster-keys.json'), 'utf8')).toBe(original);
  });

  it('an emptied cluster-keys.json is restored by `lab run` (said once), which ends all pass', async () => {
    fs.writeFileSync(lab.path('cluster-keys.json'), '');
    const r = await cli('run', 'ha-failover', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/restored/g) ?? []).toHaveLength(1);
    expect(r.stderr).toMatch(/operator init/);
    expect(keysOf(lab).root_token).toBe(JSON.parse(original).root_token);
    expect((fs.statSync(lab.path('cluster-keys.json')).mode & 0o777).toString(8)).toBe('600');
    // Never printed.
    for (const k of nonEmpty(keysOf(lab).unseal_keys_b64 ?? [])) expect(r.stderr + r.stdout).not.toContain(k);
  });

  it('a missing cluster-keys.json is restored by `lab check`, and every node unseals after a full restart', async () => {
    fs.rmSync(lab.path('cluster-keys.json'));
    const c = await cli('check', 'ha-failover', '--lang', 'en');
    expect(c.stderr).toMatch(/restored/);
    expect(keysOf(lab).root_token).toBe(JSON.parse(original).root_token);
    expect((await cli('down', 'ha-failover')).code).toBe(0);
    const r = await cli('run', 'ha-failover');
    expect(r.code, r.stderr).toBe(0);
  });

  it("the lab's copy is 0600 inside a 0700 folder and never named in `lab info` without --show-secrets", async () => {
    const dir = lab.path('.keep');
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
    for (const f of nonEmpty(fs.readdirSync(dir))) expect((fs.statSync(path.join(dir, f)).mode & 0o777).toString(8)).toBe('600');
    const info = await cli('info', 'ha-failover', '--json');
    for (const k of nonEmpty(keysOf(lab).unseal_keys_b64 ?? [])) expect(info.stdout).not.toContain(k);
  });
});

describe('vault-k8s: a failed first init leaves an empty file; the lab clears it and the typed init then works (real server)', () => {
  let lab: LabDir;
  beforeAll(async () => {
    useTempLabHome();
    lab = new LabDir('vault-k8s');
    expect((await cli('start', 'vault-k8s')).code).toBe(0);
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('empty file + uninitialised Vault: hint removes the leftover, the rendered init succeeds, the keys are kept', async () => {
    fs.writeFileSync(lab.path('cluster-keys.json'), '', { mode: 0o600 });
    const h = await cli('hint', 'vault-k8s', '--lang', 'en');
    expect(h.stdout).toMatch(/operator init/);
    expect(h.stderr).toMatch(/empty/);
    expect(fs.existsSync(lab.path('cluster-keys.json'))).toBe(false);
    const topic = await loadTopic('vault-k8s');
    const typed = topic.steps.find((s) => s.id === 'init')!.commands!.map((c) => renderLocal(c, topic.needs.vault, topic.id)).join('\n');
    const r = await bash(`set -e; eval "$(node bin/lab.js env vault-k8s)"\n${typed}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(keysOf(lab).root_token).toMatch(/^(hvs|s)\./);
    // The next lab command keeps a copy.
    await cli('check', 'vault-k8s');
    expect(fs.readdirSync(lab.path('.keep')).length).toBeGreaterThan(0);
    // Even a second init typed by hand cannot clobber it now.
    const again = await bash(`eval "$(node bin/lab.js env vault-k8s)"\n${typed}`);
    expect(again.exitCode).not.toBe(0);
    expect(keysOf(lab).root_token).toMatch(/^(hvs|s)\./);
  });
});

describe('a lab run killed between init and writing its output (issue 14)', () => {
  it('the child wrote the keys to disk itself; the next command keeps them and the cluster unseals', async () => {
    const home = useTempLabHome();
    const lab = new LabDir('vault-k8s');
    // A `vault` that holds on for a while after `operator init` has printed: the window in which a killed `lab run`
    // used to hold the only copy of the keys in its memory.
    const real = (await findVaultBinary()).path;
    const wrapper = path.join(home, 'vault-slow-init');
    fs.writeFileSync(wrapper, `#!/bin/sh\ncase "$*" in *"operator init"*) "${real}" "$@"; rc=$?; sleep 60; exit $rc;; esac\nexec "${real}" "$@"\n`, { mode: 0o755 });
    const log = fs.openSync(path.join(home, 'run.log'), 'w');
    const child = spawn(process.execPath, ['bin/lab.js', 'run', 'vault-k8s', '--lang', 'en'], { cwd: rootDir, env: { ...process.env, VAULT_BIN: wrapper }, detached: true, stdio: ['ignore', log, log] });
    const spool = lab.path('.keep', 'cluster-keys.json.spool');
    // Reaped, not a zombie (a zombie still answers kill -0, so its lock would look held).
    const exited = new Promise((r) => child.once('exit', r));
    const spooled = () => {
      try {
        return (JSON.parse(fs.readFileSync(spool, 'utf8')) as { unseal_keys_b64?: string[] }).unseal_keys_b64?.length === 1;
      } catch {
        return false;
      }
    };
    try {
      for (let i = 0; i < 300 && !spooled(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(spooled(), fs.readFileSync(path.join(home, 'run.log'), 'utf8')).toBe(true);
      expect(fs.statSync(spool).mode & 0o777).toBe(0o600);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
    // Killed inside the window: the lab never wrote cluster-keys.json.
    expect(fs.existsSync(lab.path('cluster-keys.json'))).toBe(false);
    const spooledKeys = fs.readFileSync(spool, 'utf8');

    const check = await cli('check', 'vault-k8s', '--lang', 'en');
    expect(check.stderr).toMatch(/restored it from its own copy/);
    expect(fs.existsSync(spool)).toBe(false);
    expect(keysOf(lab)).toEqual(JSON.parse(spooledKeys));
    const r = await cli('run', 'vault-k8s', '--lang', 'en').finally(() => cli('down', 'vault-k8s'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 120_000);
});
