/**
 * Kubernetes auth, on the local platform (a real kube-apiserver + etcd on loopback, Vault outside the cluster) and
 * on kind (Vault in a pod). The seed binds role `webapp` to SA `vault` in namespace `default`, a pair that does
 * not exist (the chart's `vault` SA lives in namespace `vault`), and the lesson lists that as a typical mistake.
 * The lab binds a dedicated app ServiceAccount `default/webapp` instead, and gives Vault its own audience `vault`
 * (tokens from `kubectl create token --audience vault`, VSO's and ESO's `audiences: [vault]`).
 */
import type { Cmd, Guard, LabContext, Step, TopicDef } from '../src/engine/types.ts';
import { msg, type Msg } from '../src/engine/i18n.ts';
import { LAB_HEADER, VaultApiError } from '../src/vault/client.ts';
import { samePolicy } from '../src/vault/policy.ts';
import { health, initCmd, mountType, rootTokenCmd, setupStep, unsealCmds, unsealKeyVars } from './common.ts';
import { K8S } from '../labs/k8s-auth/data.ts';

/** kubectl against the lab's cluster, whatever the learner's current context is. */
export const kube = (args: string[], stdin?: string, note?: Cmd['note']): Extract<Cmd, { kind: 'exec' }> => ({
  kind: 'exec',
  file: 'kubectl',
  args: ['--context', '$LAB_KUBE_CONTEXT', ...args],
  ...(stdin !== undefined ? { stdin } : {}),
  ...(note ? { note } : {}),
});

export const appServiceAccount = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${K8S.sa}
  namespace: ${K8S.namespace}
