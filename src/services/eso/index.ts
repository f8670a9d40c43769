/** The External Secrets Operator against the local Kubernetes API (see local.ts). */
import type { ServiceModule } from '../types.ts';

declare module '../../engine/types.ts' {
  interface ServiceNeeds {
    /** The External Secrets Operator against that API (local only; kind runs VSO from its chart). */
    eso?: boolean;
  }
}

export const eso: ServiceModule = {
  ports: ['metrics'],
  env: [],
  labels: { 'external-secrets operator (out of cluster)': 'external-secrets 오퍼레이터 (클러스터 밖 프로세스)' },
  local: async () => (await import('./local.ts')).esoLocal,
  kube: { none: 'on a cluster the topic installs the Vault Secrets Operator from its chart instead' },
};
