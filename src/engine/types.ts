import type { Lang, Msg } from './i18n.ts';
import type { LabDir } from './state.ts';
import type { RunResult } from '../exec.ts';
import type { VaultClient } from '../vault/client.ts';
import type { Reporter } from './reporter.ts';

export type PlatformName = 'local' | 'kind';

/**
 * A command as data: what the learner types (rendered per platform) and what `lab solve` runs are one definition.
 * Arguments may reference $VARS from the lab's environment (VAULT_ADDR, LAB_DIR, unseal keys set by a `set`).
 */
export type Cmd =
  /**
   * `stdout`: a file in the lab folder the output goes to (`> file`). `keep`: the output cannot be made again (unseal
   * keys, a single-use unwrap): the learner's line is rendered with noclobber and the lab keeps its own copy (keep.ts).
   * `env`: variables of the learner's shell the command reads (VAULT_LDAP_PASSWORD); a pod gets them passed on.
   */
  | {
      kind: 'vault';
      args: string[];
      node?: NodeTarget;
      stdin?: string;
      /**
       * A secret that must stay off the command line (argv is readable by every local user): `stdinVar` is a $VAR fed on
       * stdin (`key=- <<< "$VAULT_UNSEAL_KEY"`), `tokenVar` the token this one command runs as (`VAULT_TOKEN="$T" vault …`).
       */
      stdinVar?: string;
      tokenVar?: string;
      /** A shell line whose output is this command's stdin (`kubectl create token … | vault write … jwt=-`), as on exec. */
      pipeFrom?: string;
      /** See Capture. */
      capture?: Capture;
      stdout?: string;
      keep?: boolean;
      env?: string[];
      note?: Msg;
      /** A line expected to be refused (the lesson's 403): the learner's shell, and the lab, go on. */
      mayFail?: boolean;
      unless?: Guard;
    }
  /** VAR=$(jq -r '<path>' "$LAB_DIR/<file>") — how the seed pulls keys out of cluster-keys.json. jq '.' on a non-.json file: VAR=$(cat file). */
  | { kind: 'set'; name: string; file: string; jq: string; export?: boolean; note?: Msg }
  /**
   * Any other tool (curl, ldapsearch, openssl, mariadb…), run with the lab's environment. `pipeFrom`: a shell line whose
   * output is this command's stdin (`kubectl create token … | vault write … jwt=-`: the JWT never in an argv).
   * `stdinLine`: one line, $VARS expanded, on stdin (`curl -H @- … <<< "X-Vault-Token: $VAULT_TOKEN"`).
   */
  | { kind: 'exec'; file: string; args: string[]; stdin?: string; pipeFrom?: string; note?: Msg; mayFail?: boolean; stdinLine?: string; capture?: Capture; unless?: Guard }
  /** A node lifecycle action; each platform says how (kill -9 / kill -TERM a pid, or kubectl delete pod). */
  | { kind: 'node'; action: 'kill' | 'stop' | 'start'; node: NodeTarget; note?: Msg; unless?: Guard }
  /**
   * Wait until `probe` exits 0, asking once a second: the learner's line is `until <probe> > /dev/null 2>&1; do sleep 1;
   * done`, the lab polls the same probe and gives up after `timeoutSec` (a follower that answers "sealed" while it
   * finishes its join, a pod being recreated).
   */
  | { kind: 'wait'; probe: ProbeCmd; timeoutSec: number; note?: Msg; unless?: Guard };

/**
 * The node a command is aimed at: its index, or `'active'`, whichever node leads when the line runs (a drill stops the
 * leader, not vault-0). Each platform renders it as its learner would find the leader: local `vault status` through
 * the vault-active relay and `npx lab node <topic> stop active`; kind the chart's `vault-active` Service and pod label.
 * The lab resolves it the same way when the line runs (the node that answers as active); none → the line fails.
 */
export type NodeTarget = number | 'active';

/**
 * `capture: 'NAME'` on a vault or exec line: its output (trimmed) becomes $NAME for the lines after it, a secret the
 * learner's shell keeps in a variable and the lab in memory only (`export APP_TOKEN="$(… vault write -field=token …)"`).
 * Later lines read it as a `tokenVar`, a `stdinVar`, or in a `pipeFrom`; never as an argument.
 */
