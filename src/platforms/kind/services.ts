/**
 * In-cluster services the ldap and mcp topics need on kind, as plain Kubernetes objects (pure functions): OpenLDAP
 * with the same directory as the local platform (alice in developers, bob in admins), and MariaDB with the same
 * schema and the vaultadmin account Vault's database engine uses. Images are pinned; LAB_OPENLDAP_IMAGE and
 * LAB_MARIADB_IMAGE override them. Every password lives in a Secret, never in a ConfigMap or an argument.
 */
import { LDAP, seedLdif } from '../local/ldap.ts';
import { MARIADB_ADMIN_USER } from '../local/mariadb.ts';
import { NAMESPACE } from './names.ts';

/** osixia/openldap: LDAP_DOMAIN makes the suffix dc=example,dc=com and its rootdn cn=admin,…; it seeds *.ldif from LDAP_SEED_INTERNAL_LDIF_PATH. */
export const OPENLDAP_IMAGE = 'osixia/openldap:1.5.0';
/** The official image runs /docker-entrypoint-initdb.d/*.sql once, on an empty data directory. */
export const MARIADB_IMAGE = 'mariadb:11.4.5';

export const OPENLDAP = { name: 'openldap', port: 389 } as const;
export const MARIADB = { name: 'mariadb', port: 3306 } as const;
/** What Vault inside the cluster dials. */
export const inClusterLdapUrl = `ldap://${OPENLDAP.name}.${NAMESPACE}.svc:${OPENLDAP.port}`;
export const inClusterMariadb = `${MARIADB.name}.${NAMESPACE}.svc:${MARIADB.port}`;

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

/** Passwords of the directory: the bind (admin) account and each user of LDAP.users. */
export type LdapPasswords = Record<string, string> & { bind: string };

export function openldapManifests(passwords: LdapPasswords, image = OPENLDAP_IMAGE): Obj[] {
  // The image makes the suffix entry itself (from LDAP_DOMAIN): the seed starts below it.
  const seed = seedLdif(passwords)
    .split(/\n\n+/)
    .filter((b) => !b.startsWith(`dn: ${LDAP.suffix}\n`))
    .join('\n\n');
  return [
    secret(`${OPENLDAP.name}-admin`, { password: passwords.bind }),
    secret(`${OPENLDAP.name}-seed`, { '50-vault-lab.ldif': `${seed}\n` }),
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
