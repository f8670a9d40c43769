/** A Kubernetes API on the local platform: etcd and kube-apiserver on loopback (see local.ts). */
import type { ServiceModule } from '../types.ts';

declare module '../../engine/types.ts' {
  interface ServiceNeeds {
    /** A Kubernetes API on the local platform: etcd + kube-apiserver (kind brings its own cluster). */
    kube?: boolean;
  }
}

export const kube: ServiceModule = {
  ports: ['api', 'etcd', 'etcd-peer'],
  env: ['KUBECONFIG', 'LAB_KUBE_CONTEXT', 'KUBE_API', 'KUBE_CA'],
  labels: {},
  local: async () => (await import('./local.ts')).kubeLocal,
  kube: { none: 'a cluster is its own Kubernetes API' },
};