export type Capture = string;

/**
 * The lab's side of a command only (never rendered): true when the live state already holds what the command would
 * make, so `lab solve` skips it and a rerun converges (`secrets enable` on a mount that exists is an error). The
 * learner simply types the line; what the lab runs is still exactly the line shown, or nothing.
 */
export type Guard = (ctx: LabContext) => Promise<boolean>;

/** What a wait may ask: one vault or exec line without stdin or output files (it is repeated, and its output dropped). */
export type ProbeCmd = Extract<Cmd, { kind: 'vault' | 'exec' }>;

/**
 * kill: SIGKILL, a crash (the active node cannot hand over). stop: SIGTERM, what `kubectl delete pod` sends (a Raft
 * leader transfers leadership before it exits). start: start it again (sealed). reset: stop, wipe its data, start it
 * uninitialised, so it can join afresh.
 */
export type NodeAction = 'kill' | 'stop' | 'start' | 'reset';

export interface Step {
  id: string;
  title: Msg;
  /** What the learner is asked to do (`lab start`, `lab hint`). */
  task: Msg;
  hint?: Msg;
  /** setup steps build the environment and run on `lab start`; task steps are the learner's. */
  kind: 'setup' | 'task';
  commands?: Cmd[];
  /** Defaults to running `commands` in order (each skipped when its `unless` guard holds). */
  solve?: (ctx: LabContext) => Promise<void>;
  /**
   * Required with `solve`: why the step needs code beyond its shown commands (a repair no learner line expresses).
   * `lab dev check` lists every such step with its reason.
   */
  solveWhy?: string;
  /**
   * Observation around the shown commands (never an action on the lab): `before` runs ahead of them, `after` once they
   * succeeded, both also around a custom solve. The drill records the leader and Raft term and reports the handover.
   */
  observe?: { before?: (ctx: LabContext) => Promise<void>; after?: (ctx: LabContext) => Promise<void> };
  /** True when the live state shows the step already done: `lab run` skips it, so reruns converge. */
  done?: (ctx: LabContext) => Promise<boolean>;
  /**
   * What is still left of the step, from live state and the learner's shell (`lab hint`): a step whose `done` holds
   * is still the current one while this lists commands (the root token not yet exported, autopilot not yet tuned).
   */
  pending?: (ctx: LabContext, shell: Record<string, string | undefined>) => Promise<Pending | undefined>;
  /**
   * For `lab hint` only (never `lab run`): the lab has seen this step done, and what its live state lacks now belongs to a
   * later step (the node killed in the drill, an election under way): the hint moves on instead of falling back here.
   */
  heldFor?: (ctx: LabContext) => Promise<boolean>;
  /**
   * Undo for `lab reset <topic> <step>`, as commands (shown, then run like the step's own), and the observations
   * that remembered the step (so `heldFor` does not keep it done). Defined only where a step can be undone.
   */
  cleanup?: { commands: Cmd[]; forget?: string[] };
  /** The check ids this step makes pass. */
  checks?: string[];
  /** Platforms the step belongs to (default: all the topic's). */
  platforms?: PlatformName[];
  /** Capabilities the platform must offer for the step to exist there (an ingress the lab installed). */
  requires?: Capability[];
}

/** Optional parts of a Platform that steps and checks may depend on. */
export type Capability = 'ingress' | 'ldap' | 'eso' | 'vsoChart';

/** Where a step stands and the commands left to run, in order. */
export interface Pending {
  /** One line each, e.g. "vault-0: 2/3". */
  status?: Msg[];
  commands: Cmd[];
}

