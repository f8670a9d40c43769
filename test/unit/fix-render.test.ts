/**
 * Issue 20: every fix line is rendered per platform. The judge unit tests are run again with LAB_JUDGE_RECORD (each
 * observation also judged on the other platform, test/setup.ts); every failing verdict's fix is rendered with each
 * platform's renderer, the one steps use, and no kind rendering may hold a local-only form. Every check of every topic
 * must have failed in a fixture on each of its platforms, so the list of files below reaches every fix.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixRenderProblems, localOnly } from '../../scripts/check-fix-render.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { renderOn } from '../helpers.ts';

const JUDGE_TESTS = ['ha-failover-judge', 'k8s-auth-judge', 'vault-k8s-judge', 'vso-judge', 'ldap', 'mcp', 'production', 'tls', 'tls-ingress'].map((f) => `test/unit/${f}.test.ts`);

describe('every fix, rendered on both platforms', () => {
  it('knows the local-only forms (the pid file the drill once showed a kind learner, a bare vault line)', async () => {
    expect(localOnly('Stop vault-1: kill -TERM "$(cat "$LAB_DIR/logs/vault-1.pid")"')).toHaveLength(3);
    expect(localOnly('vault write -address="$VAULT_ADDR_0" sys/unseal key=- <<< "$VAULT_UNSEAL_KEY_3"')).toHaveLength(1);
    expect(localOnly('curl https://127.0.0.1:18200/v1/sys/health')).toHaveLength(1);
    // kind's own forms pass: vault through kubectl exec, in a pod's `sh -c '… exec vault …'`.
    const kind = await renderOn('kind', 'ha-failover');
    expect(localOnly(kind({ kind: 'vault', node: 2, args: ['write', 'sys/unseal', 'key=-'], stdinVar: 'VAULT_UNSEAL_KEY_3' }))).toEqual([]);
    expect(localOnly(kind({ kind: 'node', action: 'kill', node: 1 }))).toEqual([]);
    expect(localOnly(kind({ kind: 'vault', args: ['kv', 'put', 'secret/x', 'a=b'] }))).toEqual([]);
  });

  it('the judge unit tests reach every check on each of its platforms, and no kind rendering has a local-only form', async () => {
    const record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fix-render-')), 'judges.jsonl');
    const env: Record<string, string | undefined> = { ...process.env, LAB_JUDGE_RECORD: record };
    for (const k of Object.keys(env)) if (k.startsWith('VITEST')) delete env[k];
    const failed = await promisify(execFile)(process.execPath, [path.join(rootDir, 'node_modules/vitest/vitest.mjs'), 'run', ...JUDGE_TESTS], { cwd: rootDir, env, maxBuffer: 64 << 20 }).then(
      () => undefined,
      (e: { stdout?: string }) => e.stdout ?? String(e),
    );
    // What the fixes say first; a judge test that failed as well is reported after.
    const { problems, rendered, checks } = await fixRenderProblems(record);
    expect(problems).toEqual([]);
    expect(failed).toBeUndefined();
    // 80 checks, most on both platforms; each failing fixture rendered in both languages.
    expect(checks).toBeGreaterThan(140);
    expect(rendered).toBeGreaterThan(1000);
  }, 300_000);
});
