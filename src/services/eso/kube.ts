/**
 * The External Secrets Operator in a cluster: its CRDs (server-side apply), a ServiceAccount with the controller's
 * ClusterRole, and a one-replica Deployment of the controller alone. As on the local run, no webhook and no
 * cert-controller (separate subcommands of the same binary; the chart deploys them beside it, the lab does not: the
 * CRDs' conversion is None and nothing validates the lab's manifests but the API server's schemas).
 * The RBAC is the v0.16.2 chart's controller ClusterRole (deploy/charts/external-secrets/templates/rbac.yaml) with
 * its defaults (cluster stores, cluster external secrets, push secrets processed); leader election stays off (one
 * replica), as the chart's `leaderElect: false`. The flags are cmd/controller/root.go's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeAdapter, KubeObject } from '../types.ts';
import { deployment } from '../kube-objects.ts';
import { findKubeBin, VERSIONS } from '../kube/bin.ts';

export const ESO_NAME = 'external-secrets';
/** The upstream image; the lab's own cluster uses the one scripts/build-kind-eso.sh made from the binary (built: 'eso'). */
export const ESO_IMAGE = `ghcr.io/external-secrets/external-secrets:v${VERSIONS.eso}`;
const METRICS = 8080;
/** Cluster-scoped names carry the lab's prefix: a learner's own ESO release keeps its own. */
const ROLE = `vault-lab-${ESO_NAME}-controller`;

const rule = (apiGroups: string[], resources: string[], verbs: string[]) => ({ apiGroups, resources, verbs });
const ES = 'external-secrets.io';
const GEN = 'generators.external-secrets.io';

export function esoRbac(namespace: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ESO_NAME, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: ROLE },
      rules: [
        rule([ES], ['secretstores', 'clustersecretstores', 'externalsecrets', 'clusterexternalsecrets', 'pushsecrets', 'clusterpushsecrets'], ['get', 'list', 'watch']),
        rule([ES], ['externalsecrets', 'externalsecrets/status', 'secretstores', 'secretstores/status', 'clustersecretstores', 'clustersecretstores/status', 'clusterexternalsecrets', 'clusterexternalsecrets/status', 'pushsecrets', 'pushsecrets/status', 'clusterpushsecrets', 'clusterpushsecrets/status'], ['get', 'update', 'patch']),
        rule([GEN], ['generatorstates'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']),
        rule([GEN], ['acraccesstokens', 'clustergenerators', 'ecrauthorizationtokens', 'fakes', 'gcraccesstokens', 'githubaccesstokens', 'quayaccesstokens', 'passwords', 'stssessiontokens', 'uuids', 'vaultdynamicsecrets', 'webhooks', 'grafanas'], ['get', 'list', 'watch']),
        rule([''], ['serviceaccounts', 'namespaces'], ['get', 'list', 'watch']),
        rule([''], ['configmaps'], ['get', 'list', 'watch']),
        rule([''], ['secrets'], ['get', 'list', 'watch', 'create', 'update', 'delete', 'patch']),
        // The kubernetes auth of a SecretStore: a token of its serviceAccountRef, with the audiences it names.
        rule([''], ['serviceaccounts/token'], ['create']),
        rule([''], ['events'], ['create', 'patch']),
        rule([ES], ['externalsecrets'], ['create', 'update', 'delete']),
        rule([ES], ['pushsecrets'], ['create', 'update', 'delete']),
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: ROLE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ROLE },
      subjects: [{ kind: 'ServiceAccount', name: ESO_NAME, namespace }],
    },
  ];
}

/** The CRDs scripts/build-k8s.sh --eso fetched with the binary, one YAML stream (kustomization.yaml left out). */
export function esoCrds(dir = findKubeBin('external-secrets-crds')?.path): string {
  if (!dir) throw new Error('the External Secrets Operator CRDs are missing: bash scripts/build-k8s.sh --eso');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
  return files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8').replace(/^---\n/, '').trimEnd() + '\n').join('---\n');
}

export const esoKube: KubeAdapter = {
  name: ESO_NAME,
  port: METRICS,
  address: (hostPort) => `http://${hostPort}`,
  learnerForms: [],
  image: { pinned: ESO_IMAGE, env: 'LAB_ESO_IMAGE', built: 'eso' },
  secrets: () => ({}),
  crds: () => esoCrds(),
  manifests(_s, o) {
    return [
      ...esoRbac(o.namespace),
      deployment(o.namespace, ESO_NAME, {
        serviceAccountName: ESO_NAME,
        containers: [
          {
            name: ESO_NAME,
            image: o.image,
            // The image is loaded into the nodes (kind load): never pulled, where no registry serves it.
            imagePullPolicy: 'IfNotPresent',
            args: [`--metrics-addr=:${METRICS}`, '--enable-leader-election=false', '--loglevel=info'],
            ports: [{ name: 'metrics', containerPort: METRICS }],
            readinessProbe: { httpGet: { path: '/metrics', port: METRICS }, periodSeconds: 5 },
            securityContext: { runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          },
        ],
        volumes: [],
      }),
    ];
  },
  // The learner's shell names Vault as the operator in a pod dials it (the SecretStore's server).
  env: (h) => ({ ESO_VAULT_ADDR: h.vaultAddr }),
  info: (h) => ({ 'external-secrets operator (in cluster)': `deployment/${ESO_NAME} in namespace ${h.namespace}; Vault as it dials it: ${h.vaultAddr}` }),
};
