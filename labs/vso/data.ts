/** The vso topic's data, shared by its steps (scenarios/vso.ts) and its checks (checkers/vso.ts). */
import { K8S } from '../k8s-auth/data.ts';

export const VSO = {
  release: 'vault-secrets-operator',
  namespace: 'vault-secrets-operator',
  // 1.4.1 (June 2026): the fields the lab writes and reads (VaultConnection, VaultAuth kubernetes, VaultStaticSecret
  // spec and its status lastGeneration/secretMAC/SecretSynced) are unchanged since 0.10.0 (api/v1beta1, git diff v0.10.0 v1.4.1).
  chartVersion: '1.4.1',
  deployment: 'vault-secrets-operator-controller-manager',
  group: 'secrets.hashicorp.com',
  version: 'v1beta1',
  appNamespace: K8S.namespace,
  connection: 'vault-connection',
  auth: 'webapp-auth',
  staticSecret: 'webapp-config',
  destination: 'webapp-config',
  vaultAddr: 'http://vault.vault.svc.cluster.local:8200',
} as const;

/** The External Secrets Operator's side (local platform): external-secrets.io/v1, served by v0.16.2's CRDs. */
export const ESO = {
  group: 'external-secrets.io',
  version: 'v1',
  store: 'vault-backend',
  externalSecret: 'webapp-config',
  refreshInterval: '10s',
  /** The by-hand copy the learner makes before the operator takes over. */
  manual: 'webapp-config-manual',
  /** CRDs the controller cannot start without. */
  crds: ['externalsecrets.external-secrets.io', 'secretstores.external-secrets.io'],
} as const;
