/** The External Secrets Operator: out of cluster against the local Kubernetes API (local.ts), or in a cluster (kube.ts). */
import type { ServiceModule } from '../types.ts';
import { esoKube } from './kube.ts';

declare module '../../engine/types.ts' {
  interface ServiceNeeds {
    /**
     * The External Secrets Operator (the local API, or a cluster whose nodes cannot pull the Vault Secrets Operator;
     * see KindPlatform.eso). On a cluster with the VSO chart the learner installs VSO instead.
     */
    eso?: boolean;
  }
}

export const eso: ServiceModule = {
  ports: ['metrics'],
  env: ['ESO_VAULT_ADDR'],
  labels: {
    'external-secrets operator (out of cluster)': 'external-secrets 오퍼레이터 (클러스터 밖 프로세스)',
    'external-secrets operator (in cluster)': 'external-secrets 오퍼레이터 (클러스터 안)',
  },
  local: async () => (await import('./local.ts')).esoLocal,
  kube: esoKube,
};
