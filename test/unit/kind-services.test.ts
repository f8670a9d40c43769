/**
 * ldap, mcp and production on the kind platform. The cluster side is a FAKE runner (test/kind-fake.ts): no kind
 * cluster can run on the build machine. The in-pod `sh` script, run for real with sh, base64 and an OpenBao dev server,
 * is in test/integration/kind-pod-shell.test.ts: unit tests need no server.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAllYaml } from '@kubernetes/client-node';
import { useTempLabHome } from '../helpers.ts';
import { fakeDeps, lines, type Call } from '../kind-fake.ts';
import { LabDir, newLabRecord } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { KindPlatform } from '../../src/platforms/kind/kind.ts';
import { kindPlan } from '../../src/platforms/kind/plan.ts';
import { findKubeBin } from '../../src/services/kube/bin.ts';
import { MARIADB_FILES } from '../../src/services/mariadb/account.ts';
import { podFiles, renderKind } from '../../src/platforms/kind/exec-plan.ts';
import { LDAP } from '../../src/services/ldap/directory.ts';
import { portBase } from '../../src/platforms/ports.ts';
import type { RunOptions, RunResult } from '../../src/exec.ts';
import { run } from '../../src/exec.ts';
import { configCmd, loginCmds } from '../../scenarios/ldap.ts';

useTempLabHome('kind-services-test-');
const sink = { write: () => undefined };
const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: sink, stderr: sink });
type Manifest = { kind: string; metadata: { name: string }; stringData?: Record<string, string> };

/** A platform on the fake runner, with `answer` for reads the test scripts (base64 of a snapshot, a pod's start). */
async function kindLab(id: string, answer: (line: string) => string | undefined = () => undefined) {
  const topic = await loadTopic(id);
  const lab = new LabDir(id);
  const f = fakeDeps({ pods: ['vault-0'] });
  const inner = f.deps.run!;
  f.deps.run = async (file: string, args: readonly string[], o: RunOptions = {}): Promise<RunResult> => {
    const r = await inner(file, args, o);
    const a = answer([file, ...args].join(' '));
    return a === undefined ? r : { ...r, stdout: a };
  };
  return { topic, lab, f, p: new KindPlatform(lab, topic, f.deps) };
}
const inputOf = (c: Call | undefined) => c?.input ?? '';
// One Vault release per cluster: a lab a failed test left behind would refuse the next one.
afterEach(() => {
  for (const id of ['ldap', 'mcp', 'production']) new LabDir(id).remove();
});

