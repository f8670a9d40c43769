/**
 * tls, ldap, mcp and production on kind, by what the dry run writes: values, certificate, in-cluster OpenLDAP and
 * MariaDB manifests, pinned and overridable images.
 */
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllYaml, loadYaml } from '@kubernetes/client-node';
import { useTempLabHome } from '../helpers.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { kindDryRun } from '../../src/platforms/kind/dry-run.ts';
import { LDAP, seedLdif } from '../../src/services/ldap/local.ts';
import { MARIADB_ADMIN_USER as LOCAL_ADMIN } from '../../src/services/mariadb/local.ts';
import { LDAP as DIRECTORY } from '../../src/services/ldap/directory.ts';
import { directoryLdif } from '../../src/services/ldap/kube.ts';
import { MARIADB_ADMIN_USER } from '../../src/services/mariadb/account.ts';
import { nonEmpty } from '../non-empty.ts';

const home = useTempLabHome('kind-topics-test-');

type Manifest = { kind: string; metadata: { name: string }; stringData?: Record<string, string>; spec?: { template?: { spec: { containers: { image: string; env?: { name: string; value?: string; valueFrom?: unknown }[] }[] } } } };
const manifests = (dir: string) => loadAllYaml(fs.readFileSync(path.join(dir, 'services.yaml'), 'utf8')) as Manifest[];
const find = (ms: Manifest[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name)!;

/** RFC 2307 {SSHA}: sha1(password + salt) followed by the salt. */
function sshaMatches(hash: string, password: string): boolean {
  const raw = Buffer.from(hash.replace(/^\{SSHA\}/, ''), 'base64');
  const digest = raw.subarray(0, 20);
  const salt = raw.subarray(20);
  return crypto.createHash('sha1').update(password).update(salt).digest().equals(digest);
}

describe('tls on kind', () => {
  it('standalone TLS Vault behind the passthrough ingress for vault.example.com, with Vault presenting that name itself', async () => {
    const out = path.join(home, 'tls');
    const r = await kindDryRun(await loadTopic('tls'), { out, env: {}, lang: 'en' });
    // tls runs on kind: the dry run is a plan of what `lab run tls --platform kind` applies, not the end of the road.
    expect(r.planOnly).toBe(false);
    const v = loadYaml<{ global: { tlsDisable: boolean }; server: { standalone: { config: string }; ingress: { hosts: { host: string }[]; annotations: Record<string, string> } } }>(fs.readFileSync(path.join(out, 'values.yaml'), 'utf8'));
    expect(v.global.tlsDisable).toBe(false);
    expect(v.server.standalone.config).toContain('tls_cert_file = "/vault/userconfig/vault-tls/tls.crt"');
    expect(v.server.ingress.hosts).toEqual([{ host: 'vault.example.com', paths: ['/'] }]);
    expect(v.server.ingress.annotations['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
    const cert = new X509Certificate(fs.readFileSync(path.join(out, 'tls', 'vault.crt')));
    expect(cert.checkHost('vault.example.com')).toBe('vault.example.com');
    expect(cert.verify(new X509Certificate(fs.readFileSync(path.join(out, 'tls', 'ca.crt'))).publicKey)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'plan.sh'), 'utf8')).toContain('--patch-file');
  });
});

describe('ldap on kind: an in-cluster OpenLDAP with the local directory', () => {
  it('is the same directory as the local platform seeds, apart from the suffix entry the image makes and fresh salts', () => {
    expect({ suffix: DIRECTORY.suffix, userDn: DIRECTORY.userDn, groupDn: DIRECTORY.groupDn, users: DIRECTORY.users }).toEqual({ suffix: LDAP.suffix, userDn: LDAP.userDn, groupDn: LDAP.groupDn, users: LDAP.users });
    expect(MARIADB_ADMIN_USER).toBe(LOCAL_ADMIN);
    const pw = { bind: 'b', alice: 'a', bob: 'c' };
    const unsalted = (ldif: string) => ldif.replace(/userPassword: \S+/g, 'userPassword: x').split(/\n\n/).filter((b) => !b.startsWith(`dn: ${LDAP.suffix}\n`));
    expect(unsalted(directoryLdif(pw))).toEqual(unsalted(seedLdif(pw)));
  });

  it('osixia/openldap pinned, suffix from LDAP_DOMAIN, the seed below it, passwords only as SSHA in the seed', async () => {
    const out = path.join(home, 'ldap');
    const r = await kindDryRun(await loadTopic('ldap'), { out, env: {}, lang: 'en' });
    expect(r.files).toEqual(expect.arrayContaining(['services.yaml', 'secrets/ldap-bind.password', 'secrets/ldap-alice.password', 'secrets/ldap-bob.password']));
    for (const f of ['services.yaml', 'secrets/ldap-alice.password']) expect(fs.statSync(path.join(out, f)).mode & 0o777).toBe(0o600);
    const ms = manifests(out);
    const c = find(ms, 'Deployment', 'openldap').spec!.template!.spec.containers[0]!;
    expect(c.image).toBe('osixia/openldap:1.5.0');
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
    // LDAP_DOMAIN example.com gives the suffix the lab's Vault config expects.
    expect(`dc=${env.LDAP_DOMAIN!.split('.').join(',dc=')}`).toBe(LDAP.suffix);
    expect(env.LDAP_TLS).toBe('false');
    const seed = find(ms, 'Secret', 'openldap-seed').stringData!['50-vault-lab.ldif']!;
    expect(seed).not.toMatch(new RegExp(`^dn: ${LDAP.suffix}$`, 'm'));
    expect(seed).toContain(`dn: uid=alice,${LDAP.userDn}`);
    expect(seed).toMatch(new RegExp(`dn: cn=developers,${LDAP.groupDn}\\nobjectClass: groupOfNames\\ncn: developers\\nmember: uid=alice,${LDAP.userDn}`));
    const alice = fs.readFileSync(path.join(out, 'secrets', 'ldap-alice.password'), 'utf8');
    expect(seed).not.toContain(alice);
    const hash = /dn: uid=alice,[\s\S]*?userPassword: (\S+)/.exec(seed)![1]!;
    expect(sshaMatches(hash, alice)).toBe(true);
    expect(sshaMatches(hash, `${alice}x`)).toBe(false);
    expect(find(ms, 'Secret', 'openldap-admin').stringData!.password).toBe(fs.readFileSync(path.join(out, 'secrets', 'ldap-bind.password'), 'utf8'));
    expect(find(ms, 'Service', 'openldap')).toMatchObject({ spec: { ports: [{ port: 389 }] } });
    const plan = fs.readFileSync(path.join(out, 'plan.sh'), 'utf8');
    expect(plan.indexOf('services.yaml')).toBeGreaterThan(plan.indexOf('namespace.yaml'));
    expect(plan).toContain('rollout status deployment/openldap -n vault');
  });

  it('LAB_OPENLDAP_IMAGE overrides the image', async () => {
    const out = path.join(home, 'ldap2');
    await kindDryRun(await loadTopic('ldap'), { out, env: { LAB_OPENLDAP_IMAGE: 'registry.local/openldap:1.5.0-fixed' }, lang: 'en' });
    expect(find(manifests(out), 'Deployment', 'openldap').spec!.template!.spec.containers[0]!.image).toBe('registry.local/openldap:1.5.0-fixed');
  });
});

describe('mcp on kind: an in-cluster MariaDB with the local schema', () => {
  it('mariadb pinned, root password from a Secret, the init SQL makes db1/db2 and vaultadmin with the generated password', async () => {
    const out = path.join(home, 'mcp');
    await kindDryRun(await loadTopic('mcp'), { out, env: { LAB_MARIADB_IMAGE: '' }, lang: 'en' });
    const ms = manifests(out);
    const c = find(ms, 'Deployment', 'mariadb').spec!.template!.spec.containers[0]!;
    expect(c.image).toBe('mariadb:11.4.5');
    expect(c.env).toEqual([{ name: 'MARIADB_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'mariadb-init', key: 'root-password' } } }]);
    const init = find(ms, 'Secret', 'mariadb-init').stringData!;
    expect(init['root-password']).toBe(fs.readFileSync(path.join(out, 'secrets', 'mariadb-root.password'), 'utf8'));
    const admin = fs.readFileSync(path.join(out, 'secrets', 'mariadb-admin.password'), 'utf8');
    expect(init['init.sql']).toContain(`CREATE USER IF NOT EXISTS 'vaultadmin'@'%' IDENTIFIED BY '${admin}';`);
    expect(init['init.sql']).toContain('CREATE TABLE IF NOT EXISTS db1.customers');
    const v = loadYaml<{ server: { ha: { raft: { config: string } } } }>(fs.readFileSync(path.join(out, 'values.yaml'), 'utf8'));
    expect(v.server.ha.raft.config).toContain('storage "raft"');
  });
});

describe('production on kind: audit storage, telemetry, and the transit auto-unseal story', () => {
  it('a transit release, its bootstrap before the main install, the seal and its token from the Secret', async () => {
    const out = path.join(home, 'production');
    const r = await kindDryRun(await loadTopic('production'), { out, env: {}, lang: 'en' });
    expect(r.files).toEqual(expect.arrayContaining(['transit-values.yaml', 'transit-bootstrap.sh', 'values.yaml', 'vault-tls-secret.yaml']));
    expect(fs.statSync(path.join(out, 'transit-bootstrap.sh')).mode & 0o777).toBe(0o755);
    type V = { server: { auditStorage: { enabled: boolean }; ha: { replicas: number; raft: { config: string } }; extraSecretEnvironmentVars: unknown[] } };
    const v = loadYaml<V>(fs.readFileSync(path.join(out, 'values.yaml'), 'utf8'));
    expect(v.server.auditStorage.enabled).toBe(true);
    expect(v.server.ha.replicas).toBe(1);
    const cfg = v.server.ha.raft.config;
    const seal = /seal "transit" \{([^}]*)\}/.exec(cfg)![1]!;
    expect(seal).toContain('address = "http://vault-transit.vault-transit.svc:8200"');
    expect(seal).toContain('key_name = "autounseal"');
    expect(seal).toContain('mount_path = "transit/"');
    // No token in the ConfigMap: it comes from the Secret the bootstrap makes.
    expect(seal).not.toContain('token');
    expect(v.server.extraSecretEnvironmentVars).toEqual([{ envName: 'VAULT_TOKEN', secretName: 'vault-transit-token', secretKey: 'token' }]);
    expect(cfg).toMatch(/listener "tcp" \{[^]*?telemetry \{\s*unauthenticated_metrics_access = true/);
    expect(cfg).toMatch(/^telemetry \{/m);
    const t = loadYaml<{ global: { tlsDisable: boolean }; server: { standalone: { enabled: boolean; config: string } } }>(fs.readFileSync(path.join(out, 'transit-values.yaml'), 'utf8'));
    expect(t.server.standalone.enabled).toBe(true);
    expect(t.server.standalone.config).toContain('storage "file"');
    const plan = fs.readFileSync(path.join(out, 'plan.sh'), 'utf8');
    const at = (s: string) => plan.indexOf(s);
    expect(at('upgrade --install vault-transit hashicorp/vault -n vault-transit')).toBeGreaterThan(at('helm repo update'));
    expect(at('transit-bootstrap.sh kind-vault-lab')).toBeGreaterThan(at('pod/vault-transit-0 -n vault-transit --timeout=300s'));
    expect(at('upgrade --install vault hashicorp/vault -n vault')).toBeGreaterThan(at('transit-bootstrap.sh'));
  });
});

describe('every topic runs on kind', () => {
  it('no topic is plan-only: lab run <topic> --platform kind runs its steps (kind-services.test.ts drives ldap, mcp, production)', async () => {
    const { loadAll } = await import('../../src/engine/catalogue.ts');
    const all = await loadAll();
    expect(all).toHaveLength(8);
    for (const t of nonEmpty(all)) expect(t.platforms, t.id).toContain('kind');
    const { cli } = await import('../helpers.ts');
    const text = await cli('--lang', 'en', 'list');
    for (const t of nonEmpty(all)) expect(text.stdout).toMatch(new RegExp(`^${t.id}\\s+.*\\blocal,kind\\b`, 'm'));
  });
});
