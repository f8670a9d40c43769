/**
 * MariaDB in a cluster: the official image runs /docker-entrypoint-initdb.d/*.sql once, on an empty data directory,
 * with the same databases and account as the local one. Passwords live in a Secret. LAB_MARIADB_IMAGE overrides the image.
 */
import type { KubeAdapter } from '../types.ts';
import { deployment, secret, service } from '../kube-objects.ts';
import { MARIADB_ADMIN_USER, MARIADB_FILES, seedSql } from './account.ts';

export const MARIADB_IMAGE = 'mariadb:11.4.5';
const NAME = 'mariadb';
const PORT = 3306;

export const mariadbKube: KubeAdapter = {
  name: NAME,
  port: PORT,
  address: (hostPort) => hostPort,
  learnerForms: [/127\.0\.0\.1:\$\{?MARIADB_PORT\}?/g],
  image: { pinned: MARIADB_IMAGE, env: 'LAB_MARIADB_IMAGE', built: 'mariadb' },
  secrets: (keep) => ({ admin: keep(MARIADB_FILES.password), root: keep(MARIADB_FILES.root) }),
  /** The account JSON as the local platform writes it, with the port-forward's port. */
  prepare(h, s) {
    const account = JSON.stringify({ username: MARIADB_ADMIN_USER, password: s.admin, host: '127.0.0.1', port: h.port('mysql') }, null, 2) + '\n';
    if (h.lab.readSecret(MARIADB_FILES.admin) !== account) h.lab.writeSecret(MARIADB_FILES.admin, account);
  },
  manifests(s, o) {
    const ns = o.namespace;
    return [
      secret(ns, `${NAME}-init`, { 'root-password': s.root!, 'init.sql': seedSql(s.admin!) }),
      deployment(ns, NAME, {
        containers: [
          {
            name: NAME,
            image: o.image,
            env: [{ name: 'MARIADB_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: `${NAME}-init`, key: 'root-password' } } }],
            ports: [{ name: 'mysql', containerPort: PORT }],
            readinessProbe: { tcpSocket: { port: PORT }, periodSeconds: 5 },
            volumeMounts: [
              { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
              { name: 'data', mountPath: '/var/lib/mysql' },
            ],
          },
        ],
        volumes: [
          { name: 'init', secret: { secretName: `${NAME}-init`, items: [{ key: 'init.sql', path: 'init.sql' }] } },
          { name: 'data', emptyDir: {} },
        ],
      }),
      service(ns, NAME, PORT),
    ];
  },
  forward: 'mysql',
  env: (h) => ({ MARIADB_HOST: '127.0.0.1', MARIADB_PORT: String(h.port('mysql')), MARIADB_ADMIN_FILE: h.lab.path(MARIADB_FILES.admin) }),
  info: (h, inCluster) => ({ 'mariadb (port-forward)': `127.0.0.1:${h.port('mysql')}`, 'mariadb (as Vault dials it)': inCluster, 'mariadb admin (0600)': h.lab.path(MARIADB_FILES.admin) }),
};
