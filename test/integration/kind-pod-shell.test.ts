/**
 * The kind platform's in-pod `sh` script, run for real here: the real sh and base64, and an OpenBao dev server in the
 * pod's place (what follows `kubectl exec … --` runs on this machine). Moved from the unit suites kind-platform and
 * kind-services: they need no server.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { usePodShell } from '../kind-fake.ts';
import { podVaultExec } from '../../src/platforms/kind/exec-plan.ts';
import { registerSecret } from '../../src/engine/redact.ts';
import { run } from '../../src/exec.ts';
import { VaultClient } from '../../src/vault/client.ts';

const home = useTempLabHome('kind-pod-shell-test-');

describe('the in-pod sh prelude, run for real (sh + OpenBao dev server)', () => {
  const root = 'root-token-for-prelude-test';
  const pod = usePodShell(home, 190, root);
  const addr = pod.addr;

  it('reads the token from stdin, then hands the rest of stdin to vault', async () => {
    registerSecret(root);
    const plan = podVaultExec({ context: 'x', node: 0, args: ['policy', 'write', 'webapp', '-'], token: root, stdin: 'path "secret/data/webapp/config" {\n  capabilities = ["read"]\n}\n', isSecret: () => false });
    const inPod = plan.args.slice(plan.args.indexOf('--') + 1);
    expect(inPod.join(' ')).not.toContain(root);
    await pod.exec(plan);
    const pol = await new VaultClient({ addr, token: root }).read<{ data: { policy: string } }>('/sys/policies/acl/webapp');
    expect(pol.data.policy).toContain('path "secret/data/webapp/config"');
  });

  it('passes a secret argument through stdin intact (a JWT-like value with = and /)', async () => {
    const secretValue = 'value=with/slash+plus==';
    registerSecret(secretValue);
    const plan = podVaultExec({ context: 'x', node: 0, args: ['kv', 'put', 'secret/prelude', `v=${secretValue}`], token: root, isSecret: (a) => a.includes(secretValue) });
    const inPod = plan.args.slice(plan.args.indexOf('--') + 1);
    expect(inPod.join(' ')).not.toContain(secretValue);
    await pod.exec(plan);
    const r = await new VaultClient({ addr, token: root }).kvGet('secret', 'prelude');
    expect(r?.data.v).toBe(secretValue);
  });
});

describe('the in-pod script, run for real (sh, base64, OpenBao dev server)', () => {
  const root = 'root-token-for-files-test';
  const pod = usePodShell(home, 191, root);
  const addr = pod.addr;
  const inPod = pod.exec;

  it('a copied-in binary file arrives byte for byte, and vault reads it there (k=@file in the pod)', async () => {
    const bytes = crypto.randomBytes(3000);
    const podPath = path.join(home, `copied-${process.pid}.bin`);
    const text = path.join(home, `copied-${process.pid}.txt`);
    const plan = podVaultExec({ context: 'x', node: 0, args: ['kv', 'put', 'secret/copied', `v=@${text}`], token: root, isSecret: () => false, files: [{ pod: podPath, content: bytes }, { pod: text, content: Buffer.from('line one\nline two') }] });
    await inPod(plan);
    expect(fs.readFileSync(podPath).equals(bytes)).toBe(true);
    expect((await new VaultClient({ addr, token: root }).kvGet('secret', 'copied'))?.data.v).toBe('line one\nline two');
  });

  it('a forwarded variable reaches vault\'s environment (the prelude exports it before exec)', async () => {
    // `vault` here prints its environment: what VAULT_LDAP_PASSWORD a real login would read.
    const shim = path.join(home, 'shim');
    fs.mkdirSync(shim, { recursive: true });
    fs.writeFileSync(path.join(shim, 'vault'), '#!/bin/sh\nprintf "%s|%s" "$VAULT_LDAP_PASSWORD" "$VAULT_TOKEN"\n', { mode: 0o755 });
    const plan = podVaultExec({ context: 'x', node: 0, args: ['login', '-method=ldap', 'username=alice'], token: root, isSecret: () => false, exports: { VAULT_LDAP_PASSWORD: 'p@ss word$1' } });
    const argv = plan.args.slice(plan.args.indexOf('--') + 1);
    const r = await run(argv[0]!, argv.slice(1), { env: { PATH: `${shim}:${process.env.PATH}` }, input: plan.input! });
    expect(r.stdout).toBe('p@ss word$1|');
  });
});