describe('up() on kind for the topics with services (fake runner)', () => {
  it('ldap: passwords made once (0600, no newline), the same in the Secret the directory seeds from; openldap ready before Vault; forwarded beside vault-0', async () => {
    const { lab, f, p, topic } = await kindLab('ldap');
    await p.up(topic.needs, report);
    const bind = fs.readFileSync(lab.path(LDAP.files.bind!), 'utf8');
    expect(bind).toMatch(/^[\w-]{20}$/);
    for (const u of ['bind', 'alice', 'bob']) expect(fs.statSync(lab.path(LDAP.files[u]!)).mode & 0o777).toBe(0o600);
    const ms = loadAllYaml(fs.readFileSync(lab.path('kind', 'services.yaml'), 'utf8')) as Manifest[];
    expect(ms.find((m) => m.kind === 'Secret' && m.metadata.name === 'openldap-admin')!.stringData!.password).toBe(bind);
    const l = lines(f.calls);
    const at = (s: string) => l.findIndex((x) => x.includes(s));
    expect(at('rollout status deployment/openldap')).toBeGreaterThan(at('apply -f ' + lab.path('kind', 'services.yaml')));
    expect(at('upgrade --install vault hashicorp/vault')).toBeGreaterThan(at('rollout status deployment/openldap'));
    const base = portBase('ldap', 'kind');
    expect(f.daemons.map((d) => d[1])).toEqual([expect.stringContaining(`pod/vault-0 ${base}:8200`), expect.stringContaining(`svc/openldap ${base + 10}:389`)]);
    // A second up() keeps the passwords (the directory was seeded with them).
    await p.up(topic.needs, report);
    expect(fs.readFileSync(lab.path(LDAP.files.bind!), 'utf8')).toBe(bind);
    expect(p.shellEnv()).toMatchObject({ LDAP_URL: `ldap://127.0.0.1:${base + 10}`, LDAP_BIND_DN: LDAP.bindDn });
    expect(p.ldap?.url).toBe('ldap://openldap.vault.svc:389');
    lab.remove();
  });

  it('mcp: the MariaDB account file names the port-forward (lab mcp and the checks read it); MARIADB_PORT is that port', async () => {
    const { lab, f, p, topic } = await kindLab('mcp');
    await p.up(topic.needs, report);
    const base = portBase('mcp', 'kind');
    const account = JSON.parse(fs.readFileSync(lab.path(MARIADB_FILES.admin), 'utf8')) as { username: string; password: string; port: number };
    expect(account).toMatchObject({ username: 'vaultadmin', port: base + 11 });
    expect(fs.readFileSync(lab.path(MARIADB_FILES.password), 'utf8')).toBe(account.password);
    const ms = loadAllYaml(fs.readFileSync(lab.path('kind', 'services.yaml'), 'utf8')) as Manifest[];
    expect(ms.find((m) => m.metadata.name === 'mariadb-init')!.stringData!['init.sql']).toContain(`IDENTIFIED BY '${account.password}'`);
    expect(f.daemons.some((d) => d[1]!.includes(`svc/mariadb ${base + 11}:3306`))).toBe(true);
    expect(p.shellEnv().MARIADB_PORT).toBe(String(base + 11));
    lab.remove();
  });

  it('production: the transit release is installed and bootstrapped before the main chart, whose seal needs it', async () => {
    const { lab, f, p, topic } = await kindLab('production');
    await p.up(topic.needs, report);
    const l = lines(f.calls);
    const at = (s: string) => l.findIndex((x) => x.includes(s));
    expect(at('upgrade --install vault-transit')).toBeGreaterThan(-1);
    expect(at('transit-bootstrap.sh')).toBeGreaterThan(at('upgrade --install vault-transit'));
    expect(at('upgrade --install vault hashicorp/vault')).toBeGreaterThan(at('transit-bootstrap.sh'));
    lab.remove();
  });
});

describe('down() on kind', () => {
  it('removes the topic\'s services and its transit release too; their passwords and keys stay for the next run', async () => {
    for (const id of ['mcp', 'production']) {
      const { lab, f, p, topic } = await kindLab(id);
      await p.up(topic.needs, report);
      f.calls.length = 0;
      await p.down();
      const l = lines(f.calls);
      expect(l, id).toContain('helm --kube-context kind-vault-lab uninstall vault -n vault --ignore-not-found --wait');
      if (id === 'mcp') {
        expect(l).toContain(`kubectl --context kind-vault-lab delete -f ${lab.path('kind', 'services.yaml')} --ignore-not-found --wait=false`);
        expect(fs.existsSync(lab.path(MARIADB_FILES.password))).toBe(true);
      } else {
        expect(l).toContain('helm --kube-context kind-vault-lab uninstall vault-transit -n vault-transit --ignore-not-found --wait');
      }
      lab.remove();
    }
  });
});

