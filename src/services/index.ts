/**
 * The registry: every service a topic may name in `needs`, one line each. A folder src/services/<name>/ adds its key
 * to `ServiceNeeds` (engine/types.ts); until it has a line here the compiler says so, and the line's value must be
 * a ServiceModule (types.ts), whose fields the compiler lists. The order is the port allocation order (ports.ts):
 * add new services at the end, so no running lab's ports move.
 */
import type { ServiceNeeds } from '../engine/types.ts';
import type { KubeAdapter, ServiceModule } from './types.ts';
import { ldap } from './ldap/index.ts';
import { mariadb } from './mariadb/index.ts';
import { kube } from './kube/index.ts';
import { eso } from './eso/index.ts';
import { transit } from './transit/index.ts';

export type ServiceName = keyof ServiceNeeds;

export const SERVICES: { readonly [K in ServiceName]-?: ServiceModule } = {
  ldap,
  mariadb,
  kube,
  eso,
  transit,
};

export const serviceNames = (): ServiceName[] => Object.keys(SERVICES) as ServiceName[];

/** The services a topic's `needs` names, in registry order. */
export function neededServices(needs: ServiceNeeds): ServiceName[] {
  return serviceNames().filter((n) => needs[n]);
}

/** A service's kube adapter, where it has one. */
export function kubeAdapter(name: ServiceName): KubeAdapter | undefined {
  const k = SERVICES[name].kube;
  return 'none' in k ? undefined : k;
}

/** Its address as Vault in a pod of the cluster dials it: the Service `<name>.<namespace>.svc`. */
export const inCluster = (k: KubeAdapter, namespace: string): string => k.address(`${k.name}.${namespace}.svc:${k.port}`);

export type { ServiceModule, LocalAdapter, LocalHost, KubeAdapter, KubeHost } from './types.ts';
