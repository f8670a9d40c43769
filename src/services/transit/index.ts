/** The production topic's KMS stand-in: a second Vault whose transit engine auto-unseals the main cluster. */
import type { ServiceModule } from '../types.ts';

declare module '../../engine/types.ts' {
  interface ServiceNeeds {
    /** A second Vault serving as the transit seal (the production topic). */
    transit?: boolean;
  }
}

export const transit: ServiceModule = {
  ports: ['api', 'cluster'],
  env: [],
  labels: { 'transit vault (seal)': 'transit Vault (seal)', 'transit seal token (0600)': 'transit seal 토큰 (0600)' },
  beforeVault: true,
  local: async () => (await import('./local.ts')).transitLocal,
  kube: { none: 'on a cluster it is a second release of the Vault chart, planned with the main one (src/platforms/kind/plan.ts)' },
};
