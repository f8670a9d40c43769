/**
 * What scripts/build-kind.sh leaves on a machine without registry access (issue 19), found where it puts it: kind,
 * kubectl and helm in <cache>/kind/bin, the lab's own dockerd socket, the node image it built, the image archives
 * `kind load` sends to the nodes. A learner with their own tools and Docker finds none of it and nothing changes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKERS } from './names.ts';

export const LOCAL_NODE_IMAGE = 'vault-lab/kind-node:v1.35.4';

export interface Toolchain {
  /** kind, kubectl and helm built or unpacked by build-kind.sh. */
  toolsDir?: string;
  /** The lab's own dockerd (where this machine refuses `docker run --privileged` to the system one). */
  dockerHost?: string;
  /** The node image: LAB_KIND_NODE_IMAGE, else the one build-kind.sh built. */
  nodeImage?: string;
  /** OCI archives of the images the topics need (the Vault image …), loaded with `kind load image-archive`. */
  archives: string[];
  /** The in-cluster services' images scripts/build-kind-services.sh made from Debian's packages (its archives above). */
  images?: { openldap?: string; mariadb?: string; eso?: string };
  /**
   * scripts/build-kind-eso.sh's archive of the External Secrets Operator (in <cache>/kind/eso, apart from `archives`):
   * loaded only into a cluster where the vso topic runs ESO.
   */
  esoArchive?: string;
}

/** Which archive holds which service's image (scripts/build-kind-services.sh); loaded only for a topic that needs it. */
export const SERVICE_ARCHIVES = { openldap: 'openldap.tar', mariadb: 'mariadb.tar' } as const;

/** The archives a topic's cluster needs: every one but the service images it does not use. */
export function archivesFor(tc: Toolchain, needs: { ldap?: boolean; mariadb?: boolean }): string[] {
  const skip = new Set<string>([...(needs.ldap ? [] : [SERVICE_ARCHIVES.openldap]), ...(needs.mariadb ? [] : [SERVICE_ARCHIVES.mariadb])]);
  return tc.archives.filter((a) => !skip.has(path.basename(a)));
}

/** services-images.txt names the images in the order the script builds them: openldap, then mariadb. */
function serviceImages(kind: string, archives: string[]): Toolchain['images'] {
  let refs: string[];
  try {
    refs = fs.readFileSync(path.join(kind, 'services-images.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  } catch {
    return undefined;
  }
  const have = (f: string) => archives.some((a) => path.basename(a) === f);
  const ldap = refs.find((r) => r.startsWith('vault-lab/openldap:'));
  const db = refs.find((r) => r.startsWith('vault-lab/mariadb:'));
  return { ...(ldap && have(SERVICE_ARCHIVES.openldap) ? { openldap: ldap } : {}), ...(db && have(SERVICE_ARCHIVES.mariadb) ? { mariadb: db } : {}) };
}

/** The ESO image scripts/build-kind-eso.sh made: its name (eso-image.txt) and archive, both there or neither. */
function esoImage(kind: string): { ref: string; archive: string } | undefined {
  const archive = path.join(kind, 'eso', 'external-secrets.tar');
  try {
    const ref = fs.readFileSync(path.join(kind, 'eso-image.txt'), 'utf8').trim();
    return ref.startsWith('vault-lab/external-secrets:') && fs.existsSync(archive) ? { ref, archive } : undefined;
  } catch {
    return undefined;
  }
}

export function cacheDir(env: Record<string, string | undefined>): string {
  return env.LAB_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vault-lab');
}

export function findToolchain(env: Record<string, string | undefined>): Toolchain {
  const kind = path.join(cacheDir(env), 'kind');
  const tools = path.join(kind, 'bin');
  const sock = path.join(kind, 'docker', 'docker.sock');
  const images = path.join(kind, 'images');
  const archives = fs.existsSync(images) ? fs.readdirSync(images).filter((f) => f.endsWith('.tar')).sort().map((f) => path.join(images, f)) : [];
  const built = fs.existsSync(path.join(kind, 'env'));
  const eso = built ? esoImage(kind) : undefined;
  const nodeImage = env.LAB_KIND_NODE_IMAGE || (built ? LOCAL_NODE_IMAGE : undefined);
  return {
    ...(fs.existsSync(path.join(tools, 'kind')) ? { toolsDir: tools } : {}),
    ...(!env.DOCKER_HOST && fs.existsSync(sock) ? { dockerHost: `unix://${sock}` } : {}),
    ...(nodeImage ? { nodeImage } : {}),
    archives: built ? archives : [],
    ...(built ? { images: { ...(serviceImages(kind, archives) ?? {}), ...(eso ? { eso: eso.ref } : {}) } } : {}),
    ...(eso ? { esoArchive: eso.archive } : {}),
  };
}

/** The toolchain's PATH and DOCKER_HOST, put into this process's environment so every child sees them. */
export function applyToolchain(env: NodeJS.ProcessEnv): Toolchain {
  const t = findToolchain(env);
  if (t.toolsDir && !(env.PATH ?? '').split(path.delimiter).includes(t.toolsDir)) env.PATH = [env.PATH, t.toolsDir].filter(Boolean).join(path.delimiter);
  if (t.dockerHost) env.DOCKER_HOST = t.dockerHost;
  return t;
}

/** kubeadm on a cgroup v1 host refuses to start kubelet 1.35 unless told (`failCgroupV1: false`). */
export const hostIsCgroupV1 = (): boolean => !fs.existsSync('/sys/fs/cgroup/cgroup.controllers');

/**
 * Workers for the lab's cluster: the note's three where the machine has room (the chart's anti-affinity puts each
 * Raft pod on its own node); on two cores one node carries everything, since every node runs its own kubelet,
 * containerd and kube-proxy (LAB_KIND_WORKERS overrides).
 */
export function workerCount(env: Record<string, string | undefined>, cpus = os.availableParallelism()): number {
  const n = Number(env.LAB_KIND_WORKERS);
  if (env.LAB_KIND_WORKERS !== undefined && Number.isInteger(n) && n >= 0) return n;
  return cpus <= 2 ? 0 : WORKERS;
}
