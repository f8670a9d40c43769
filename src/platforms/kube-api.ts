/**
 * The Kubernetes API reads (and the few writes) the k8s-auth and vso topics need on either platform: the lab's
 * own apiserver on local (its kubeconfig file), the kind cluster's context on kind. Secret values are registered
 * for redaction by the base class.
 */
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { decodeSecretData, Kube } from './kind/k8s.ts';
import type { LabContext } from '../engine/types.ts';

const code = (e: unknown): number | undefined => (e as { code?: number }).code;

export interface SecretInfo {
  data: Record<string, string>;
  uid: string;
  createdAt: string;
  owners: { kind: string; name: string }[];
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export class KubeApi extends Kube {
  private coreApi = () => this.kc.makeApiClient(CoreV1Api);

  async serviceAccountUid(namespace: string, name: string): Promise<string | undefined> {
    try {
      return (await this.coreApi().readNamespacedServiceAccount({ name, namespace })).metadata?.uid ?? '';
    } catch (e) {
      if (code(e) === 404) return undefined;
      throw e;
    }
  }

  async namespaceExists(name: string): Promise<boolean> {
    try {
      await this.coreApi().readNamespace({ name });
      return true;
    } catch (e) {
      if (code(e) === 404) return false;
      throw e;
    }
  }

  async ensureNamespace(name: string): Promise<void> {
    try {
      await this.coreApi().createNamespace({ body: { metadata: { name } } });
    } catch (e) {
      if (code(e) !== 409) throw e;
    }
  }

  async ensureServiceAccount(namespace: string, name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.ensureNamespace(namespace);
    try {
      await this.coreApi().createNamespacedServiceAccount({ namespace, body: { metadata: { name, labels } } });
    } catch (e) {
      if (code(e) !== 409) throw e;
    }
  }

  async deleteServiceAccount(namespace: string, name: string): Promise<void> {
    try {
      await this.coreApi().deleteNamespacedServiceAccount({ name, namespace });
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  }

  async ensureClusterRoleBinding(name: string, clusterRole: string, sa: { namespace: string; name: string }): Promise<void> {
    try {
      await this.kc.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
        body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole }, subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }] },
      });
    } catch (e) {
      if (code(e) !== 409) throw e;
    }
  }

  async secret(namespace: string, name: string): Promise<SecretInfo | undefined> {
    try {
      const s = await this.coreApi().readNamespacedSecret({ name, namespace });
      const data = decodeSecretData(s.data);
      const created = s.metadata?.creationTimestamp;
      return {
        data,
        uid: s.metadata?.uid ?? '',
        createdAt: created instanceof Date ? created.toISOString() : String(created ?? ''),
        owners: (s.metadata?.ownerReferences ?? []).map((o) => ({ kind: o.kind, name: o.name })),
      };
    } catch (e) {
      if (code(e) === 404) return undefined;
      throw e;
    }
  }

  async writeSecret(namespace: string, name: string, data: Record<string, string>): Promise<void> {
    const body = { metadata: { name, namespace }, type: 'Opaque', stringData: data };
    try {
      await this.coreApi().createNamespacedSecret({ namespace, body });
    } catch (e) {
      if (code(e) !== 409) throw e;
      await this.coreApi().replaceNamespacedSecret({ name, namespace, body });
    }
  }

  async deleteSecret(namespace: string, name: string): Promise<void> {
    try {
      await this.coreApi().deleteNamespacedSecret({ name, namespace });
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  }

  /** The newest Warning event of an object: controllers put the cause there when a condition only says "failed". */
  async lastWarning(namespace: string, kind: string, name: string): Promise<string | undefined> {
    const list = await this.coreApi().listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name},type=Warning` });
    const when = (e: (typeof list.items)[number]) => new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime();
    const last = [...list.items].sort((a, b) => when(b) - when(a))[0];
    return last?.message ? `${last.reason ?? ''}: ${last.message.replace(/\s+/g, ' ').trim()}` : undefined;
  }

  /** Names of the CustomResourceDefinitions of an API group that are Established. */
  async establishedCrds(group: string): Promise<string[]> {
    const list = await this.kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    return list.items
      .filter((c) => c.spec.group === group && (c.status?.conditions ?? []).some((x) => x.type === 'Established' && x.status === 'True'))
      .map((c) => c.metadata?.name ?? '');
  }

  /** Create or replace a namespaced custom object (what `kubectl apply` does for the lab's manifests). */
  async applyCustomObject(group: string, version: string, plural: string, body: { metadata: { name: string; namespace: string } } & Record<string, unknown>): Promise<void> {
    const api = this.kc.makeApiClient(CustomObjectsApi);
    const { name, namespace } = body.metadata;
    try {
      await api.createNamespacedCustomObject({ group, version, namespace, plural, body });
    } catch (e) {
      if (code(e) !== 409) throw e;
      const cur = (await api.getNamespacedCustomObject({ group, version, namespace, plural, name })) as { metadata?: { resourceVersion?: string } };
      await api.replaceNamespacedCustomObject({ group, version, namespace, plural, name, body: { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion } } });
    }
  }
}

export function conditionsOf(obj: Record<string, unknown> | undefined): Condition[] {
  const status = (obj?.status ?? {}) as { conditions?: unknown };
  if (!Array.isArray(status.conditions)) return [];
  return status.conditions
    .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null)
    .map((c) => ({
      type: String(c.type ?? ''),
      status: String(c.status ?? ''),
      ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
      ...(typeof c.message === 'string' ? { message: c.message } : {}),
      ...(typeof c.lastTransitionTime === 'string' ? { lastTransitionTime: c.lastTransitionTime } : {}),
    }));
}

/** The Kubernetes API of a lab: its own kubeconfig on local, the kube context on kind. */
export async function kubeApiFor(ctx: LabContext): Promise<KubeApi> {
  const env = ctx.platform.runEnv();
  if (ctx.platform.name === 'local') {
    const { KUBE, kubeconfigPath } = await import('../services/kube/local.ts');
    return new KubeApi(KUBE.context, env.KUBECONFIG ?? kubeconfigPath(ctx));
  }
  const { DEFAULT_CONTEXT } = await import('./kind/names.ts');
  return new KubeApi(env.LAB_KUBE_CONTEXT ?? DEFAULT_CONTEXT);
}
