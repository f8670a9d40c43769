/**
 * The directory in a cluster: osixia/openldap (LDAP_DOMAIN makes the suffix dc=example,dc=com and its rootdn
 * cn=admin,…; it seeds *.ldif from LDAP_SEED_INTERNAL_LDIF_PATH) with the same entries as the local slapd. The bind
 * password lives in a Secret, never in a ConfigMap or an argument. Image pinned; LAB_OPENLDAP_IMAGE overrides it.
 */
import type { KubeAdapter } from '../types.ts';
import { deployment, secret, service } from '../kube-objects.ts';
import { LDAP, seedLdif } from './directory.ts';

export const OPENLDAP_IMAGE = 'osixia/openldap:1.5.0';
const NAME = 'openldap';
const PORT = 389;
/** Where the Deployment mounts its admin password: ldapsearch in the pod reads it with -y. */
export const POD_LDAP_BIND_FILE = '/run/secrets/openldap-admin/password';

/** Users and groups below the suffix (the image makes the suffix entry itself from LDAP_DOMAIN). */
export const directoryLdif = (passwords: Record<string, string>): string => seedLdif(passwords, { suffixEntry: false });

export const ldapKube: KubeAdapter = {
  name: NAME,
  port: PORT,
  address: (hostPort) => `ldap://${hostPort}`,
  learnerForms: [/\$\{?LDAP_URL\}?/g],
  image: { pinned: OPENLDAP_IMAGE, env: 'LAB_OPENLDAP_IMAGE', built: 'openldap' },
  podFiles: { [POD_LDAP_BIND_FILE]: LDAP.files.bind! },
  secrets: (keep) => Object.fromEntries(Object.entries(LDAP.files).map(([who, file]) => [who, keep(file)])),
  manifests(passwords, o) {
    const ns = o.namespace;
    return [
      secret(ns, `${NAME}-admin`, { password: passwords.bind! }),
      secret(ns, `${NAME}-seed`, { '50-vault-lab.ldif': directoryLdif(passwords) }),
      deployment(ns, NAME, {
        containers: [
          {
            name: NAME,
            image: o.image,
            // --copy-service: the seed volume is read-only, the image rewrites its bootstrap files.
            args: ['--copy-service'],
            env: [
              { name: 'LDAP_ORGANISATION', value: 'Example' },
              { name: 'LDAP_DOMAIN', value: 'example.com' },
              { name: 'LDAP_ADMIN_PASSWORD_FILE', value: POD_LDAP_BIND_FILE },
              { name: 'LDAP_TLS', value: 'false' },
              { name: 'LDAP_SEED_INTERNAL_LDIF_PATH', value: '/seed' },
            ],
            ports: [{ name: 'ldap', containerPort: PORT }],
            readinessProbe: { tcpSocket: { port: PORT }, periodSeconds: 5 },
            volumeMounts: [
              { name: 'admin', mountPath: '/run/secrets/openldap-admin', readOnly: true },
              { name: 'seed', mountPath: '/seed', readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'admin', secret: { secretName: `${NAME}-admin` } },
          { name: 'seed', secret: { secretName: `${NAME}-seed` } },
        ],
      }),
      service(ns, NAME, PORT),
    ];
  },
  forward: 'ldap',
  // The learner's tools reach it through its port-forward; Vault's lines name the in-cluster Service.
  env: (h) => ({ LDAP_URL: `ldap://127.0.0.1:${h.port('ldap')}`, LDAP_BIND_DN: LDAP.bindDn, LDAP_USER_DN: LDAP.userDn, LDAP_GROUP_DN: LDAP.groupDn }),
  info: (h, inCluster) => ({ 'LDAP (port-forward)': `ldap://127.0.0.1:${h.port('ldap')}`, 'LDAP (as Vault dials it)': inCluster, 'LDAP bind password (0600)': h.lab.path(LDAP.files.bind!) }),
  /** The directory, searched from inside its pod (the host needs no ldap-utils for a check); Vault dials the Service. */
  provides: (h) => ({
    ldap: {
      url: `ldap://${NAME}.${h.namespace}.svc:${PORT}`,
      search: async (base, filter, attrs) => {
        const args = ['exec', '-n', h.namespace, `deploy/${NAME}`, '--', 'ldapsearch', '-x', '-LLL', '-o', 'ldif-wrap=no', '-H', `ldap://127.0.0.1:${PORT}`, '-D', LDAP.bindDn, '-y', POD_LDAP_BIND_FILE, '-b', base, filter, ...attrs];
        return (await h.kubectl(args, { timeoutMs: 20_000 })).stdout;
      },
    },
  }),
};
