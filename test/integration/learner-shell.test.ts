/**
 * The learner's shell after `eval "$(npx lab env <topic>)"` tells the truth: a working `vault`/`bao` of this lab's
 * own (never a link into another lab's folder), and the token a learner sets on a command line is the one used.
 * Real OpenBao; k8s-auth/vso with a real kube-apiserver when its binaries are built.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, failedIds, learnerBash, pasteHints, useTempLabHome } from '../helpers.ts';
import { missingKubeBins } from '../../src/services/kube/bin.ts';

let home: string;
const bash = (script: string) => learnerBash(script, { timeoutMs: 240_000 });
/** A new terminal: nothing of an earlier `lab env` (learnerBash extends this process's env, which has none). */
const clean = (script: string) => bash(`unset VAULT_ADDR VAULT_TOKEN VAULT_CACERT BAO_ADDR BAO_TOKEN BAO_CACERT\n${script}`);

describe("the learner's shell (real OpenBao)", () => {
  beforeAll(() => {
    home = useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('a topic started from a shell connected to another lab gets its own vault and bao, which work in a new shell', async () => {
    const first = await bash('npx lab run vault-k8s');
    expect(first.code, first.stderr).toBe(0);
    // The second lab is started from the first lab's shell: its shim folder is first on PATH.
    const second = await bash('eval "$(npx lab env vault-k8s)"\ncommand -v vault\nnpx lab run tls');
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(second.stdout).toContain(path.join(home, 'vault-k8s', 'bin', 'vault'));
    const info = await bash('npx lab info tls --lang en');
    expect(info.stdout).not.toContain(path.join(home, 'vault-k8s'));
    // The first lab's links are gone (as after `lab reset vault-k8s`): the second lab's shell must not care.
    fs.rmSync(path.join(home, 'vault-k8s', 'bin'), { recursive: true, force: true });
    const env = await clean('npx lab env tls');
    expect(env.stdout).toMatch(/^export PATH=/m);
    const r = await clean('eval "$(npx lab env tls)"\ncommand -v vault bao\nvault status\nbao status >/dev/null && echo bao-ok');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(path.join(home, 'tls', 'bin', 'vault'));
    expect(r.stdout).toMatch(/Sealed\s+false/);
    expect(r.stdout).toContain('bao-ok');
  });

  it('VAULT_TOKEN=$T vault … runs as $T, not as the root token lab env exported (bao reads BAO_TOKEN first)', async () => {
    const r = await clean(
      [
        'eval "$(npx lab env vault-k8s)"',
        'env | grep -c "^BAO_" || true',
        'T=$(vault token create -policy=default -field=token)',
        'VAULT_TOKEN=$T vault token lookup -format=json | jq -c .data.policies',
        'VAULT_TOKEN=$T vault kv put secret/webapp/config username=x password=y; echo "put-exit=$?"',
        'BAO_TOKEN=$T bao kv get secret/webapp/config; echo "get-exit=$?"',
      ].join('\n'),
    );
    expect(r.stdout).toMatch(/^0$/m);
    expect(r.stdout).toContain('["default"]');
    expect(r.stderr).toMatch(/permission denied|403/);
    expect(r.stdout).toMatch(/^put-exit=2$/m);
    expect(r.stdout).toMatch(/^get-exit=2$/m);
    // The secret is untouched: the refused write did not go through as root.
    const kv = await clean('eval "$(npx lab env vault-k8s)"\nvault kv get -field=username secret/webapp/config');
    expect(kv.stdout.trim()).not.toBe('x');
  });

  it('lab solve <step> (an id or the number lab hint shows) prints the commands it ran, as a learner types them', async () => {
    const r = await cli('solve', 'vault-k8s', '4', '--lang', 'en');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^vault kv put secret\/webapp\/config username=static-user password=static-password$/m);
    // The token stays the learner's $VAR, never its value.
    const k = await cli('solve', 'vault-k8s', 'read', '--lang', 'en');
    expect(k.code, k.stderr).toBe(0);
    expect(k.stderr).toMatch(/^curl -sf --header @- "\$VAULT_ADDR\/v1\/secret\/data\/webapp\/config" <<< "X-Vault-Token: \$VAULT_TOKEN"$/m);
    expect(k.stderr).not.toMatch(/\bs\.[A-Za-z0-9]{20,}/);
  });

  it('lab env unsets a BAO_* twin an older lab env (or the learner) left behind', async () => {
    const r = await clean('export BAO_TOKEN=s.left-over-token-from-before BAO_ADDR=http://127.0.0.1:9\neval "$(npx lab env vault-k8s)"\necho "bao=${BAO_TOKEN-unset}/${BAO_ADDR-unset}"\nbao token lookup -format=json | jq -c .data.policies');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bao=unset/unset');
    expect(r.stdout).toContain('["root"]');
  });
});

const kube = missingKubeBins(true).length === 0;
const controlPlane = missingKubeBins(false).length === 0;

describe.skipIf(!controlPlane)('k8s-auth steps 6-8 are the learner\'s (real kube-apiserver, real OpenBao)', () => {
  beforeAll(() => {
    useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('a half-done accounts step shows only what is left (no AlreadyExists on a second paste); lab status lines up its columns', async () => {
    expect((await cli('start', 'k8s-auth')).code).toBe(0);
    const half = await clean('eval "$(npx lab env k8s-auth)"\nkubectl create namespace vault\nkubectl create serviceaccount vault -n vault\nnpx lab hint k8s-auth --lang en');
    expect(half.code, half.stderr).toBe(0);
    expect(half.stdout).toMatch(/^# what is left of this step:$/m);
    expect(half.stdout).toMatch(/^kubectl create clusterrolebinding vault-server-binding /m);
    expect(half.stdout).toMatch(/^kubectl create serviceaccount webapp -n default$/m);
    expect(half.stdout).not.toMatch(/^kubectl create namespace vault$/m);
    expect(half.stdout).not.toMatch(/^kubectl create serviceaccount vault -n vault$/m);
    const st = (await cli('status', '--lang', 'en')).stdout.split('\n').filter((l) => / pid \d+/.test(l));
    expect(st.length).toBeGreaterThanOrEqual(3);
    expect(new Set(st.map((l) => l.indexOf(' pid ')))).toHaveProperty('size', 1);
  });

  it('after the role the hint walks login, refusals, recreate; the lesson\'s app-token write is refused 403', async () => {
    expect((await cli('start', 'k8s-auth')).code).toBe(0);
    for (const id of ['accounts', 'enable', 'config', 'policy', 'role']) expect((await cli('solve', 'k8s-auth', id)).code).toBe(0);
    const outs: string[] = [];
    const { seen, blocks, ending } = await pasteHints('k8s-auth', (script, input) => learnerBash(script, input !== undefined ? { input } : {}), {
      afterPaste: async (_t, _b, out) => void outs.push(out.stdout + out.stderr),
    });
    expect(seen).toEqual(['Log in with the SA token', 'Tokens that must be refused', 'The old token of a deleted and recreated SA']);
    // The lesson's own line, as pasted: the app token is the one used, and the write is refused.
    expect(blocks[0]).toMatch(/^VAULT_TOKEN="\$APP_TOKEN" vault kv put secret\/webapp\/config /m);
    expect(outs[0]).toMatch(/policies\s+\[default webapp\]/);
    expect(outs[0]).toMatch(/Code: 403[\s\S]*permission denied/);
    expect(outs[1]).toMatch(/invalid audience/);
    expect(outs[1]).toMatch(/service account name not authorized/);
    expect(ending).toMatch(/^all passed/m);
    expect(ending).toMatch(/^next topic: vso — /m);
    const kv = await clean('eval "$(npx lab env k8s-auth)"\nvault kv get -field=username secret/webapp/config');
    expect(kv.stdout.trim()).toBe('static-user');
  });

  it('lab run on a fresh lab leaves the same evidence and converges', async () => {
    expect((await cli('reset', 'k8s-auth')).code).toBe(0);
    const r = await cli('run', 'k8s-auth');
    expect(r.code, r.stderr).toBe(0);
    const check = await cli('check', 'k8s-auth', '--json');
    expect(failedIds(check)).toEqual([]);
  });

  it("the login check reports the error the learner's own login gets (a role bound to namespace vault: namespace not authorized)", async () => {
    const r = await clean('eval "$(npx lab env k8s-auth)"\nvault write auth/kubernetes/role/webapp bound_service_account_names=webapp bound_service_account_namespaces=vault policies=webapp ttl=24h audience=vault\nkubectl create token webapp -n default --audience vault --duration=10m | vault write auth/kubernetes/login role=webapp jwt=- || true');
    expect(r.stderr).toMatch(/namespace not authorized/);
    const j = JSON.parse((await cli('check', 'k8s-auth', '--json', '--lang', 'en')).stdout) as { results: { id: string; why?: string; fix?: string }[] };
    const login = j.results.find((x) => x.id === 'login')!;
    expect(login.why).toMatch(/namespace not authorized/);
    expect(login.fix).toMatch(/bound_service_account_names=webapp bound_service_account_namespaces=default/);
    expect((await cli('run', 'k8s-auth')).code).toBe(0);
  });

  it('drifted content converges by lab run: a webapp policy granting create instead of read, a role bound to every SA', async () => {
    const drift = await clean(
      [
        'eval "$(npx lab env k8s-auth)"',
        `vault policy write webapp - <<'EOF'\npath "secret/data/webapp/config" {\n  capabilities = ["create"]\n}\nEOF`,
        'vault write auth/kubernetes/role/webapp bound_service_account_names="*" bound_service_account_namespaces=default policies=webapp ttl=24h audience=vault',
      ].join('\n'),
    );
    expect(drift.code, drift.stderr).toBe(0);
    expect(failedIds(await cli('check', 'k8s-auth', '--json'))).toEqual(expect.arrayContaining(['policy-path', 'other-sa-refused']));
    const r = await cli('run', 'k8s-auth');
    expect(r.code, r.stderr).toBe(0);
    expect(failedIds(await cli('check', 'k8s-auth', '--json'))).toEqual([]);
  });
});

describe.skipIf(!kube)('k8s-auth then vso (real kube-apiserver, ESO)', () => {
  beforeAll(() => {
    home = useTempLabHome();
  });
  afterAll(async () => {
    await cli('down', '--all');
  });

  it('vso started from a shell connected to k8s-auth has a working vault of its own', async () => {
    expect((await bash('npx lab start k8s-auth')).code).toBe(0);
    const vso = await bash('eval "$(npx lab env k8s-auth)"\nnpx lab start vso');
    expect(vso.code, vso.stderr + vso.stdout).toBe(0);
    fs.rmSync(path.join(home, 'k8s-auth', 'bin'), { recursive: true, force: true });
    const r = await clean('eval "$(npx lab env vso)"\ncommand -v vault\nvault status');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(path.join(home, 'vso', 'bin', 'vault'));
  });

  it('vso names the Vault-side cause: a policy without data/ fails vault-side by name, the store folds under it; lab run repairs it', async () => {
    expect((await cli('run', 'vso')).code).toBe(0);
    const broke = await clean(`eval "$(npx lab env vso)"\nvault policy write webapp - <<'EOF'\npath "secret/webapp/config" {\n  capabilities = ["read"]\n}\nEOF`);
    expect(broke.code, broke.stderr).toBe(0);
    const j = JSON.parse((await cli('check', 'vso', '--json', '--lang', 'en')).stdout) as { results: { id: string; ok: boolean; why?: string; after?: string }[] };
    const by = (id: string) => j.results.find((x) => x.id === id)!;
    expect(by('vault-side').why).toMatch(/^Vault-side cause \(policy-path\): policy path "secret\/webapp\/config" lacks data\//);
    expect(by('store-ready')).toMatchObject({ ok: false, after: 'vault-side' });
    expect((await cli('run', 'vso')).code).toBe(0);
    expect(failedIds(await cli('check', 'vso', '--json'))).toEqual([]);
  });
});
