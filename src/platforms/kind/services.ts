/**
 * In-cluster services the ldap and mcp topics need on kind, as plain Kubernetes objects (pure functions): OpenLDAP
 * with the same directory as the local platform (alice in developers, bob in admins), and MariaDB with the same
 * schema and the vaultadmin account Vault's database engine uses. Images are pinned; LAB_OPENLDAP_IMAGE and
 * LAB_MARIADB_IMAGE override them. Every password lives in a Secret, never in a ConfigMap or an argument.
 */
import crypto from 'node:crypto';
import { MARIADB, NAMESPACE, OPENLDAP } from './names.ts';
import { LDAP } from '../ldap-directory.ts';

/** The lab's directory (shared by both platforms), and the full names the local seed gives its users. */
export const DIRECTORY = {
  ...LDAP,
  names: { alice: ['Alice Kim', 'Kim'], bob: ['Bob Lee', 'Lee'] } as Record<string, [string, string]>,
};
/** The mcp topic's admin account, as the local platform makes it (a test holds the two equal). */
export const MARIADB_ADMIN_USER = 'vaultadmin';

/** RFC 2307 {SSHA}: slapd verifies it; the clear password never enters the seed. */
export function ssha(password: string): string {
  const salt = crypto.randomBytes(8);
  const digest = crypto.createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** Users and groups below the suffix (the image makes the suffix entry itself from LDAP_DOMAIN). */
export function directoryLdif(passwords: Record<string, string>): string {
  const userDnOf = (uid: string) => `uid=${uid},${DIRECTORY.userDn}`;
  const blocks = [`dn: ${DIRECTORY.userDn}\nobjectClass: organizationalUnit\nou: users`, `dn: ${DIRECTORY.groupDn}\nobjectClass: organizationalUnit\nou: groups`];
  for (const uid of Object.keys(DIRECTORY.users)) {
    const [cn, sn] = DIRECTORY.names[uid] ?? [uid, uid];
    blocks.push(`dn: ${userDnOf(uid)}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${cn}\nsn: ${sn}\nmail: ${uid}@example.com\nuserPassword: ${ssha(passwords[uid]!)}`);
  }
  for (const g of [...new Set(Object.values(DIRECTORY.users))]) {
    const members = Object.entries(DIRECTORY.users).filter(([, gg]) => gg === g).map(([uid]) => `member: ${userDnOf(uid)}`);
    blocks.push(`dn: cn=${g},${DIRECTORY.groupDn}\nobjectClass: groupOfNames\ncn: ${g}\n${members.join('\n')}`);
  }
  return blocks.join('\n\n') + '\n';
}

/** osixia/openldap: LDAP_DOMAIN makes the suffix dc=example,dc=com and its rootdn cn=admin,…; it seeds *.ldif from LDAP_SEED_INTERNAL_LDIF_PATH. */
export const OPENLDAP_IMAGE = 'osixia/openldap:1.5.0';
/** The official image runs /docker-entrypoint-initdb.d/*.sql once, on an empty data directory. */
export const MARIADB_IMAGE = 'mariadb:11.4.5';

export { OPENLDAP, MARIADB };

type Obj = Record<string, unknown>;
const labels = (app: string) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'vault-lab' });
const secret = (name: string, data: Record<string, string>): Obj => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NAMESPACE, labels: labels(name) }, type: 'Opaque', stringData: data });
const service = (name: string, port: number): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NAMESPACE, labels: labels(name) },
  spec: { selector: labels(name), ports: [{ name, port, targetPort: port, protocol: 'TCP' }] },
});
function deployment(name: string, pod: { containers: Obj[]; volumes: Obj[] }): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NAMESPACE, labels: labels(name) },
    spec: { replicas: 1, selector: { matchLabels: labels(name) }, strategy: { type: 'Recreate' }, template: { metadata: { labels: labels(name) }, spec: pod } },
  };
}