export interface VaultSpec {
  nodes: number;
  storage: 'file' | 'raft' | 'inmem';
  tls: false | { hostname?: string; minVersion: 'tls10' | 'tls11' | 'tls12' | 'tls13' };
  performanceMultiplier?: number;
  /** Allow audit devices to be enabled through the API (OpenBao refuses without it). */
  apiAudit?: boolean;
  /** Prometheus metrics without a token. */
  telemetry?: boolean;
  /** Auto-unseal through the transit engine of the lab's second Vault (needs.transit); the platform wires it. */
  autoUnseal?: 'transit';
  /**
   * VAULT_ADDR follows the active node, as the chart's `vault-active` Service does (local: a lab-supervised TCP relay);
   * commands aimed at one node name it with -address, vault-0 included.
   */
  activeAddr?: boolean;
  /** Name prefix; several deployments can live in one lab (the production topic's transit Vault). */
  name?: string;
}

/**
 * The servers a topic may need besides Vault. Each service folder adds its own key (`declare module` in
 * src/services/<name>/index.ts), and src/services/index.ts must then register it: the compiler names what is missing.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging, one key per service
export interface ServiceNeeds {}

export interface Needs extends ServiceNeeds {
  vault: VaultSpec;
}

export interface Verdict {
  ok: boolean;
  why?: Msg;
  /** Prose: what to do, or the note that goes before `fixCmds`. Never a command line (those are `fixCmds`). */
  fix?: Msg;
  /**
   * The commands that fix it, as data: rendered at the edge (`lab check`, `--json`) for the lab's platform by the same
   * renderer as steps, so a judge stays pure and a kind learner never sees a local path (`$LAB_DIR/logs/…pid`).
   */
  fixCmds?: Cmd[];
  /** The id of an earlier check whose failure explains this one: shown folded under it, not as a second cause. */
  after?: string;
}

export interface CheckDef<S> {
  id: string;
  title: Msg;
  /** The typical mistake this check catches and how to fix it (shown in lessons; the judge's fix is specific). */
  hint?: Msg;
  judge: (state: S) => Verdict;
  /** Platforms the check applies to (default: all the topic's). */
  platforms?: PlatformName[];
  /** Capabilities the platform must offer for the check to apply (see Step.requires). */
  requires?: Capability[];
}

export interface Checker<S> {
  /** All I/O, and it writes nothing: what must be remembered comes back in the state (see observed). */
  gather: (ctx: LabContext) => Promise<S>;
  checks: CheckDef<S>[];
  /** The observations to keep from a gathered state (the whole set, prior ones included); the engine persists them. */
  observed?: (s: S) => Record<string, unknown> | undefined;
}

/** What the engine knows of a checker: its checks' names and hints, and one gather-then-judge pass. S stays inside. */
export interface CheckMeta {
  id: string;
  title: Msg;
  hint?: Msg;
}
export interface CheckerHandle {
  checks: CheckMeta[];
  evaluate(ctx: LabContext): Promise<{ id: string; title: Msg; verdict: Verdict }[]>;
}

export interface CheckResult {
  id: string;
  title: string;
  ok: boolean;
  why?: string;
  /** The whole fix as text: the note, then each rendered command on its own line(s). */
  fix?: string;
  fixNote?: string;
  /** `fixCmds` rendered for the lab's platform, one entry per command (a command may span lines: a heredoc). */
  fixCommands?: string[];
  /** Set on a failure that follows from an earlier one (that check's id): fix the cause first. */
  after?: string;
}

export interface Topic {
  id: string;
  title: Msg;
  summary: Msg;
  platforms: PlatformName[];
  needs: Needs;
  steps: Step[];
  /** Paired with the topic by the catalogue (scenarios/index.ts) and loaded lazily, so `lab list` stays fast. */
  checker: () => Promise<CheckerHandle>;
  /** `lab node <topic> reset <node>`: wipe one node's data and bring it back into the running cluster (Raft topics). */
  resetNode?: (ctx: LabContext, node: number) => Promise<void>;
  /** Things the learner can log in with (shown by `lab info`); values are secret names in the lab folder. */
  accounts?: { name: string; secret: string; note: Msg }[];
  /**
   * What the topic's task steps leave in a cluster the lab shares with other topics (an operator the learner installed,
   * the objects they applied): `lab down` and `lab reset` remove it, so no later run counts a step the learner never did.
   * Resources of a kind the cluster does not know (the other operator's) are passed over.
   */
  leaves?: { objects: { resource: string; namespace: string; names: string[] }[]; helm?: { release: string; namespace: string }[] };
  /** The topic the lesson sends the learner to next, when it is not the catalogue's next one (k8s-auth → vso). */
  next?: string;
  /** Lines the topic adds to the dashboard (`lab check --watch`, the all-pass ending), from its own observations. */
  dashboard?: (observations: Record<string, unknown>) => Msg[];
}