describe('vaultCli on kind: the learner\'s files and addresses, as the pod sees them (fake runner)', () => {
  it('ldap config: the port-forward URL becomes the Service; the bind password goes on stdin, never in argv', async () => {
    const { lab, f, p, topic } = await kindLab('ldap');
    await p.up(topic.needs, report);
    f.calls.length = 0;
    const bind = fs.readFileSync(lab.path(LDAP.files.bind!), 'utf8');
    const env = p.runEnv();
    await p.vaultCli(['write', 'auth/ldap/config', `url=${env.LDAP_URL}`, `bindpass=@${lab.path(LDAP.files.bind!)}`], { env: { VAULT_TOKEN: 's.tokentokentokentoken' } });
    const [c] = f.calls;
    const argv = c!.args.join(' ');
    expect(argv).toContain(' url=ldap://openldap.vault.svc:389 ');
    expect(argv).not.toContain(bind);
    expect(argv).not.toContain(lab.dir);
    expect(argv).toMatch(/"\$S\d"/);
    expect(inputOf(c).split('\n')).toContain(`bindpass=${bind}`);
    lab.remove();
  });

  it('mcp: connection_url names the in-cluster MariaDB, file_path the chart\'s audit volume', async () => {
    const { lab, f, p, topic } = await kindLab('mcp');
    await p.up(topic.needs, report);
    f.calls.length = 0;
    const port = p.shellEnv().MARIADB_PORT;
    await p.vaultCli(['write', 'database/config/mysql', `connection_url={{username}}:{{password}}@tcp(127.0.0.1:${port})/`], {});
    await p.vaultCli(['audit', 'enable', 'file', `file_path=${lab.path('audit.log')}`], {});
    expect(f.calls[0]!.args.join(' ')).toContain('@tcp(mariadb.vault.svc:3306)/');
    expect(f.calls[1]!.args.join(' ')).toContain('file_path=/vault/audit/audit.log');
    lab.remove();
  });

  it('an LDAP login reads VAULT_LDAP_PASSWORD: exported in the pod from stdin, not on the command line', async () => {
    const { lab, f, p } = await kindLab('ldap');
    const pw = 'alice-pass-123456789';
    await p.vaultCli(['login', '-no-store', '-method=ldap', 'username=alice'], { env: { VAULT_LDAP_PASSWORD: pw, OTHER: 'x' }, forward: ['VAULT_LDAP_PASSWORD'] });
    const [c] = f.calls;
    expect(c!.args.join(' ')).not.toContain(pw);
    expect(c!.args.at(-1)).toContain('IFS= read -r VAULT_LDAP_PASSWORD; export VAULT_LDAP_PASSWORD');
    expect(c!.args.at(-1)).not.toContain('OTHER');
    // login needs no token: the password is the first line.
    expect(inputOf(c)).toBe(`${pw}\n`);
    lab.remove();
  });

  it('snapshot save copies the file out of the pod (base64, byte for byte); restore copies it in', async () => {
    const bytes = crypto.randomBytes(4096);
    const { lab, f, p } = await kindLab('production', (l) => (l.endsWith('-- base64 /tmp/backup.snap') ? bytes.toString('base64').replace(/.{76}/g, '$&\n') : undefined));
    lab.ensure();
    const snap = lab.path('backup.snap');
    await p.vaultCli(['operator', 'raft', 'snapshot', 'save', snap], {});
    expect(f.calls[0]!.args).toContain('/tmp/backup.snap');
    expect(fs.readFileSync(snap).equals(bytes)).toBe(true);
    expect(fs.statSync(snap).mode & 0o777).toBe(0o600);
    f.calls.length = 0;
    await p.vaultCli(['operator', 'raft', 'snapshot', 'restore', snap], { env: { VAULT_TOKEN: 's.tokentokentokentoken' } });
    const [c] = f.calls;
    expect(c!.args.at(-1)).toContain("base64 -d > /tmp/backup.snap; exec vault operator raft snapshot restore /tmp/backup.snap");
    expect(inputOf(c).split('\n')).toContain(bytes.toString('base64'));
    lab.remove();
  });

  it('a lab file that is not there is a clear error, not an empty value sent to Vault', async () => {
    const { lab, f, p } = await kindLab('production');
    lab.ensure();
    await expect(p.vaultCli(['write', 'auth/userpass/users/operator', `password=@${lab.path('operator.password')}`], {})).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('operator.password') });
    expect(f.calls).toEqual([]);
    lab.remove();
  });

  it('the audit log and the node\'s start are read in the pod', async () => {
    const { lab, f, p } = await kindLab('production', (l) => (l.includes('-- cat /vault/audit/audit.log') ? '{"type":"request"}\n' : l.includes('state.running.startedAt') ? '2026-11-29T10:00:00Z' : undefined));
    expect(await p.readServerFile('/vault/audit/audit.log')).toBe('{"type":"request"}\n');
    expect((await p.nodeStartedAt(0))?.toISOString()).toBe('2026-11-29T10:00:00.000Z');
    expect(lines(f.calls)).toEqual([
      'kubectl --context kind-vault-lab exec vault-0 -n vault -- cat /vault/audit/audit.log',
      'kubectl --context kind-vault-lab get pod vault-0 -n vault -o jsonpath={.status.containerStatuses[0].state.running.startedAt}',
    ]);
    lab.remove();
  });
});

