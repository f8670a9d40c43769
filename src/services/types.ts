/**
 * What a service (a server a topic needs besides Vault: slapd, MariaDB, a transit Vault, a Kubernetes API …) supplies,
 * one folder each under src/services/<name>/. The platforms see services only through these interfaces: the local
 * platform lends a LocalHost to a service's local adapter, the kind platform a KubeHost to its kube adapter.
 */
import type { LabDir } from '../engine/state.ts';
import type { Reporter } from '../engine/reporter.ts';
import type { LdapAccess } from '../engine/types.ts';
import type { RunOptions, RunResult } from '../exec.ts';
import type { VaultBinary } from '../vault/binary.ts';
import type { Msg } from '../engine/i18n.ts';

/** A service as every platform knows it: what `src/services/index.ts` registers. */
export interface ServiceModule {
  /** Port roles in the topic's block (e.g. ['api', 'cluster']), each given its own port by src/services/ports.ts. */
  ports: readonly string[];
  /** The variables it may add to the learner's shell (`lab env`); no adapter's env() gives another (a unit test). */
  env: readonly string[];
  /** The `lab info` lines it adds, English key → Korean label (the keys stay English in --json). */
  labels: Readonly<Record<string, string>>;
  /** Start before the Vault nodes (a transit seal's Vault must answer before the sealed nodes start). */
  beforeVault?: boolean;
  /** Real processes on loopback. */
  local: () => Promise<LocalAdapter>;
  /**
   * Objects in a cluster (kind or LAB_KUBE_CONTEXT): plain data, loaded with the registry (the kind platform's env,
   * info and hint rendering are synchronous); or why a cluster needs none (it is the cluster, or ships its own).
   */
  kube: KubeAdapter | { none: string };
}

/** What the local platform lends a service (LocalPlatform.hostFor). */
export interface LocalHost {
  readonly lab: LabDir;
  /** The topic's port block's first port (the lab record keeps it). */
  readonly base: number;
  /** This service's port for one of its roles. */
  port(role: string): number;
  procAlive(name: string): boolean;
  startProcess(name: string, file: string, args: string[], opts: { ports: number[]; what: string; env?: Record<string, string>; cwd?: string }): Promise<number>;
  stopProcess(name: string, hard?: boolean): Promise<void>;
  /** Wait until `probe` succeeds, failing early (with the log) if the process died. */
  waitFor(name: string, what: string, probe: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  answersWithin(ms: number, probe: () => Promise<boolean>): Promise<boolean>;
  /** Vault's address as a process on this host dials it (the active node's where the topic has one). */
  readonly vaultAddr: string;
  /** The Vault binary the lab runs. */
  binary(): Promise<VaultBinary>;
  /** Links in the lab's bin folder (first on the learner's PATH after `lab env`). */
  linkBins(links: Record<string, string>): void;
}

/** A program a local adapter runs, as `lab doctor` checks it. */
export interface ServiceTool {
  name: string;
  /** Where it is (a path, with how it was found), or undefined. */
  found: () => string | undefined;
  hint: Msg;
}

export interface LocalAdapter {
  up(host: LocalHost, report: Reporter): Promise<void>;
  /** The programs it needs on this machine (`lab doctor` lists them for the topics that need this service). */
  tools?: readonly ServiceTool[];
  env?(host: LocalHost): Record<string, string>;
  info?(host: LocalHost): Record<string, string>;
  /** What topics reach through the Platform interface (`ctx.platform.ldap`). */
  provides?(host: LocalHost): { ldap?: LdapAccess };
}

export type KubeObject = Record<string, unknown>;

/** What the kind platform lends a service. */
export interface KubeHost {
  readonly lab: LabDir;
  readonly namespace: string;
  /** Vault's address as a pod of the cluster dials it (the release's Service). */
  readonly vaultAddr: string;
  /** The local end of this service's port-forward for a role. */
  port(role: string): number;
  kubectl(args: string[], opts?: RunOptions): Promise<RunResult>;
}

export interface KubeAdapter {
  /** The Deployment (and Service) name in the namespace. */
  name: string;
  /** The Service's port (Vault in a pod dials `<name>.<namespace>.svc:<port>`). */
  port: number;
  /** Its address as Vault in a pod writes it, from `host:port`. */
  address(hostPort: string): string;
  /** How a learner's line names it (`$LDAP_URL`): rewritten to the in-cluster address when the line runs in a pod. */
  learnerForms: readonly RegExp[];
  /**
   * LAB_*_IMAGE overrides the pinned image; `built` names the image scripts/build-kind-services.sh makes from Debian's
   * packages, used on the lab's own cluster when it exists (no registry serves the pinned one here).
   */
  image: { pinned: string; env: string; built?: 'openldap' | 'mariadb' | 'eso' };
  /** CustomResourceDefinitions (YAML) applied server-side before the objects: their schemas outgrow client-side apply's annotation. */
  crds?(): string;
  /** Secret files it needs (relative to the lab folder), made once: `keep(file)` returns the value, creating it. */
  secrets(keep: (file: string) => string): Record<string, string>;
  /** Secret files the Deployment mounts, pod path → the lab file it holds (a line run in the pod reads them there). */
  podFiles?: Readonly<Record<string, string>>;
  /** Files the learner's tools read besides the secrets (an account JSON), written after secrets(). */
  prepare?(host: KubeHost, secrets: Record<string, string>): void;
  manifests(secrets: Record<string, string>, o: { namespace: string; image: string }): KubeObject[];
  /** The port-forward roles: local port host.port(role) → the Service's port; none for a service no learner's tool dials. */
  forward?: string;
  env(host: KubeHost): Record<string, string>;
  info(host: KubeHost, inCluster: string): Record<string, string>;
  provides?(host: KubeHost): { ldap?: LdapAccess };
}