`;

export const SECRET = { path: 'webapp/config', username: 'static-user', password: 'static-password' };

/** What vault-k8s built, made ready for this topic: initialised, unsealed, KV v2 with the seed's secret, the app SA. */
export function vaultReadyStep(id: string, o: { audit?: boolean } = {}): Step {
  return {
    id,
    kind: 'setup',
    title: msg('Vault 준비: init, unseal, KV v2, secret/webapp/config (kind: 앱 SA도)', 'Prepare Vault: init, unseal, KV v2, secret/webapp/config (kind: the app SA too)'),
    task: msg('랩이 vault-k8s 실습의 결과를 준비합니다.', 'The lab prepares what the vault-k8s topic builds.'),
    solve: async (ctx) => {
      if (!(await health(ctx))?.initialized) await ctx.exec(initCmd(1, 1));
      if ((await health(ctx))?.sealed !== false) for (const c of [...unsealKeyVars(1), ...unsealCmds(1)]) await ctx.exec(c);
      await ctx.exec(rootTokenCmd);
      if ((await mountType(ctx, 'secret'))?.version !== '2') await ctx.exec({ kind: 'vault', args: ['secrets', 'enable', '-path=secret', 'kv-v2'] });
      const a = await ctx.activeVault();
      if (!(await a?.client.kvGet('secret', SECRET.path))?.data.username) {
        await ctx.exec({ kind: 'vault', args: ['kv', 'put', `secret/${SECRET.path}`, `username=${SECRET.username}`, `password=${SECRET.password}`] });
      }
      // On kind the chart made Vault's own SA; the app's is the lab's. On local the learner makes both (accounts).
      if (ctx.platform.name === 'kind') await ctx.exec(kube(['apply', '-f', '-'], appServiceAccount));
      if (o.audit) await ensureAudit(ctx);
    },
  };
}

/**
 * A file audit device, and the lab's own header (x-vault-lab) recorded in clear: the audit log then shows the
 * learner's logins apart from the lab's probes, so steps 6-8 are done when the learner did them.
 */
async function ensureAudit(ctx: LabContext): Promise<void> {
  const a = await ctx.activeVault();
  if (!a) return;
  const devices = await a.client.audits().catch(() => ({}));
  if (!Object.values(devices).some((d) => d.type === 'file')) await ctx.exec({ kind: 'vault', args: ['audit', 'enable', 'file', `file_path=${K8S.auditFile}`] });
  await a.client.write(`/sys/config/auditing/request-headers/${LAB_HEADER}`, { hmac: false });
}

const kubeApi = async (ctx: LabContext) => (await import('../src/platforms/kube-api.ts')).kubeApiFor(ctx);

export const accountsDone = async (ctx: LabContext): Promise<boolean> => {
  const k = await kubeApi(ctx);
  const bound = (await k.clusterRoleBindings()).some((b) => b.role.name === 'system:auth-delegator' && b.subjects.some((x) => x.kind === 'ServiceAccount' && x.name === K8S.vaultSa.name && x.namespace === K8S.vaultSa.namespace));
  return bound && (await k.serviceAccountUid(K8S.namespace, K8S.sa)) !== undefined;
};

/** How long the reviewer JWT lives: the lesson says what happens when it expires. */
export const REVIEWER_TTL = '24h';

async function vaultRead<T>(ctx: LabContext, p: string): Promise<T | undefined> {
  const a = await ctx.activeVault();
  if (!a) return undefined;
  try {
    return await a.client.read<T>(p);
  } catch (e) {
    if (e instanceof VaultApiError) return undefined;
    throw e;
  }
}

export const policyHcl = `path "${K8S.secretApiPath}" {\n  capabilities = ["read"]\n}\n`;

export const enableCmd: Cmd = { kind: 'vault', args: ['auth', 'enable', 'kubernetes'], unless: (ctx) => authEnabled(ctx) };
export const configCmd: Cmd = { kind: 'vault', args: ['write', 'auth/kubernetes/config', `kubernetes_host=${K8S.host}`] };
/** Vault outside the cluster: the API server's address, its CA, and a token of Vault's SA to send TokenReviews with. */
export const configLocalCmd: Cmd = {
  kind: 'vault',
  args: ['write', 'auth/kubernetes/config', 'kubernetes_host=$KUBE_API', 'kubernetes_ca_cert=@$KUBE_CA', 'token_reviewer_jwt=-'],
  pipeFrom: `kubectl --context "$LAB_KUBE_CONTEXT" create token ${K8S.vaultSa.name} -n ${K8S.vaultSa.namespace} --duration=${REVIEWER_TTL}`,
  note: msg(
    '리뷰어 JWT는 vault SA의 토큰입니다: Vault는 이 토큰으로 TokenReview를 보냅니다 (token_reviewer_jwt=-: JWT는 stdin으로).',
    "The reviewer JWT is the vault SA's token: Vault sends its TokenReviews with it (token_reviewer_jwt=-: the JWT goes on stdin).",
  ),
};

/** A ServiceAccount that exists: `kubectl create serviceaccount` would answer AlreadyExists. */
export const saExists =
  (namespace: string, name: string): Guard =>
  async (ctx) =>
    (await (await kubeApi(ctx)).serviceAccountUid(namespace, name)) !== undefined;

const ACCOUNT = {
  namespace: { ...kube(['create', 'namespace', K8S.vaultSa.namespace]), unless: async (ctx: LabContext) => (await kubeApi(ctx)).namespaceExists(K8S.vaultSa.namespace) },
  vaultSa: { ...kube(['create', 'serviceaccount', K8S.vaultSa.name, '-n', K8S.vaultSa.namespace]), unless: saExists(K8S.vaultSa.namespace, K8S.vaultSa.name) },
  binding: {
    ...kube(['create', 'clusterrolebinding', K8S.binding, '--clusterrole=system:auth-delegator', `--serviceaccount=${K8S.vaultSa.namespace}:${K8S.vaultSa.name}`], undefined, msg('Helm 차트의 server.authDelegator.enabled가 만드는 것과 같은 바인딩입니다.', "The same binding the Helm chart's server.authDelegator.enabled makes.")),
    // The name taken (AlreadyExists), or the grant already there under another name.
    unless: async (ctx: LabContext) =>
      (await (await kubeApi(ctx)).clusterRoleBindings()).some((b) => b.name === K8S.binding || (b.role.name === 'system:auth-delegator' && b.subjects.some((x) => x.kind === 'ServiceAccount' && x.name === K8S.vaultSa.name && x.namespace === K8S.vaultSa.namespace))),
  },
  appSa: { ...kube(['create', 'serviceaccount', K8S.sa, '-n', K8S.namespace]), unless: saExists(K8S.namespace, K8S.sa) },
  list: kube(['get', 'serviceaccounts', '-A']),
};
export const accountCmds: Cmd[] = [ACCOUNT.namespace, ACCOUNT.vaultSa, ACCOUNT.binding, ACCOUNT.appSa, ACCOUNT.list];

/** Only what is missing (the lines whose guard does not hold): pasting the whole block again would answer AlreadyExists. */
async function accountsPending(ctx: LabContext): Promise<{ commands: Cmd[] } | undefined> {
  const left: Cmd[] = [];
  for (const c of [ACCOUNT.namespace, ACCOUNT.vaultSa, ACCOUNT.binding, ACCOUNT.appSa]) if (!(await c.unless(ctx))) left.push(c);
  return left.length ? { commands: [...left, ACCOUNT.list] } : undefined;
}
export const policyCmd: Cmd = { kind: 'vault', args: ['policy', 'write', K8S.policy, '-'], stdin: policyHcl };
export const roleCmd: Cmd = {
  kind: 'vault',
  args: ['write', `auth/kubernetes/role/${K8S.role}`, `bound_service_account_names=${K8S.sa}`, `bound_service_account_namespaces=${K8S.namespace}`, `policies=${K8S.policy}`, 'ttl=24h', `audience=${K8S.audience}`],
  note: msg('학습 노트는 ttl=24h를 썼습니다. 운영에서는 1~4h처럼 짧게 두세요.', 'The study note uses ttl=24h; in production keep it short (1-4h).'),
};

export const authEnabled = async (ctx: LabContext): Promise<boolean> => {
  const a = await ctx.activeVault();
  const auths = a ? await a.client.auths().catch((e: unknown) => (e instanceof VaultApiError ? undefined : Promise.reject(e))) : undefined;
  return auths?.['kubernetes/']?.type === 'kubernetes';
};
export const configDone = async (ctx: LabContext): Promise<boolean> => {
  const c = (await vaultRead<{ data?: { kubernetes_host?: string; kubernetes_ca_cert?: string; token_reviewer_jwt_set?: boolean } }>(ctx, '/auth/kubernetes/config'))?.data;
  if (ctx.platform.name !== 'local') return c?.kubernetes_host === K8S.host;
  return c?.kubernetes_host === ctx.platform.runEnv().KUBE_API && Boolean(c?.kubernetes_ca_cert) && c?.token_reviewer_jwt_set === true;
};
/** Done when the live policy grants what the step writes: a right path with `create` instead of `read` is not done. */
export const policyDone = async (ctx: LabContext): Promise<boolean> => samePolicy((await vaultRead<{ data?: { policy?: string } }>(ctx, `/sys/policies/acl/${K8S.policy}`))?.data?.policy, policyHcl);
/** Done when the role is what the step writes: bound to exactly the app's SA and namespace (a `*` lets others in). */
export const roleDone = async (ctx: LabContext): Promise<boolean> => {
  const r = (await vaultRead<{ data?: { audience?: string; bound_service_account_names?: string[]; bound_service_account_namespaces?: string[]; token_policies?: string[] } }>(ctx, `/auth/kubernetes/role/${K8S.role}`))?.data;
  const only = (v: string[] | undefined, want: string) => (v ?? []).length === 1 && v![0] === want;
  return r?.audience === K8S.audience && only(r.bound_service_account_names, K8S.sa) && only(r.bound_service_account_namespaces, K8S.namespace) && (r.token_policies ?? []).includes(K8S.policy);
};

/** The Kubernetes and Vault side of the auth method, shared with the vso topic (which runs them as setup). */
export const vaultSideSteps = (kind: 'setup' | 'task'): Step[] => [
  {
    id: 'accounts',
    kind,
    platforms: ['local'],
    title: msg('ServiceAccount와 auth-delegator 바인딩', 'ServiceAccounts and the auth-delegator binding'),
    task: msg(
      `Vault의 SA(${K8S.vaultSa.namespace}/${K8S.vaultSa.name})를 만들어 system:auth-delegator에 묶고(${K8S.binding}), 앱의 SA(${K8S.namespace}/${K8S.sa})를 만드세요.`,
      `Create Vault's SA (${K8S.vaultSa.namespace}/${K8S.vaultSa.name}), bind it to system:auth-delegator (${K8S.binding}), and create the app's SA (${K8S.namespace}/${K8S.sa}).`,
    ),
    hint: msg('컨트롤러 매니저가 없는 이 API 서버는 SA를 저절로 만들지 않습니다: 모두 직접 만듭니다.', 'This API server runs without a controller-manager, so no ServiceAccount appears by itself: make each one.'),
    commands: accountCmds,
    pending: accountsPending,
    done: accountsDone,
    checks: ['auth-delegator'],
  },
  {
    id: 'enable',
    kind,
    title: msg('Kubernetes 인증 메서드 활성화', 'Enable the Kubernetes auth method'),
    task: msg('auth/kubernetes에 Kubernetes 인증 메서드를 켜세요.', 'Enable the Kubernetes auth method at auth/kubernetes.'),
    commands: [enableCmd, { kind: 'vault', args: ['auth', 'list'] }],
    done: authEnabled,
    checks: ['auth-enabled'],
  },
  {
    id: 'config',
    kind,
    platforms: ['local'],
    title: msg('API 서버 주소, CA, 리뷰어 JWT 설정', 'Point it at the API server: address, CA, reviewer JWT'),
    task: msg(
      'kubernetes_host를 이 랩의 API 서버($KUBE_API)로, kubernetes_ca_cert를 그 CA로, token_reviewer_jwt를 vault SA의 토큰으로 설정하세요.',
      "Set kubernetes_host to this lab's API server ($KUBE_API), kubernetes_ca_cert to its CA, and token_reviewer_jwt to a token of the vault SA.",
    ),
    hint: msg('Vault가 클러스터 밖에 있으면 Pod의 SA 토큰도 CA도 없습니다: 셋 다 직접 줍니다.', 'Vault outside the cluster has no pod SA token and no pod CA: give all three.'),
    commands: [configLocalCmd, { kind: 'vault', args: ['read', 'auth/kubernetes/config'] }],
    done: configDone,
    checks: ['config-host'],
  },
  {
    id: 'config-incluster',
    kind,
    platforms: ['kind'],
    title: msg('API 서버 주소 설정', 'Point it at the API server'),
    task: msg(`kubernetes_host를 클러스터 내부 주소 ${K8S.host}로 설정하세요.`, `Set kubernetes_host to the in-cluster address ${K8S.host}.`),
    hint: msg('CA와 리뷰어 토큰을 주지 않으면 Vault는 자기 Pod의 SA 토큰과 CA를 씁니다.', "Without a CA and reviewer JWT, Vault uses its own pod's SA token and CA."),
    commands: [configCmd, { kind: 'vault', args: ['read', 'auth/kubernetes/config'] }],
    done: configDone,
    checks: ['config-host'],
  },
  {
    id: 'policy',
    kind,
    title: msg(`${K8S.policy} 정책: ${K8S.secretApiPath} 읽기`, `Policy ${K8S.policy}: read ${K8S.secretApiPath}`),
    task: msg(`${K8S.secretApiPath}에 read만 허락하는 ${K8S.policy} 정책을 쓰세요.`, `Write policy ${K8S.policy} allowing only read on ${K8S.secretApiPath}.`),
    hint: msg('KV v2의 API 경로에는 data/가 들어갑니다.', 'KV v2 API paths contain data/.'),
    commands: [policyCmd],
    done: policyDone,
    checks: ['policy-path'],
  },
  {
    id: 'role',
    kind,
    title: msg(`${K8S.role} role: SA, 네임스페이스, audience, 정책`, `Role ${K8S.role}: SA, namespace, audience, policy`),
    task: msg(
      `${K8S.namespace} 네임스페이스의 ${K8S.sa} SA를 받아 ${K8S.policy} 정책을 주는 role을 만드세요. audience는 ${K8S.audience}, ttl은 24h.`,
      `Create a role that accepts SA ${K8S.sa} in namespace ${K8S.namespace} and grants policy ${K8S.policy}; audience ${K8S.audience}, ttl 24h.`,
    ),
    hint: msg('학습 노트의 bound_service_account_names=vault, namespaces=default 조합은 클러스터에 없는 SA입니다.', "The study note's names=vault, namespaces=default pair names an SA that does not exist."),
    commands: [roleCmd, { kind: 'vault', args: ['read', `auth/kubernetes/role/${K8S.role}`] }],
    done: roleDone,
    checks: ['role-bound', 'audience'],
  },
];

/** `kubectl create token …`: a TokenRequest, the same kind of token a projected volume carries. */
const tokenCmd = (sa: string, namespace: string, audience?: string, duration = '10m'): string =>
  `kubectl --context "$LAB_KUBE_CONTEXT" create token ${sa} -n ${namespace}${audience ? ` --audience ${audience}` : ''} --duration=${duration}`;
/** The same TokenRequest as a line of its own (its output kept in a variable by `capture`). */
export const tokenRequest = (sa: string, namespace: string, audience?: string, duration = '10m'): Extract<Cmd, { kind: 'exec' }> =>
  kube(['create', 'token', sa, '-n', namespace, ...(audience ? ['--audience', audience] : []), `--duration=${duration}`]);

/**
 * `jwt=-`: vault reads the JWT from stdin, piped from the line that makes it, so it never sits in a process's argv
 * (readable by every local user). On kind the login runs in the Vault pod (`kubectl exec -i`), the JWT piped in.
 */
const login = (jwtSource: string, o: { note?: Msg; mayFail?: boolean; capture?: string } = {}): Extract<Cmd, { kind: 'vault' }> => ({
  kind: 'vault',
  args: ['write', ...(o.capture ? ['-field=token'] : []), 'auth/kubernetes/login', `role=${K8S.role}`, 'jwt=-'],
  pipeFrom: jwtSource,
  ...(o.capture ? { capture: o.capture } : {}),
  ...(o.note ? { note: o.note } : {}),
  ...(o.mayFail ? { mayFail: true } : {}),
});

/**
 * As the app: `VAULT_TOKEN="$APP_TOKEN" vault …`, its token in the environment of one command. Not `env VAULT_TOKEN=…`:
 * /usr/bin/env is a process whose argv (the token) every local user can read.
 */
const asApp = (args: string[], note?: Msg, mayFail = false): Cmd => ({ kind: 'vault', args, tokenVar: 'APP_TOKEN', ...(note ? { note } : {}), ...(mayFail ? { mayFail } : {}) });

export const loginCmds: Cmd[] = [
  login(tokenCmd(K8S.sa, K8S.namespace, K8S.audience), {
    capture: 'APP_TOKEN',
    note: msg('TokenRequest로 받은 짧은 수명의 JWT를 role과 함께 보내고, 받은 Vault 토큰을 APP_TOKEN에 둡니다 (jwt=-: JWT는 stdin으로).', 'Send a short-lived JWT from the TokenRequest API with the role, and keep the Vault token in APP_TOKEN (jwt=-: the JWT goes on stdin).'),
  }),
  asApp(['token', 'lookup'], msg('policies에 webapp이 보여야 합니다.', 'policies list webapp.')),
  asApp(['kv', 'get', `secret/${SECRET.path}`], msg('읽기는 됩니다.', 'The read works.')),
  asApp(['kv', 'put', `secret/${SECRET.path}`, 'username=app-write', 'password=app-write'], msg('쓰기는 permission denied(403)여야 합니다: webapp 정책은 read뿐입니다.', 'The write must be refused (permission denied, 403): the webapp policy only reads.'), true),
];

/** A login the learner expects to be refused (the shell goes on). */
const refusedLogin = (jwtSource: string, note: Msg, mayFail = true): Cmd => login(jwtSource, { note, mayFail });

const OTHER_APP = 'other-app';

export const refusalCmds: Cmd[] = [
  refusedLogin(tokenCmd(K8S.sa, K8S.namespace, 'other-service'), msg('audience가 다른 토큰: invalid audience로 거부되어야 합니다.', 'A token for another audience: refused (invalid audience).')),
  refusedLogin(tokenCmd(K8S.sa, K8S.namespace), msg('audience를 주지 않은 토큰은 API 서버용입니다 (Pod의 기본 kube-api-access 토큰과 같음): 거부되어야 합니다.', "A token without --audience is for the API server (like a pod's default kube-api-access token): refused.")),
  { ...kube(['create', 'serviceaccount', OTHER_APP, '-n', K8S.namespace]), mayFail: true, unless: saExists(K8S.namespace, OTHER_APP) },
  refusedLogin(tokenCmd(OTHER_APP, K8S.namespace, K8S.audience), msg('role에 묶이지 않은 SA: service account name not authorized.', 'An SA the role does not bind: service account name not authorized.')),
];

export const recreateCmds: Cmd[] = [
  { ...tokenRequest(K8S.sa, K8S.namespace, K8S.audience), capture: 'OLD_JWT', note: msg('지금 SA의 토큰을 하나 받아 둡니다.', 'Keep a token of the SA as it is now.') },
  kube(['delete', 'serviceaccount', K8S.sa, '-n', K8S.namespace]),
  kube(['create', 'serviceaccount', K8S.sa, '-n', K8S.namespace]),
  refusedLogin('echo "$OLD_JWT"', msg('이름은 같아도 새 SA는 uid가 다릅니다: 옛 토큰은 TokenReview에서 거부됩니다.', 'Same name, new uid: the old token fails the TokenReview.')),
  refusedLogin(tokenCmd(K8S.sa, K8S.namespace, K8S.audience), msg('새 SA의 새 토큰은 다시 로그인됩니다.', 'A new token of the new SA logs in again.'), false),
];

export const topic: TopicDef = {
  id: 'k8s-auth',
  title: msg('Kubernetes 인증: ServiceAccount로 Vault 로그인', 'Kubernetes auth: log in to Vault with a ServiceAccount'),
  summary: msg(
    'Kubernetes 인증 메서드를 켜고 정책과 role을 만든 뒤, 실제 SA 토큰(TokenRequest)으로 로그인해 secret/webapp/config를 읽습니다.',
    'Enable the Kubernetes auth method, write a policy and a role, then log in with a real SA token (TokenRequest) and read secret/webapp/config.',
  ),
  platforms: ['local', 'kind'],
  // The lesson's order: vso builds on this login (the note has it first; the catalogue keeps the note's order).
  next: 'vso',
  needs: { vault: { nodes: 1, storage: 'file', tls: false, apiAudit: true }, kube: true },
  steps: [
    setupStep('server', msg('Vault와 Kubernetes API 준비 (local: kube-apiserver + etcd, kind: 클러스터 + Helm)', 'Prepare Vault and a Kubernetes API (local: kube-apiserver + etcd; kind: cluster + Helm)')),
    vaultReadyStep('vault', { audit: true }),
    ...vaultSideSteps('task'),
    {
      id: 'login',
      kind: 'task',
      title: msg('SA 토큰으로 로그인', 'Log in with the SA token'),
      task: msg(
        `${K8S.sa} SA의 토큰을 audience ${K8S.audience}로 받아 auth/kubernetes/login에 role=${K8S.role}과 함께 보내세요.`,
        `Get a token for SA ${K8S.sa} with audience ${K8S.audience} and send it to auth/kubernetes/login with role=${K8S.role}.`,
      ),
      hint: msg('응답의 policies에 webapp이 있어야 합니다. 그 토큰으로 읽기는 되고 쓰기는 permission denied여야 합니다.', 'The response lists policy webapp; that token can read the secret and must get permission denied on writes.'),
      commands: loginCmds,
      checks: ['login', 'auth-delegator', 'you-logged-in'],
    },
    {
      id: 'refusals',
      kind: 'task',
      title: msg('거부되어야 할 토큰들', 'Tokens that must be refused'),
      task: msg(
        '다른 audience의 토큰, audience 없는(API 서버용) 토큰, role에 묶이지 않은 SA의 토큰으로 로그인해 보고 모두 거부되는지 보세요.',
        'Try to log in with a token for another audience, a token without an audience (for the API server), and a token of an SA the role does not bind: each must be refused.',
      ),
      hint: msg('거부 메시지가 이유를 말해 줍니다: invalid audience, service account name not authorized.', 'The refusal says why: invalid audience, service account name not authorized.'),
      commands: refusalCmds,
      checks: ['other-sa-refused', 'other-ns-refused', 'api-audience-refused', 'you-tried-refusals'],
    },
    {
      id: 'recreate',
      kind: 'task',
      title: msg('지우고 다시 만든 SA의 옛 토큰', 'The old token of a deleted and recreated SA'),
      task: msg(
        `${K8S.sa} SA의 토큰을 받아 둔 뒤 SA를 지우고 같은 이름으로 다시 만드세요. 옛 토큰은 거부되고, 새 토큰은 로그인되어야 합니다.`,
        `Keep a token of SA ${K8S.sa}, delete the SA and create it again under the same name: the old token is refused, a new one logs in.`,
      ),
      hint: msg('토큰의 kubernetes.io 클레임에는 SA의 uid가 들어 있고, TokenReview는 그 uid가 지금의 SA와 같은지 봅니다.', "The token's kubernetes.io claim carries the SA's uid, and the TokenReview checks it against the SA that exists now."),
      commands: recreateCmds,
      checks: ['you-recreated'],
    },
  ],
};
