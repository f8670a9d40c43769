/**
 * The one port allocator. Each topic has a block of BLOCK ports above LAB_PORT_BASE (src/platforms/ports.ts): Vault's
 * own first (node i: api base+2i, cluster base+2i+1; the vault-active relay after the last node), then every role of
 * every registered service its own port, in registry order. Two services never share a port, whichever topics
 * need them together; a registry that no longer fits the block fails at load, not at a learner's `lab run`.
 */
import { SERVICES, type ServiceName } from './index.ts';

export const BLOCK = 20;
/** Up to four nodes (api + cluster each) and the relay: 0..8. */
export const VAULT_SLOTS = 10;

export type Offsets = Record<string, Record<string, number>>;

/** Offsets in the block for each service's roles (pure; exported for the test). */
export function allocate(services: readonly (readonly [string, readonly string[]])[], first = VAULT_SLOTS, size = BLOCK): Offsets {
  const out: Offsets = {};
  let next = first;
  for (const [name, roles] of services) {
    if (out[name]) throw new Error(`service '${name}' registered twice`);
    if (new Set(roles).size !== roles.length) throw new Error(`service '${name}' names a port role twice`);
    out[name] = {};
    for (const role of roles) {
      if (next >= size) throw new Error(`service '${name}' port '${role}' does not fit the topic's block of ${size} ports`);
      out[name][role] = next++;
    }
  }
  return out;
}

export const OFFSETS: Offsets = allocate(Object.entries(SERVICES).map(([name, s]) => [name, s.ports] as const));

/** The port of one role of a service in the block that starts at `base`. */
export function servicePort(base: number, service: ServiceName, role: string): number {
  const offset = OFFSETS[service]?.[role];
  if (offset === undefined) throw new Error(`service '${service}' has no port '${role}' (its roles: ${SERVICES[service].ports.join(', ')})`);
  return base + offset;
}

/** Vault's own offsets for a topic: api and cluster port of each node, the active relay's. */
export function vaultOffsets(spec: { nodes: number; activeAddr?: boolean }): number[] {
  const out = Array.from({ length: spec.nodes }, (_, i) => [2 * i, 2 * i + 1]).flat();
  if (spec.activeAddr) out.push(2 * spec.nodes);
  if (out.some((o) => o >= VAULT_SLOTS)) throw new Error(`${spec.nodes} Vault nodes do not fit the ${VAULT_SLOTS} ports kept for them`);
  return out;
}
