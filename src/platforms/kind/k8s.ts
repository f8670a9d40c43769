/**
 * Kubernetes API reads for checks, through @kubernetes/client-node with the lab's kube context.
 * Gatherers call these; judges see only plain data. Secret values read here are registered for redaction.
 */
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { registerSecret } from '../../engine/redact.ts';

export interface BindingInfo {
  name: string;
  role: { kind: string; name: string };
  subjects: { kind: string; name: string; namespace?: string }[];
}

const notFound = (e: unknown): boolean => (e as { code?: number }).code === 404;

export class Kube {
  readonly context: string;
  protected readonly kc: KubeConfig;
  /** `kubeconfig`: a file instead of the default ($KUBECONFIG, ~/.kube/config) — the local platform's own. */
  constructor(context: string, kubeconfig?: string) {
    this.context = context;
    this.kc = new KubeConfig();
    if (kubeconfig) this.kc.loadFromFile(kubeconfig);
    else this.kc.loadFromDefault();
    this.kc.setCurrentContext(context);
  }
  private core = () => this.kc.makeApiClient(CoreV1Api);

  async serviceAccountExists(namespace: string, name: string): Promise<boolean> {
    try {
      await this.core().readNamespacedServiceAccount({ name, namespace });
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw e;
    }
  }

  async clusterRoleBindings(): Promise<BindingInfo[]> {
    const list = await this.kc.makeApiClient(RbacAuthorizationV1Api).listClusterRoleBinding();
    return list.items.map((b) => ({
      name: b.metadata?.name ?? '',
      role: { kind: b.roleRef.kind, name: b.roleRef.name },
      subjects: (b.subjects ?? []).map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) })),
    }));
  }

  /** A short-lived ServiceAccount token through the TokenRequest API (what `kubectl create token` does); no audience: the API server's. */
  async requestToken(namespace: string, name: string, audience: string | undefined, seconds = 600): Promise<string> {
    const r = await this.core().createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: audience ? [audience] : [], expirationSeconds: seconds } },
    });
    const token = r.status?.token ?? '';
    registerSecret(token);
    return token;
  }

  async deployment(namespace: string, name: string): Promise<{ replicas: number; ready: number } | undefined> {
    try {
      const d = await this.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name, namespace });
      return { replicas: d.spec?.replicas ?? 1, ready: d.status?.readyReplicas ?? 0 };
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  }

  async customObject(group: string, version: string, namespace: string, plural: string, name: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group, version, namespace, plural, name })) as Record<string, unknown>;
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  }

  /** A Secret's data, base64-decoded; every value is registered as a secret. */
  async secretData(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const s = await this.core().readNamespacedSecret({ name, namespace });
      return decodeSecretData(s.data);
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  }
}

/** A Secret's data, base64-decoded; every value is registered as a secret so no output can show it. */
export function decodeSecretData(data: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) {
    out[k] = Buffer.from(v, 'base64').toString('utf8');
    registerSecret(out[k]);
  }
  return out;
}
