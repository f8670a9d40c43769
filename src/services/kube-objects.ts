/** Plain Kubernetes objects a service's kube adapter is made of (pure): a Secret, a Service, a one-replica Deployment. */
import type { KubeObject } from './types.ts';

const labels = (app: string) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'vault-lab' });

export const secret = (namespace: string, name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: labels(name) }, type: 'Opaque', stringData: data });

export const service = (namespace: string, name: string, port: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, labels: labels(name) },
  spec: { selector: labels(name), ports: [{ name, port, targetPort: port, protocol: 'TCP' }] },
});

/** `pod`: the pod spec (containers, volumes, and any other field such as serviceAccountName). */
export function deployment(namespace: string, name: string, pod: KubeObject & { containers: KubeObject[]; volumes: KubeObject[] }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: labels(name) },
    spec: { replicas: 1, selector: { matchLabels: labels(name) }, strategy: { type: 'Recreate' }, template: { metadata: { labels: labels(name) }, spec: pod } },
  };
}
