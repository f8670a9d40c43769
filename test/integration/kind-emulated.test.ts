/**
 * ldap, mcp and production driven on the kind platform end to end, against an EMULATED cluster (test/kind-emulator.ts:
 * kubectl is faked, the servers are the real OpenBao, slapd and MariaDB). What runs for real is everything the kind
 * platform does between the learner and Vault: the in-pod scripts with secrets on stdin, cluster addresses, password
 * files, the audit volume, snapshots copied in and out, pods deleted and recreated; and every checker, gathering
 * through the kind platform.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { emulatedKind, type EmulatedKind } from '../kind-emulator.ts';
import { runChecks, runSteps } from '../../src/engine/runner.ts';
import { LDAP } from '../../src/services/ldap/directory.ts';
import { nonEmpty } from '../non-empty.ts';

const home = useTempLabHome('kind-emulated-');
const open: EmulatedKind[] = [];
afterAll(async () => {
  for (const e of open) await e.close().catch(() => undefined);
});

describe.each(['ldap', 'mcp', 'production'])('%s on kind (emulated cluster, real servers)', (id) => {
  it('start: the task checks fail; run: every step through kubectl exec, and every check passes; no secret on a command line', async () => {
    const em = await emulatedKind(id, { home: `${home}/${id}` });
    open.push(em);
    try {
    await runSteps(em.ctx, 'start');
    const before = await runChecks(em.ctx);
    expect(before.filter((r) => !r.ok).length, JSON.stringify(before)).toBeGreaterThan(0);
    await runSteps(em.ctx, 'run');
    const after = await runChecks(em.ctx);
    expect(after.filter((r) => !r.ok), JSON.stringify(after.filter((r) => !r.ok), null, 2)).toEqual([]);
    // The kind platform ran Vault's commands in the "pod", not on this machine's vault CLI.
    expect(em.calls.some((c) => c.startsWith('kubectl --context kind-vault-lab exec -i vault-0 -n vault -- sh -c'))).toBe(true);
    const argv = em.calls.join('\n');
    const secrets = [em.ctx.lab.clusterKeys()?.root_token, ...Object.values(LDAP.files).map((f) => em.ctx.lab.readSecret(f)), em.ctx.lab.readSecret('mariadb-admin.password'), em.ctx.lab.readSecret('operator.password')].filter((s): s is string => Boolean(s?.trim()));
    for (const s of nonEmpty(secrets)) expect(argv).not.toContain(s.trim());
    } finally {
      await em.close();
    }
    expect(fs.existsSync(em.ctx.lab.path('lab.json'))).toBe(true);
  }, 300_000);
});