/** Passwords of the directory: the bind (admin) account and each user of DIRECTORY.users. */
export type LdapPasswords = Record<string, string> & { bind: string };

export function openldapManifests(passwords: LdapPasswords, image = OPENLDAP_IMAGE): Obj[] {
  const seed = directoryLdif(passwords);
  return [
    secret(`${OPENLDAP.name}-admin`, { password: passwords.bind }),
    secret(`${OPENLDAP.name}-seed`, { '50-vault-lab.ldif': seed }),
    deployment(OPENLDAP.name, {
      containers: [
        {
          name: OPENLDAP.name,
          image,
          // --copy-service: the seed volume is read-only, the image rewrites its bootstrap files.
          args: ['--copy-service'],
          env: [
            { name: 'LDAP_ORGANISATION', value: 'Example' },
            { name: 'LDAP_DOMAIN', value: 'example.com' },
            { name: 'LDAP_ADMIN_PASSWORD_FILE', value: '/run/secrets/openldap-admin/password' },
            { name: 'LDAP_TLS', value: 'false' },
            { name: 'LDAP_SEED_INTERNAL_LDIF_PATH', value: '/seed' },
          ],
          ports: [{ name: 'ldap', containerPort: OPENLDAP.port }],
          readinessProbe: { tcpSocket: { port: OPENLDAP.port }, periodSeconds: 5 },
          volumeMounts: [
            { name: 'admin', mountPath: '/run/secrets/openldap-admin', readOnly: true },
            { name: 'seed', mountPath: '/seed', readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: 'admin', secret: { secretName: `${OPENLDAP.name}-admin` } },
        { name: 'seed', secret: { secretName: `${OPENLDAP.name}-seed` } },
      ],
    }),
    service(OPENLDAP.name, OPENLDAP.port),
  ];
}

/** The mcp topic's databases, as the local platform seeds them. */
export function mariadbInitSql(adminPassword: string): string {
  const pw = adminPassword.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return [
    'CREATE DATABASE IF NOT EXISTS db1;',
    'CREATE DATABASE IF NOT EXISTS db2;',
    'CREATE TABLE IF NOT EXISTS db1.customers (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL);',
    "INSERT IGNORE INTO db1.customers VALUES (1, 'Kim'), (2, 'Lee'), (3, 'Park');",
    'CREATE TABLE IF NOT EXISTS db2.orders (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(64) NOT NULL);',
    "INSERT IGNORE INTO db2.orders VALUES (1, 'keyboard');",
    `CREATE USER IF NOT EXISTS '${MARIADB_ADMIN_USER}'@'%' IDENTIFIED BY '${pw}';`,
    `GRANT ALL PRIVILEGES ON *.* TO '${MARIADB_ADMIN_USER}'@'%' WITH GRANT OPTION;`,
    'FLUSH PRIVILEGES;',
    '',
  ].join('\n');
}

export function mariadbManifests(p: { root: string; admin: string }, image = MARIADB_IMAGE): Obj[] {
  return [
    secret(`${MARIADB.name}-init`, { 'root-password': p.root, 'init.sql': mariadbInitSql(p.admin) }),
    deployment(MARIADB.name, {
      containers: [
        {
          name: MARIADB.name,
          image,
          env: [{ name: 'MARIADB_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: `${MARIADB.name}-init`, key: 'root-password' } } }],
          ports: [{ name: 'mysql', containerPort: MARIADB.port }],
          readinessProbe: { tcpSocket: { port: MARIADB.port }, periodSeconds: 5 },
          volumeMounts: [
            { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
            { name: 'data', mountPath: '/var/lib/mysql' },
          ],
        },
      ],
      volumes: [
        { name: 'init', secret: { secretName: `${MARIADB.name}-init`, items: [{ key: 'init.sql', path: 'init.sql' }] } },
        { name: 'data', emptyDir: {} },
      ],
    }),
    service(MARIADB.name, MARIADB.port),
  ];
}