describe('the learner\'s lines on kind', () => {
  it('ldap config: the in-cluster URL, the bind password as `bindpass=-` from its file', () => {
    const s = renderKind(configCmd);
    // The token first, then the file: `bindpass=-` reads what is left of stdin (issue 19, defect 10: no secret in argv).
    expect(s).toContain(`{ printf '%s\\n' "$VAULT_TOKEN"; cat "$LAB_DIR/ldap/bind.password"; } | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-0 -n vault -- sh -c 'IFS= read -r VAULT_TOKEN; export VAULT_TOKEN; exec vault write auth/ldap/config url=ldap://openldap.vault.svc:389`);
    expect(s).toMatch(/ bindpass=- /);
  });
  it('the LDAP login passes VAULT_LDAP_PASSWORD into the pod; the password file is read with cat', () => {
    const [set, login] = loginCmds('alice');
    expect(renderKind(set!)).toBe('export VAULT_LDAP_PASSWORD=$(cat "$LAB_DIR/ldap/alice.password")');
    expect(renderKind(login!)).toBe(
      `printf '%s\\n' "$VAULT_LDAP_PASSWORD" | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-0 -n vault -- sh -c 'IFS= read -r VAULT_LDAP_PASSWORD; export VAULT_LDAP_PASSWORD; exec vault login -no-store -method=ldap -format=json username=alice' > "$LAB_DIR/ldap/alice-login.json"`,
    );
  });
  it('a snapshot is copied out after save and in before restore', () => {
    expect(renderKind({ kind: 'vault', args: ['operator', 'raft', 'snapshot', 'save', '$LAB_DIR/backup.snap'] })).toBe(
      `printf '%s\\n' "$VAULT_TOKEN" | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-0 -n vault -- sh -c 'IFS= read -r VAULT_TOKEN; export VAULT_TOKEN; exec vault operator raft snapshot save /tmp/backup.snap' && kubectl --context "$LAB_KUBE_CONTEXT" cp vault/vault-0:/tmp/backup.snap "$LAB_DIR/backup.snap"`,
    );
    expect(renderKind({ kind: 'vault', args: ['operator', 'raft', 'snapshot', 'restore', '$LAB_DIR/backup.snap'] }).split('\n')).toEqual([
      'kubectl --context "$LAB_KUBE_CONTEXT" cp "$LAB_DIR/backup.snap" vault/vault-0:/tmp/backup.snap',
      `printf '%s\\n' "$VAULT_TOKEN" | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-0 -n vault -- sh -c 'IFS= read -r VAULT_TOKEN; export VAULT_TOKEN; exec vault operator raft snapshot restore /tmp/backup.snap'`,
    ]);
  });
  it('podFiles leaves flags, other paths and the CA alone', () => {
    expect(podFiles(['-leader-ca-cert=@/vault/userconfig/vault-tls/ca.crt', 'secret/x', 'v=@/etc/other'], '/lab').args).toEqual(['-leader-ca-cert=@/vault/userconfig/vault-tls/ca.crt', 'secret/x', 'v=@/etc/other']);
  });
});

