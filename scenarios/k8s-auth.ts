/**
 * Kubernetes auth on the kind platform. The seed binds role `webapp` to SA `vault` in namespace `default`,
 * a pair that does not exist (the chart's `vault` SA lives in namespace `vault`), and the lesson lists that as
 * a typical mistake. The lab binds a dedicated app ServiceAccount `default/webapp` instead, and gives Vault its
 * own audience `vault` (tokens from `kubectl create token --audience vault`, VSO's `audiences: [vault]`).
 */
import type { Cmd, LabContext, Step, TopicDef } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { VaultApiError } from '../src/vault/client.ts';
import { health, initCmd, mountType, rootTokenCmd, setupStep, unsealCmds, unsealKeyVars } from './common.ts';
import { K8S } from '../checkers/k8s-auth.ts';

/** kubectl against the lab's cluster, whatever the learner's current context is. */
export const kube = (args: string[], stdin?: string, note?: Cmd['note']): Cmd => ({
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
export function vaultReadyStep(id: string): Step {
  return {
    id,
    kind: 'setup',
    title: msg('Vault 준비: init, unseal, KV v2, secret/webapp/config, 앱 SA', 'Prepare Vault: init, unseal, KV v2, secret/webapp/config, the app SA'),
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
      await ctx.exec(kube(['apply', '-f', '-'], appServiceAccount));
    },
  };
}

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

export const enableCmd: Cmd = { kind: 'vault', args: ['auth', 'enable', 'kubernetes'] };
export const configCmd: Cmd = { kind: 'vault', args: ['write', 'auth/kubernetes/config', `kubernetes_host=${K8S.host}`] };
export const policyCmd: Cmd = { kind: 'vault', args: ['policy', 'write', K8S.policy, '-'], stdin: policyHcl };
export const roleCmd: Cmd = {
  kind: 'vault',
  args: ['write', `auth/kubernetes/role/${K8S.role}`, `bound_service_account_names=${K8S.sa}`, `bound_service_account_namespaces=${K8S.namespace}`, `policies=${K8S.policy}`, 'ttl=24h', `audience=${K8S.audience}`],
  note: msg('학습 노트는 ttl=24h 를 썼습니다. 운영에서는 1~4h 처럼 짧게 두세요.', 'The study note uses ttl=24h; in production keep it short (1-4h).'),
};

export const authEnabled = async (ctx: LabContext): Promise<boolean> => {
  const r = await vaultRead<Record<string, { type?: string }> & { data?: Record<string, { type?: string }> }>(ctx, '/sys/auth');
  return (r?.data ?? r)?.['kubernetes/']?.type === 'kubernetes';
};
export const configDone = async (ctx: LabContext): Promise<boolean> => (await vaultRead<{ data?: { kubernetes_host?: string } }>(ctx, '/auth/kubernetes/config'))?.data?.kubernetes_host === K8S.host;
export const policyDone = async (ctx: LabContext): Promise<boolean> => ((await vaultRead<{ data?: { policy?: string } }>(ctx, `/sys/policies/acl/${K8S.policy}`))?.data?.policy ?? '').includes(`"${K8S.secretApiPath}"`);
export const roleDone = async (ctx: LabContext): Promise<boolean> => {
  const r = (await vaultRead<{ data?: { audience?: string; bound_service_account_names?: string[] } }>(ctx, `/auth/kubernetes/role/${K8S.role}`))?.data;
  return r?.audience === K8S.audience && (r.bound_service_account_names ?? []).includes(K8S.sa);
};

/** The four Vault-side steps, shared with the vso topic (which runs them as setup). */
export const vaultSideSteps = (kind: 'setup' | 'task'): Step[] => [
  {
    id: 'enable',
    kind,
    title: msg('Kubernetes 인증 메서드 활성화', 'Enable the Kubernetes auth method'),
    task: msg('auth/kubernetes 에 Kubernetes 인증 메서드를 켜세요.', 'Enable the Kubernetes auth method at auth/kubernetes.'),
    commands: [enableCmd, { kind: 'vault', args: ['auth', 'list'] }],
    solve: async (ctx) => {
      if (!(await authEnabled(ctx))) await ctx.exec(enableCmd);
    },
    done: authEnabled,
    checks: ['auth-enabled'],
  },
  {
    id: 'config',
    kind,
    title: msg('API 서버 주소 설정', 'Point it at the API server'),
    task: msg(`kubernetes_host 를 클러스터 내부 주소 ${K8S.host} 로 설정하세요.`, `Set kubernetes_host to the in-cluster address ${K8S.host}.`),
    hint: msg('CA 와 리뷰어 토큰을 주지 않으면 Vault 는 자기 Pod 의 SA 토큰과 CA 를 씁니다.', 'Without a CA and reviewer JWT, Vault uses its own pod\'s SA token and CA.'),
    commands: [configCmd, { kind: 'vault', args: ['read', 'auth/kubernetes/config'] }],
    solve: async (ctx) => {
      await ctx.exec(configCmd);
    },
    done: configDone,
    checks: ['config-host'],
  },
  {
    id: 'policy',
    kind,
    title: msg(`${K8S.policy} 정책: ${K8S.secretApiPath} 읽기`, `Policy ${K8S.policy}: read ${K8S.secretApiPath}`),
    task: msg(`${K8S.secretApiPath} 에 read 만 허락하는 ${K8S.policy} 정책을 쓰세요.`, `Write policy ${K8S.policy} allowing only read on ${K8S.secretApiPath}.`),
    hint: msg('KV v2 의 API 경로에는 data/ 가 들어갑니다.', 'KV v2 API paths contain data/.'),
    commands: [policyCmd],
    done: policyDone,
    checks: ['policy-path'],
  },
  {
    id: 'role',
    kind,
    title: msg(`${K8S.role} role: SA, 네임스페이스, audience, 정책`, `Role ${K8S.role}: SA, namespace, audience, policy`),
    task: msg(
      `${K8S.namespace} 네임스페이스의 ${K8S.sa} SA 를 받아 ${K8S.policy} 정책을 주는 role 을 만드세요. audience 는 ${K8S.audience}, ttl 은 24h.`,
      `Create a role that accepts SA ${K8S.sa} in namespace ${K8S.namespace} and grants policy ${K8S.policy}; audience ${K8S.audience}, ttl 24h.`,
    ),
    hint: msg('학습 노트의 bound_service_account_names=vault, namespaces=default 조합은 클러스터에 없는 SA 입니다.', "The study note's names=vault, namespaces=default pair names an SA that does not exist."),
    commands: [roleCmd, { kind: 'vault', args: ['read', `auth/kubernetes/role/${K8S.role}`] }],
    done: roleDone,
    checks: ['role-bound', 'audience'],
  },
];

const loginCmd: Cmd = {
  kind: 'vault',
  args: ['write', 'auth/kubernetes/login', `role=${K8S.role}`, `jwt=$(kubectl --context $LAB_KUBE_CONTEXT create token ${K8S.sa} -n ${K8S.namespace} --audience ${K8S.audience})`],
  note: msg('TokenRequest 로 받은 짧은 수명의 JWT 를 role 과 함께 보냅니다.', 'Send a short-lived JWT from the TokenRequest API, with the role.'),
};

export const topic: TopicDef = {
  id: 'k8s-auth',
  title: msg('Kubernetes 인증: ServiceAccount 로 Vault 로그인', 'Kubernetes auth: log in to Vault with a ServiceAccount'),
  summary: msg(
    'Kubernetes 인증 메서드를 켜고 정책과 role 을 만든 뒤, 실제 SA 토큰(TokenRequest)으로 로그인해 secret/webapp/config 를 읽습니다.',
    'Enable the Kubernetes auth method, write a policy and a role, then log in with a real SA token (TokenRequest) and read secret/webapp/config.',
  ),
  platforms: ['kind'],
  needs: { vault: { nodes: 1, storage: 'file', tls: false } },
  steps: [
    setupStep('server', msg('kind 클러스터와 Vault (Helm) 준비', 'Prepare the kind cluster and Vault (Helm)')),
    vaultReadyStep('vault'),
    ...vaultSideSteps('task'),
    {
      id: 'login',
      kind: 'task',
      title: msg('SA 토큰으로 로그인', 'Log in with the SA token'),
      task: msg(
        `${K8S.sa} SA 의 토큰을 audience ${K8S.audience} 로 받아 auth/kubernetes/login 에 role=${K8S.role} 과 함께 보내세요.`,
        `Get a token for SA ${K8S.sa} with audience ${K8S.audience} and send it to auth/kubernetes/login with role=${K8S.role}.`,
      ),
      hint: msg('응답의 policies 에 webapp 이 있어야 합니다. 그 토큰으로 읽기는 되고 쓰기는 permission denied 여야 합니다.', 'The response lists policy webapp; that token can read the secret and must get permission denied on writes.'),
      commands: [loginCmd],
      solve: async (ctx) => {
        const { kubeFor } = await import('../checkers/k8s-auth.ts');
        const jwt = await (await kubeFor(ctx)).requestToken(K8S.namespace, K8S.sa, K8S.audience);
        // An empty VAULT_TOKEN: a login carries no token of its own.
        const r = await ctx.platform.vaultCli(['write', '-format=json', 'auth/kubernetes/login', `role=${K8S.role}`, `jwt=${jwt}`], { env: { VAULT_TOKEN: '' } });
        const token = (JSON.parse(r.stdout) as { auth?: { client_token?: string } }).auth?.client_token;
        if (token) await ctx.vault(0, token).write('/auth/token/revoke-self').catch(() => undefined);
      },
      checks: ['login', 'auth-delegator'],
    },
  ],
};