/** A topic as its scenario module defines it; the catalogue adds the checker. */
export type TopicDef = Omit<Topic, 'checker'>;

export interface VaultNodeInfo {
  name: string;
  /** Address the learner and the lab use. */
  addr: string;
  caFile?: string;
  /** Reached through a supervised `kubectl port-forward` that may be restarting: clients retry a refused connection briefly. */
  forwarded?: boolean;
}

export interface ProcStatus {
  name: string;
  pid?: number;
  running: boolean;
  addr?: string;
  log?: string;
}

/** A directory the lab runs for the ldap topic, as checks need it. */
export interface LdapAccess {
  url: string;
  /** ldapsearch output (LDIF) as the lab's bind DN. */
  search(base: string, filter: string, attrs: string[]): Promise<string>;
}

export interface Platform {
  readonly name: PlatformName;
  /** Capabilities beyond Vault, present when the topic needs them and the platform provides them. */
  readonly ldap?: LdapAccess | undefined;
  /** Makes (or keeps) the lab CA and the server certificates. */
  ensureCerts?(): Promise<void>;
  /**
   * The External Secrets Operator the lab runs for a topic that needs it: a process on this host, or a Deployment in
   * the cluster (an image the lab built, where no registry serves VSO's). Absent where the learner installs VSO instead.
   */
  readonly eso?: { runs: 'host' } | { runs: 'cluster'; namespace: string; deployment: string } | undefined;
  /** A cluster whose nodes can pull the Vault Secrets Operator's image: the learner installs it from HashiCorp's chart. */
  readonly vsoChart?: true | undefined;
  /** Where an ingress controller passes TLS through to Vault by name (kind: ingress-nginx on the host's 443). */
  readonly ingress?: { host: string; port: number; servername: string } | undefined;
  /** Why a capability this topic's steps require is absent here (said when `lab run` leaves those steps out). */
  absent?(c: Capability): Msg | undefined;
  /** Start whatever is not running yet (first time: uninitialized servers). Idempotent. */
  up(needs: Needs, report: Reporter): Promise<void>;
  down(): Promise<void>;
  status(): Promise<ProcStatus[]>;
  vaultNodes(): VaultNodeInfo[];
  /**
   * Run the vault/bao CLI against one node. `forward`: names in `env` the command reads (a Cmd's `env`). `stdoutFile`:
   * the child writes its output there itself (see RunOptions.stdoutFile).
   */
  vaultCli(args: string[], opts: { node?: number; env?: Record<string, string>; stdin?: string; forward?: string[]; stdoutFile?: string }): Promise<RunResult>;
  /** A file the Vault server itself wrote (its audit log), by the path its config names; undefined when absent. */
  readServerFile(file: string, node?: number): Promise<string | undefined>;
  /** When node i's server process (or container) last started; undefined when it is not running. */
  nodeStartedAt(node: number): Promise<Date | undefined>;
  nodeAction(action: NodeAction, node: number): Promise<void>;
  render(cmd: Cmd): string;
  /** The environment the learner's shell gets from `lab env` (values may be $(cat file) expressions). */
  shellEnv(): Record<string, string>;
  /** The same environment resolved, for commands the lab runs itself. */
  runEnv(): Record<string, string>;
  /** Extra named addresses and files for `lab info`. */
  info(): Record<string, string>;
}

export interface LabContext {
  topic: Topic;
  lang: Lang;
  platform: Platform;
  lab: LabDir;
  report: Reporter;
  /** A client for node i (default 0) with the lab's admin token, or the token given (null: no token). */
  vault(node?: number, token?: string | null): VaultClient;
  /** The node currently active, if any answers as active. */
  activeVault(token?: string | null): Promise<{ node: number; client: VaultClient } | undefined>;
  exec(cmd: Cmd): Promise<RunResult>;
}