describe('capabilities decide what a platform shows (requires)', () => {
  it('the tls ingress step and ingress-passthrough check exist on the lab\'s own kind cluster, not on a LAB_KUBE_CONTEXT one (no ingress installed there)', async () => {
    const { onPlatform } = await import('../../src/engine/runner.ts');
    const { checks } = await import('../../checkers/tls.ts');
    const topic = await loadTopic('tls');
    const step = topic.steps.find((s) => s.id === 'ingress')!;
    const check = checks.find((c) => c.id === 'ingress-passthrough')!;
    const own = new KindPlatform(new LabDir('tls'), topic, fakeDeps({ pods: [] }).deps);
    const theirs = new KindPlatform(new LabDir('tls'), topic, fakeDeps({ pods: [], env: { LAB_KUBE_CONTEXT: 'my-cluster' } }).deps);
    expect([onPlatform(step, own), onPlatform(check, own)]).toEqual([true, true]);
    expect([onPlatform(step, theirs), onPlatform(check, theirs)]).toEqual([false, false]);
    expect(onPlatform(step, { name: 'local' })).toBe(false);
  });
});

describe('the vso topic\'s operator on kind: ESO in the cluster where no registry serves VSO (issue 19)', () => {
  const ownMachine = () => ({ toolchain: { archives: [], nodeImage: 'vault-lab/kind-node:v1.35.4', images: { eso: 'vault-lab/external-secrets:v0.16.2' }, esoArchive: '/cache/kind/eso/external-secrets.tar' }, cgroupV1: false, cpus: 2 });
  const platform = async (env: Record<string, string> = {}, machine = true) => {
    const topic = await loadTopic('vso');
    const { deps } = fakeDeps({ pods: [], env });
    return new KindPlatform(new LabDir('vso'), topic, { ...deps, ...(machine ? { machine: ownMachine } : {}) });
  };
  it('the lab\'s own cluster from a node image built here runs ESO; another cluster (or a plain machine) the VSO chart; LAB_VSO_OPERATOR chooses', async () => {
    useTempLabHome('kind-eso-');
    expect([(await platform()).eso?.runs, (await platform()).vsoChart]).toEqual(['cluster', undefined]);
    expect([(await platform({}, false)).eso, (await platform({}, false)).vsoChart]).toEqual([undefined, true]);
    expect((await platform({ LAB_KUBE_CONTEXT: 'theirs' })).vsoChart).toBe(true);
    expect((await platform({ LAB_VSO_OPERATOR: 'vso' })).vsoChart).toBe(true);
    expect((await platform({ LAB_VSO_OPERATOR: 'eso' }, false)).eso?.runs).toBe('cluster');
    await expect((async () => (await platform({ LAB_VSO_OPERATOR: 'bogus' })).eso)()).rejects.toThrow(/LAB_VSO_OPERATOR='bogus' cannot be used: it must be eso or vso/);
  });
  it('the choice made at start holds in the learner\'s shell, where `lab env` exported LAB_KUBE_CONTEXT', async () => {
    useTempLabHome('kind-eso-');
    const p = await platform();
    p.lab.ensure();
    p.lab.saveRecord(newLabRecord('vso', 'kind', 30000, { context: 'kind-vault-lab', ownCluster: 'true', secretsOperator: 'eso' }));
    expect((await platform({ LAB_KUBE_CONTEXT: 'kind-vault-lab' })).eso?.runs).toBe('cluster');
  });
  it.skipIf(!findKubeBin('external-secrets-crds'))('the ESO objects: the image built here, its ServiceAccount bound to the chart\'s controller rules, the controller alone; the CRDs apart', async () => {
    useTempLabHome('kind-eso-');
    const p = await platform();
    expect(p.kubeServices().map(([n]) => n)).toEqual(['eso']);
    expect(p.forwards()).toEqual([]);
    const [svc] = p.plannedServices(ownMachine().toolchain.images);
    const kinds = svc!.objects.map((o) => `${String(o.kind)}/${String((o.metadata as { name: string }).name)}`);
    expect(kinds).toEqual(['ServiceAccount/external-secrets', 'ClusterRole/vault-lab-external-secrets-controller', 'ClusterRoleBinding/vault-lab-external-secrets-controller', 'Deployment/external-secrets']);
    const role = svc!.objects[1] as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const may = (group: string, resource: string, verb: string) => role.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    // What the vault provider's kubernetes auth and the sync need: a token for the store's SA, the Secret, the status.
    expect([may('', 'serviceaccounts/token', 'create'), may('', 'secrets', 'create'), may('external-secrets.io', 'externalsecrets/status', 'patch'), may('external-secrets.io', 'secretstores', 'watch')]).toEqual([true, true, true, true]);
    const dep = svc!.objects[3] as { spec: { template: { spec: { serviceAccountName: string; containers: { image: string; args: string[] }[] } } } };
    expect(dep.spec.template.spec.serviceAccountName).toBe('external-secrets');
    expect(dep.spec.template.spec.containers[0]!.image).toBe('vault-lab/external-secrets:v0.16.2');
    // No webhook, no cert-controller: the root command is the controller (cmd/controller/root.go's flags).
    expect(dep.spec.template.spec.containers[0]!.args).toEqual(['--metrics-addr=:8080', '--enable-leader-election=false', '--loglevel=info']);
    const crds = loadAllYaml(svc!.crds ?? '') as { kind: string; metadata: { name: string } }[];
    expect(crds.every((c) => c.kind === 'CustomResourceDefinition')).toBe(true);
    expect(crds.map((c) => c.metadata.name)).toEqual(expect.arrayContaining(['externalsecrets.external-secrets.io', 'secretstores.external-secrets.io']));
    // The SecretStore's server, as the learner's shell has it: Vault's Service, which a pod dials.
    expect(p.shellEnv().ESO_VAULT_ADDR).toBe('http://vault.vault.svc.cluster.local:8200');
  });
  it('a service\'s CRDs are applied server-side and Established before its objects', () => {
    const plan = kindPlan({ vault: { nodes: 1, storage: 'file', tls: false }, eso: true }, { context: 'kind-vault-lab', ownCluster: false, dir: '/plan', services: [{ name: 'external-secrets', crds: 'kind: CustomResourceDefinition\n', objects: [{ kind: 'ServiceAccount' }] }] });
    const ids = plan.steps.map((s) => s.id);
    expect(ids.indexOf('services-crds')).toBeLessThan(ids.indexOf('services-crds-established'));
    expect(ids.indexOf('services-crds-established')).toBeLessThan(ids.indexOf('services'));
    expect(plan.steps.find((s) => s.id === 'services-crds')!.args).toEqual(['--context', 'kind-vault-lab', 'apply', '--server-side', '--force-conflicts', '-f', '/plan/services-crds.yaml']);
  });
});

describe('a manifest on stdin naming a $VAR (vso\'s SecretStore)', () => {
  it('is an unquoted heredoc on kind as on local: the learner\'s shell fills in $ESO_VAULT_ADDR, as the lab does', async () => {
    const { secretStoreManifest } = await import('../../scenarios/vso.ts');
    const line = renderKind({ kind: 'exec', file: 'kubectl', args: ['apply', '-f', '-'], stdin: secretStoreManifest });
    expect(line.split('\n')[0]).toBe('kubectl apply -f - <<EOF');
    const r = await run('bash', ['-c', line.replace(/^kubectl apply -f -/, 'cat')], { env: { ESO_VAULT_ADDR: 'http://vault.vault.svc.cluster.local:8200' } });
    expect(r.stdout).toContain('server: http://vault.vault.svc.cluster.local:8200');
    expect(renderKind({ kind: 'exec', file: 'kubectl', args: ['apply', '-f', '-'], stdin: 'kind: X\n' }).split('\n')[0]).toBe("kubectl apply -f - <<'EOF'");
  });
});
