/**
 * Syncing a Vault secret into a Kubernetes Secret. The External Secrets Operator the lab runs does it (platform.eso: a
 * process against the lab's apiserver, or a Deployment in the cluster), or, on a cluster that can pull its image, the
 * Vault Secrets Operator from its chart (platform.vsoChart). VSO cannot be built here.
 * Either way the sync itself is judged — the destination Secret's data against Vault, and the operator's own
 * status — never a field that turns true before any login (VaultAuth.status.valid only says the references resolve).
 */
import type { Checker, Cmd, LabContext, PlatformName } from '../src/engine/types.ts';
import { msg, type Msg } from '../src/engine/i18n.ts';
import { kubectlLine, kubeUnreachable, vaultLine } from './common.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { VaultApiError } from '../src/vault/client.ts';
import { conditionsOf, type Condition, type SecretInfo } from '../src/platforms/kube-api.ts';
import { checks as k8sChecks, gatherK8sAuth, kubeFor, K8S, type State as K8sState } from './k8s-auth.ts';
import { ESO, VSO } from '../labs/vso/data.ts';

export { ESO, VSO } from '../labs/vso/data.ts';



export interface State {
  platform: PlatformName;
  /** Which operator the platform's steps use: ESO (the lab runs it) or VSO (the learner installs it). */
  operatorKind: 'eso' | 'vso';
  kubeError?: string | undefined;
  /** The VSO Deployment; or ESO (its process or Deployment) and its CRDs. */
  operator?: { replicas: number; ready: number; crds?: string[] } | undefined;
  vaultAuth?: { method?: string; role?: string; serviceAccount?: string; audiences: string[]; valid?: boolean; error?: string } | undefined;
  /** VSO: the VaultStaticSecret's status as VSO writes it. */
  staticSecret?: { generation: number; lastGeneration: number; secretMAC: boolean; conditions: Condition[] } | undefined;
  /** ESO: the SecretStore's and ExternalSecret's conditions as ESO writes them. */
  store?: { conditions: Condition[]; warning?: string } | undefined;
  externalSecret?: { conditions: Condition[]; refreshTime?: string; warning?: string } | undefined;
  /** The destination Secret (values decoded). */
  synced?: Record<string, string> | undefined;
  syncedMeta?: Pick<SecretInfo, 'uid' | 'createdAt' | 'owners'> | undefined;
  /** Distinct uids of the operator-owned Secret that `lab check` (or a step) has seen: two or more means it was made again. */
  uidsSeen?: number | undefined;
  /** The Secret uids seen so far, for the engine to keep (gather writes nothing). */
  observed?: Record<string, unknown>;
  /** The by-hand Secret (ESO's path). */
  manual?: Record<string, string> | undefined;
  /** secret/webapp/config in Vault, read with the admin token: its current data and version, and every version's data. */
  vault?: Record<string, unknown> | undefined;
  vaultVersion?: number | undefined;
  vaultHistory?: Record<string, unknown>[] | undefined;
  /** The Vault side of the kubernetes login the operator makes (k8s-auth's gather, without its refusal probes). */
  k8s?: K8sState | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

async function gatherVault(ctx: LabContext, s: State): Promise<void> {
  const a = await ctx.activeVault().catch(() => undefined);
  if (!a) return;
  const cur = await a.client.kvGet('secret', 'webapp/config').catch(() => undefined);
  if (!cur) return;
  s.vault = cur.data;
  s.vaultVersion = cur.metadata.version;
  s.vaultHistory = [];
  for (let v = 1; v <= cur.metadata.version; v++) {
    try {
      const r = await a.client.read<{ data?: { data?: Record<string, unknown> } }>(`/secret/data/webapp/config?version=${v}`);
      if (r.data?.data) s.vaultHistory.push(r.data.data);
    } catch (e) {
      if (!(e instanceof VaultApiError)) throw e;
    }
  }
}

export async function gather(ctx: LabContext): Promise<State> {
  const eso = ctx.platform.eso;
  const s: State = { platform: ctx.platform.name, operatorKind: eso ? 'eso' : 'vso' };
  await gatherVault(ctx, s);
  // A fresh login as the operator's ServiceAccount, judged with k8s-auth's own judges: the cause, not the symptom.
  s.k8s = await gatherK8sAuth(ctx, { probes: false }).catch(() => undefined);
  try {
    const kube = await kubeFor(ctx);
    if (eso) {
      const crds = await kube.establishedCrds(ESO.group);
      if (eso.runs === 'host') {
        const running = (await ctx.platform.status()).some((p) => p.name === 'external-secrets' && p.running);
        s.operator = { replicas: 1, ready: running ? 1 : 0, crds };
      } else {
        const d = await kube.deployment(eso.namespace, eso.deployment);
        s.operator = { replicas: d?.replicas ?? 0, ready: d?.ready ?? 0, crds };
      }
      const store = await kube.customObject(ESO.group, ESO.version, VSO.appNamespace, 'secretstores', ESO.store);
      if (store) {
        const conditions = conditionsOf(store);
        const warning = cond(conditions, 'Ready')?.status === 'True' ? undefined : await kube.lastWarning(VSO.appNamespace, 'SecretStore', ESO.store);
        s.store = { conditions, ...(warning ? { warning } : {}) };
      }
      const es = await kube.customObject(ESO.group, ESO.version, VSO.appNamespace, 'externalsecrets', ESO.externalSecret);
      if (es) {
        const refresh = str(((es.status ?? {}) as Record<string, unknown>).refreshTime);
        const conditions = conditionsOf(es);
        const warning = cond(conditions, 'Ready')?.status === 'True' ? undefined : await kube.lastWarning(VSO.appNamespace, 'ExternalSecret', ESO.externalSecret);
        s.externalSecret = { conditions, ...(refresh ? { refreshTime: refresh } : {}), ...(warning ? { warning } : {}) };
      }
      s.manual = (await kube.secret(VSO.appNamespace, ESO.manual))?.data;
    } else {
      s.operator = await kube.deployment(VSO.namespace, VSO.deployment);
      const va = await kube.customObject(VSO.group, VSO.version, VSO.appNamespace, 'vaultauths', VSO.auth);
      if (va) {
        const spec = (va.spec ?? {}) as Record<string, unknown>;
        const k = (spec.kubernetes ?? {}) as Record<string, unknown>;
        const status = (va.status ?? {}) as Record<string, unknown>;
        s.vaultAuth = {
          ...(str(spec.method) ? { method: str(spec.method)! } : {}),
          ...(str(k.role) ? { role: str(k.role)! } : {}),
          ...(str(k.serviceAccount) ? { serviceAccount: str(k.serviceAccount)! } : {}),
          audiences: Array.isArray(k.audiences) ? k.audiences.map(String) : [],
          ...(typeof status.valid === 'boolean' ? { valid: status.valid } : {}),
          ...(str(status.error) ? { error: str(status.error)! } : {}),
        };
      }
      const vss = await kube.customObject(VSO.group, VSO.version, VSO.appNamespace, 'vaultstaticsecrets', VSO.staticSecret);
      if (vss) {
        const status = (vss.status ?? {}) as Record<string, unknown>;
        const meta = (vss.metadata ?? {}) as Record<string, unknown>;
        s.staticSecret = { generation: Number(meta.generation ?? 0), lastGeneration: Number(status.lastGeneration ?? 0), secretMAC: Boolean(str(status.secretMAC)), conditions: conditionsOf(vss) };
      }
    }
    const dest = await kube.secret(VSO.appNamespace, VSO.destination);
    if (dest) {
      s.synced = dest.data;
      s.syncedMeta = { uid: dest.uid, createdAt: dest.createdAt, owners: dest.owners };
      if (eso && dest.owners.some((o) => o.kind === 'ExternalSecret')) {
        s.observed = uidObserved(ctx.lab.progress().observations, dest.uid);
        s.uidsSeen = (s.observed[UIDS] as string[]).length;
      }
    }
  } catch (e) {
    s.kubeError = e instanceof Error ? e.message : String(e);
  }
  return s;
}

const UIDS = 'vso.secretUids';
/** The Secret's identity over time, kept like the Raft term of the failover drill. Pure: the next observations. */
function uidObserved(prev: Record<string, unknown>, uid: string): Record<string, unknown> {
  const seen = Array.isArray(prev[UIDS]) ? (prev[UIDS] as unknown[]).map(String) : [];
  if (!seen.includes(uid)) seen.push(uid);
  return { ...prev, [UIDS]: seen.slice(-10) };
}

// ---- pure judges ---------------------------------------------------------------------------------------------

const noKube = (s: State) => kubeUnreachable('vso', s);

const cond = (cs: Condition[] | undefined, type: string): Condition | undefined => cs?.find((c) => c.type === type);
const KEYS = ['username', 'password'];
const sameAs = (secret: Record<string, string> | undefined, vault: Record<string, unknown> | undefined): string[] =>
  KEYS.filter((k) => secret?.[k] === undefined || secret[k] !== String(vault?.[k] ?? ''));

/** k8s-auth's judges of what the operator's login needs, in the order a cause explains the next. */
const VAULT_SIDE = ['auth-enabled', 'config-host', 'auth-delegator', 'policy-path', 'login', 'role-bound', 'audience'];

/** The first Vault-side cause (from k8s-auth's judges on a fresh login), or undefined when the login and read work. */
export function vaultSideCause(s: State): { id: string; why: Msg; fix?: Msg; fixCmds?: Cmd[] } | undefined {
  if (!s.k8s) return undefined;
  for (const id of VAULT_SIDE) {
    const v = k8sChecks.find((c) => c.id === id)!.judge(s.k8s);
    if (!v.ok) return { id, why: v.why ?? msg('', ''), ...(v.fix ? { fix: v.fix } : {}), ...(v.fixCmds ? { fixCmds: v.fixCmds } : {}) };
  }
  return undefined;
}

/** ESO's error text → the cause by name (what the generic "not synced" hides). */
export function namedCause(text: string): Msg | undefined {
  if (/secret\/data\/data\//.test(text)) return msg('경로에 data/가 두 번 들어갔습니다 (secret/data/data/…): ExternalSecret의 key는 webapp/config처럼 data/ 없이 씁니다. version: v2인 ESO가 data/를 붙입니다.', 'the path has data/ twice (secret/data/data/…): write the ExternalSecret key without data/ (webapp/config); with version: v2 ESO adds it.');
  if (/not authorized/.test(text)) return msg(`Vault가 로그인을 거절했습니다 (not authorized): role의 bound_service_account_names/namespaces에 ${K8S.namespace}/${K8S.sa}가 있어야 합니다.`, `Vault refused the login (not authorized): the role's bound_service_account_names/namespaces must include ${K8S.namespace}/${K8S.sa}.`);
  if (/invalid audience/.test(text)) return msg(`audience가 맞지 않습니다: SecretStore의 serviceAccountRef.audiences와 role의 audience(${K8S.audience})를 맞추세요.`, `audience mismatch: make the SecretStore's serviceAccountRef.audiences match the role's audience (${K8S.audience}).`);
  if (/permission denied/.test(text) && /login/.test(text)) return msg(`로그인이 permission denied입니다: TokenReview가 거부됩니다. ${K8S.vaultSa.namespace}/${K8S.vaultSa.name} SA의 system:auth-delegator 바인딩과 리뷰어 JWT를 보세요.`, `the login is denied: the TokenReview fails. Check the system:auth-delegator binding of SA ${K8S.vaultSa.namespace}/${K8S.vaultSa.name} and the reviewer JWT.`);
  if (/permission denied|403/.test(text)) return msg(`읽기가 403입니다: ${K8S.policy} 정책이 ${K8S.secretApiPath}에 read를 주는지 보세요 (KV v2 경로에는 data/).`, `the read is denied (403): check policy ${K8S.policy} grants read on ${K8S.secretApiPath} (KV v2 paths contain data/).`);
  return undefined;
}

/** The named cause, then ESO's own words (reason: message). */
const withEso = (named: Msg, r: Condition | undefined, warning?: string): Msg => {
  const eso = [r ? `${r.reason ?? ''}: ${r.message ?? ''}` : '', warning ?? ''].filter(Boolean).join(' · ');
  return eso ? msg(`${named.ko} (ESO: ${eso})`, `${named.en} (ESO: ${eso})`) : named;
};

const storeManifestFix = msg("secret-store 단계의 매니페스트를 kubectl apply 하세요 (npx lab hint vso secret-store).", "kubectl apply the secret-store step's manifest (npx lab hint vso secret-store).");
const esManifestFix = msg("external-secret 단계의 매니페스트를 kubectl apply 하세요 (npx lab hint vso external-secret).", "kubectl apply the external-secret step's manifest (npx lab hint vso external-secret).");

/** Timestamps carry whole seconds; a Secret made more than this after the first sync was made again. */
const RECREATED_AFTER_MS = 2000;

export const checks: Checker<State>['checks'] = [
  {
    id: 'operator-ready',
    title: msg('오퍼레이터가 동작 중 (ESO 또는 VSO)', 'the operator is running (ESO or VSO)'),
    hint: msg('오퍼레이터는 CRD가 먼저 있어야 시작합니다. kind에서 차트를 다른 네임스페이스에 설치하면 이후 명령의 네임스페이스도 바꿔야 합니다.', 'An operator starts only once its CRDs exist. On kind, installing the chart in another namespace changes every later command.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      if (s.operatorKind === 'eso') {
        const missing = ESO.crds.filter((c) => !s.operator?.crds?.includes(c));
        if (missing.length) return fail(msg(`External Secrets Operator의 CRD가 없습니다: ${missing.join(', ')}`, `the External Secrets Operator CRDs are missing: ${missing.join(', ')}`), msg("'npx lab start vso'가 CRD를 설치하고 오퍼레이터를 띄웁니다.", "'npx lab start vso' installs the CRDs and starts the operator."));
        if (!s.operator?.ready) return fail(msg('External Secrets Operator가 떠 있지 않습니다.', 'the External Secrets Operator is not running.'), msg("'npx lab start vso'로 다시 띄우고, 안 되면 'npx lab info vso'의 로그(클러스터 안이면 kubectl logs deploy/external-secrets -n vault)를 보세요.", "Start it again with 'npx lab start vso'; if it will not start, read its log (npx lab info vso; in a cluster kubectl logs deploy/external-secrets -n vault)."));
        return pass();
      }
      const install: Cmd = { kind: 'exec', file: 'helm', args: ['upgrade', '--install', VSO.release, 'hashicorp/vault-secrets-operator', '-n', VSO.namespace, '--create-namespace', '--version', VSO.chartVersion, '--wait'] };
      if (!s.operator) return fail(msg(`${VSO.namespace}/${VSO.deployment} Deployment가 없습니다.`, `Deployment ${VSO.namespace}/${VSO.deployment} does not exist.`), undefined, [install]);
      if (s.operator.ready < 1) return fail(msg(`VSO 컨트롤러가 아직 Ready가 아닙니다 (${s.operator.ready}/${s.operator.replicas}).`, `the VSO controller is not ready (${s.operator.ready}/${s.operator.replicas}).`), undefined, [kubectlLine('-n', VSO.namespace, 'describe', 'deploy', VSO.deployment)]);
      return pass();
    },
  },
  {
    id: 'manual-secret',
    requires: ['eso'],
    title: msg(`손으로 만든 Secret(${ESO.manual})이 Vault 값에서 나옴`, `the by-hand Secret ${ESO.manual} holds Vault's values`),
    hint: msg('오퍼레이터가 하는 일을 손으로 한 번: TokenRequest → Vault 로그인 → 읽기 → Secret 생성. 손으로 만든 사본은 Vault가 바뀌어도 그대로입니다.', "Do by hand once what the operator does: TokenRequest → Vault login → read → create the Secret. A by-hand copy stays as it is when Vault changes."),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      if (!s.manual) return fail(msg(`${VSO.appNamespace}/${ESO.manual} Secret이 없습니다.`, `Secret ${VSO.appNamespace}/${ESO.manual} does not exist.`), msg('npx lab hint vso by-hand', 'npx lab hint vso by-hand'));
      if (!s.vaultHistory?.length) return fail(msg('Vault의 secret/webapp/config를 읽을 수 없어 비교할 수 없습니다.', 'cannot read secret/webapp/config in Vault to compare.'), msg('Vault의 봉인이 풀려 있는지 보세요.', 'Check Vault is unsealed.'));
      if (s.vaultHistory.some((v) => sameAs(s.manual, v).length === 0)) return pass();
      return fail(msg(`${ESO.manual}의 username/password가 Vault의 어느 버전과도 같지 않습니다.`, `${ESO.manual}'s username/password match no version of the Vault secret.`), msg('kubectl create secret generic에 Vault에서 읽은 값을 그대로 넣었는지 보세요 (-field=username, -field=password).', 'Check kubectl create secret got the values read from Vault (-field=username, -field=password).'));
    },
  },
  {
    id: 'vault-side',
    title: msg('Vault 쪽: 오퍼레이터의 SA로 지금 로그인하고 시크릿을 읽을 수 있음', "Vault side: the operator's SA can log in and read the secret right now"),
    hint: msg('오퍼레이터 쪽 증상(동기화 실패)의 원인은 대개 Vault 쪽입니다: 정책 경로의 data/, role의 bound SA, auth-delegator 바인딩.', "The operator's symptom (no sync) usually has a Vault-side cause: data/ in the policy path, the role's bound SA, the auth-delegator binding."),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      if (!s.k8s) return fail(msg('Vault 쪽 설정을 읽을 수 없었습니다.', 'could not read the Vault side.'), msg("'npx lab start vso'로 준비 단계를 다시 실행하세요.", "Re-run the setup with 'npx lab start vso'."));
      const c = vaultSideCause(s);
      return c ? fail(msg(`Vault 쪽 원인 (${c.id}): ${c.why.ko}`, `Vault-side cause (${c.id}): ${c.why.en}`), c.fix, c.fixCmds) : pass();
    },
  },
  {
    id: 'store-ready',
    requires: ['eso'],
    title: msg(`SecretStore(${ESO.store})가 Ready (ESO가 Vault에 로그인함)`, `SecretStore ${ESO.store} is Ready (ESO logged in to Vault)`),
    hint: msg('ESO는 SecretStore를 검증할 때 실제로 kubernetes 로그인을 하고 토큰을 조회합니다. serviceAccountRef의 audiences가 role의 audience와 다르면 invalid audience로 실패합니다.', "ESO validates a SecretStore by really logging in (kubernetes auth) and looking its token up; serviceAccountRef audiences that differ from the role's audience fail with invalid audience."),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      if (!s.store) return fail(msg(`${VSO.appNamespace}/${ESO.store} SecretStore가 없습니다.`, `SecretStore ${VSO.appNamespace}/${ESO.store} does not exist.`), storeManifestFix);
      const r = cond(s.store.conditions, 'Ready');
      // Judged by a fresh login, not ESO's condition: it stays Ready for a while after the login starts failing.
      const cause = vaultSideCause(s);
      if (cause) return { ...fail(msg(`지금 로그인이 되지 않습니다${r?.status === 'True' ? ' (ESO의 조건은 아직 Ready)' : ''}: ${cause.why.ko}`, `a login fails right now${r?.status === 'True' ? " (ESO's condition still says Ready)" : ''}: ${cause.why.en}`), cause.fix, cause.fixCmds), after: 'vault-side' };
      if (r?.status === 'True') return pass();
      const named = namedCause(`${r?.message ?? ''} ${s.store.warning ?? ''}`);
      if (named) return fail(withEso(named, r, s.store.warning), storeManifestFix);
      return fail(
        msg(
          `ESO가 SecretStore를 Ready로 보지 않습니다${r ? ` (${r.reason ?? ''}: ${r.message ?? ''})` : ' (아직 상태 없음)'}.${s.store.warning ? ` 마지막 경고 이벤트: ${s.store.warning}` : ''}`,
          `ESO does not report the SecretStore Ready${r ? ` (${r.reason ?? ''}: ${r.message ?? ''})` : ' (no status yet)'}.${s.store.warning ? ` Last warning event: ${s.store.warning}` : ''}`,
        ),
        msg('이벤트와 ESO 로그를 보세요. 주소(server), role, serviceAccountRef의 이름과 audiences를 확인하세요:', 'Read the events and the ESO log; check server, role, serviceAccountRef name and audiences:'),
        [kubectlLine('-n', VSO.appNamespace, 'describe', 'secretstore', ESO.store)],
      );
    },
  },
  {
    id: 'external-secret-ready',
    requires: ['eso'],
    title: msg(`ExternalSecret(${ESO.externalSecret})이 SecretSynced`, `ExternalSecret ${ESO.externalSecret} is SecretSynced`),
    hint: msg('dataFrom.extract.key는 KV v2의 data/ 없는 경로(webapp/config)입니다: ESO가 version: v2로 data/를 붙입니다.', 'dataFrom.extract.key is the KV v2 path without data/ (webapp/config): with version: v2 ESO adds data/ itself.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      if (!s.externalSecret) return fail(msg(`${VSO.appNamespace}/${ESO.externalSecret} ExternalSecret이 없습니다.`, `ExternalSecret ${VSO.appNamespace}/${ESO.externalSecret} does not exist.`), esManifestFix);
      const r = cond(s.externalSecret.conditions, 'Ready');
      if (r?.status === 'True' && r.reason === 'SecretSynced') return pass();
      const cause = vaultSideCause(s);
      if (cause) return { ...fail(msg(`ESO가 동기화하지 못하는 원인은 Vault 쪽입니다: ${cause.why.ko}`, `ESO cannot sync because of the Vault side: ${cause.why.en}`), cause.fix, cause.fixCmds), after: 'vault-side' };
      const named = namedCause(`${r?.message ?? ''} ${s.externalSecret.warning ?? ''}`);
      if (named) return fail(withEso(named, r, s.externalSecret.warning), esManifestFix);
      return fail(
        msg(
          `ESO가 동기화를 끝내지 못했습니다${r ? ` (${r.reason ?? ''}: ${r.message ?? ''})` : ' (아직 상태 없음)'}.${s.externalSecret.warning ? ` 마지막 경고 이벤트: ${s.externalSecret.warning}` : ''}`,
          `ESO has not synced${r ? ` (${r.reason ?? ''}: ${r.message ?? ''})` : ' (no status yet)'}.${s.externalSecret.warning ? ` Last warning event: ${s.externalSecret.warning}` : ''}`,
        ),
        msg('SecretStore가 Ready 인지 먼저 확인하고, 이벤트를 보세요:', 'Check the SecretStore is Ready first, then read the events:'),
        [kubectlLine('-n', VSO.appNamespace, 'describe', 'externalsecret', ESO.externalSecret)],
      );
    },
  },
  {
    id: 'vault-auth',
    platforms: ['kind'],
    requires: ['vsoChart'],
    title: msg('VaultAuth가 role, SA, audience와 맞음', 'VaultAuth matches the role, SA and audience'),
    hint: msg('VaultAuth의 audiences와 role의 audience, serviceAccount와 role의 bound SA가 어긋나면 로그인이 실패합니다. status.valid는 참조가 풀렸다는 뜻일 뿐 로그인 성공이 아닙니다.', "VaultAuth's audiences must match the role's audience, and its serviceAccount the role's bound SA. status.valid only says its references resolve, not that a login works."),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      const va = s.vaultAuth;
      if (!va) return fail(msg(`${VSO.appNamespace}/${VSO.auth} VaultAuth가 없습니다.`, `VaultAuth ${VSO.appNamespace}/${VSO.auth} does not exist.`), msg("auth 단계의 매니페스트를 kubectl apply 하세요 (npx lab hint vso auth).", "kubectl apply the auth step's manifest (npx lab hint vso auth)."));
      if (va.method !== 'kubernetes' || va.role !== K8S.role || va.serviceAccount !== K8S.sa)
        return fail(msg(`VaultAuth가 method=kubernetes, role=${K8S.role}, serviceAccount=${K8S.sa}이 아닙니다 (${va.method ?? '-'}, ${va.role ?? '-'}, ${va.serviceAccount ?? '-'}).`, `VaultAuth is not method=kubernetes, role=${K8S.role}, serviceAccount=${K8S.sa} (${va.method ?? '-'}, ${va.role ?? '-'}, ${va.serviceAccount ?? '-'}).`), msg('spec.method, spec.kubernetes.role, spec.kubernetes.serviceAccount를 고치세요.', 'Fix spec.method, spec.kubernetes.role and spec.kubernetes.serviceAccount.'));
      if (!va.audiences.includes(K8S.audience))
        return fail(msg(`VaultAuth의 audiences(${va.audiences.join(', ') || '없음'})에 role의 audience '${K8S.audience}'가 없습니다.`, `VaultAuth audiences (${va.audiences.join(', ') || 'none'}) lack the role's audience '${K8S.audience}'.`), msg(`spec.kubernetes.audiences: [${K8S.audience}]`, `spec.kubernetes.audiences: [${K8S.audience}]`));
      if (va.error) return fail(msg(`VSO가 VaultAuth에 오류를 적었습니다: ${va.error}`, `VSO recorded an error on the VaultAuth: ${va.error}`), msg('이벤트를 보세요:', 'See the events:'), [kubectlLine('-n', VSO.appNamespace, 'describe', 'vaultauth', VSO.auth)]);
      return pass();
    },
  },
  {
    id: 'static-secret-synced',
    platforms: ['kind'],
    requires: ['vsoChart'],
    title: msg('VaultStaticSecret 상태: VSO가 현재 spec으로 동기화함', 'VaultStaticSecret status: VSO synced the current spec'),
    hint: msg('VSO는 Vault에서 읽은 데이터의 HMAC(secretMAC)과 처리한 generation을 status에 적습니다. 둘이 없으면 아직 한 번도 읽지 못한 것입니다.', 'VSO records the HMAC of the data it read (secretMAC) and the generation it handled; without them it has never read the secret.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      const v = s.staticSecret;
      const events = msg('이벤트를 보세요:', 'See the events:');
      const describe = [kubectlLine('-n', VSO.appNamespace, 'describe', 'vaultstaticsecret', VSO.staticSecret)];
      if (!v) return fail(msg(`${VSO.appNamespace}/${VSO.staticSecret} VaultStaticSecret이 없습니다.`, `VaultStaticSecret ${VSO.appNamespace}/${VSO.staticSecret} does not exist.`), msg('npx lab hint vso static-secret', 'npx lab hint vso static-secret'));
      const bad = v.conditions.find((c) => c.status === 'False');
      if (bad) return fail(msg(`VSO가 ${bad.type}=False로 적었습니다: ${bad.message ?? bad.reason ?? ''}`, `VSO reports ${bad.type}=False: ${bad.message ?? bad.reason ?? ''}`), events, describe);
      if (!v.secretMAC || v.lastGeneration < v.generation) return fail(msg(`VSO가 아직 이 VaultStaticSecret(generation ${v.generation})을 동기화하지 않았습니다.`, `VSO has not synced this VaultStaticSecret (generation ${v.generation}) yet.`), events, describe);
      return pass();
    },
  },
  {
    id: 'secret-synced',
    title: msg(`Secret(${VSO.destination})이 Vault의 지금 값과 같음`, `Secret ${VSO.destination} matches Vault now`),
    hint: msg('경로에는 data/를 쓰지 않습니다 (VSO: mount: secret, path: webapp/config · ESO: key: webapp/config). Vault를 바꾼 직후라면 갱신 주기만큼 기다리세요.', 'No data/ in the path (VSO: mount: secret, path: webapp/config · ESO: key: webapp/config). Right after a change in Vault, wait one refresh interval.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      const how = s.operatorKind === 'eso' ? kubectlLine('-n', VSO.appNamespace, 'describe', 'externalsecret', ESO.externalSecret) : kubectlLine('-n', VSO.appNamespace, 'describe', 'vaultstaticsecret', VSO.staticSecret);
      if (!s.synced) return fail(msg(`${VSO.appNamespace}/${VSO.destination} Secret이 없습니다.`, `Secret ${VSO.appNamespace}/${VSO.destination} does not exist.`), msg('오퍼레이터의 이벤트를 보세요:', "See the operator's events:"), [how]);
      if (!s.vault) return fail(msg('Vault의 secret/webapp/config를 읽을 수 없어 비교할 수 없습니다.', 'cannot read secret/webapp/config in Vault to compare.'), msg('Vault의 봉인이 풀려 있고 값이 있는지 보세요.', 'Check Vault is unsealed and the secret exists.'));
      const diff = sameAs(s.synced, s.vault);
      const wait = s.operatorKind === 'eso' ? `refreshInterval (${ESO.refreshInterval})` : 'refreshAfter (30s)';
      return diff.length ? fail(msg(`Secret의 키가 없거나 Vault와 다릅니다: ${diff.join(', ')}`, `Secret keys missing or different from Vault: ${diff.join(', ')}`), msg(`${wait} 만큼 기다린 뒤 다시 보거나, 오류를 보세요:`, `Wait one ${wait} and look again, or see the errors:`), [how]) : pass();
    },
  },
  {
    id: 'vault-change-synced',
    requires: ['eso'],
    title: msg('Vault에서 바꾼 값이 Secret에 도착함', 'a change made in Vault reached the Secret'),
    hint: msg('손으로 만든 사본과 달리, 오퍼레이터는 갱신 주기마다 Vault를 다시 읽습니다: vault kv put 뒤 refreshInterval 안에 Secret이 바뀌어야 합니다.', 'Unlike the by-hand copy, the operator reads Vault again every refresh interval: after vault kv put the Secret changes within refreshInterval.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      if ((s.vaultVersion ?? 0) < 2) return fail(msg('Vault의 secret/webapp/config가 아직 처음 버전 그대로입니다: 값을 바꿔 보세요.', 'secret/webapp/config is still at its first version: change it in Vault.'), undefined, [vaultLine('kv', 'put', 'secret/webapp/config', 'username=static-user', 'password=rotated-password-2')]);
      const diff = sameAs(s.synced, s.vault);
      return diff.length
        ? fail(msg(`Vault는 버전 ${s.vaultVersion} 인데 Secret은 아직 다릅니다: ${diff.join(', ')}`, `Vault is at version ${s.vaultVersion} but the Secret still differs: ${diff.join(', ')}`), msg(`refreshInterval(${ESO.refreshInterval}) 만큼 기다리세요. 계속 다르면:`, `Wait one refreshInterval (${ESO.refreshInterval}); if it stays different:`), [kubectlLine('-n', VSO.appNamespace, 'describe', 'externalsecret', ESO.externalSecret)])
        : pass();
    },
  },
  {
    id: 'secret-recreated',
    requires: ['eso'],
    title: msg('지운 Secret을 오퍼레이터가 다시 만듦', 'the operator recreated the deleted Secret'),
    hint: msg('ESO가 만든 Secret에는 ExternalSecret을 가리키는 소유자 참조(ownerReference)가 있고, ESO는 그 Secret을 지켜보다가 지워지면 곧바로 다시 만듭니다. 손으로 만든 Secret은 지우면 그만입니다.', 'The Secret ESO made carries an ownerReference to the ExternalSecret, and ESO watches it: deleted, it is made again at once. A by-hand Secret, deleted, is gone.'),
    judge: (s) => {
      const k = noKube(s);
      if (k) return k;
      if (!s.synced || !s.syncedMeta) return fail(msg(`${VSO.appNamespace}/${VSO.destination} Secret이 없습니다.`, `Secret ${VSO.appNamespace}/${VSO.destination} does not exist.`), esManifestFix);
      if (!s.syncedMeta.owners.some((o) => o.kind === 'ExternalSecret' && o.name === ESO.externalSecret))
        return fail(msg(`${VSO.destination} Secret의 주인이 ExternalSecret ${ESO.externalSecret}가 아닙니다: 오퍼레이터가 만든 것이 아닙니다.`, `Secret ${VSO.destination} is not owned by ExternalSecret ${ESO.externalSecret}: the operator did not make it.`), msg('지우고 ESO가 만들게 두세요 (target.creationPolicy: Owner):', 'Delete it and let ESO make it (target.creationPolicy: Owner):'), [kubectlLine('-n', VSO.appNamespace, 'delete', 'secret', VSO.destination)]);
      // Either evidence: another uid seen before, or a Secret younger than the ExternalSecret's first sync.
      const firstSync = cond(s.externalSecret?.conditions, 'Ready')?.lastTransitionTime;
      const created = Date.parse(s.syncedMeta.createdAt);
      const younger = firstSync !== undefined && created - Date.parse(firstSync) > RECREATED_AFTER_MS;
      if ((s.uidsSeen ?? 0) < 2 && !younger)
        return fail(msg('Secret이 처음 동기화 때 만든 그대로입니다: 지워서 다시 만들어지는지 보세요.', 'the Secret is the one made at the first sync: delete it and watch it come back.'), undefined, [kubectlLine('-n', VSO.appNamespace, 'delete', 'secret', VSO.destination), kubectlLine('-n', VSO.appNamespace, 'wait', `--for=create`, `secret/${VSO.destination}`, '--timeout=30s')]);
      return pass();
    },
  },
];

export const checker = defineChecker<State>({ gather, checks, observed: (s) => s.observed });
