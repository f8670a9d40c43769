/**
 * Syncing a Vault secret into a Kubernetes Secret. Where the lab runs the External Secrets Operator (platform.eso: a
 * process against the local kube-apiserver, or a Deployment in a cluster whose nodes cannot pull VSO's image): first
 * by hand, doing what an operator does (TokenRequest, Vault login, read, create the Secret), then with ESO. Where the
 * nodes can pull it (platform.vsoChart): the Vault Secrets Operator from its Helm chart, as the study note does.
 * VSO is not in the Go module proxy and its image in no registry this lab's machines reach.
 */
import type { Cmd, LabContext, Step, TopicDef } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { setupStep } from './common.ts';
import { kube, SECRET, tokenRequest, vaultReadyStep, vaultSideSteps } from './k8s-auth.ts';
import { K8S } from '../labs/k8s-auth/data.ts';
import { ESO, VSO } from '../labs/vso/data.ts';

export const authManifest = `apiVersion: ${VSO.group}/${VSO.version}
kind: VaultConnection
metadata:
  name: ${VSO.connection}
  namespace: ${VSO.appNamespace}
spec:
  address: ${VSO.vaultAddr}
---
apiVersion: ${VSO.group}/${VSO.version}
kind: VaultAuth
metadata:
  name: ${VSO.auth}
  namespace: ${VSO.appNamespace}
spec:
  vaultConnectionRef: ${VSO.connection}
  method: kubernetes
  mount: kubernetes
  kubernetes:
    role: ${K8S.role}
    serviceAccount: ${K8S.sa}
    audiences:
      - ${K8S.audience}
`;

export const staticSecretManifest = `apiVersion: ${VSO.group}/${VSO.version}
kind: VaultStaticSecret
metadata:
  name: ${VSO.staticSecret}
  namespace: ${VSO.appNamespace}
spec:
  vaultAuthRef: ${VSO.auth}
  type: kv-v2
  mount: secret
  path: webapp/config
  refreshAfter: 30s
  destination:
    name: ${VSO.destination}
    create: true
`;

const helm = (args: string[]): Cmd => ({ kind: 'exec', file: 'helm', args: ['--kube-context', '$LAB_KUBE_CONTEXT', ...args] });

const installCmds: Cmd[] = [
  { kind: 'exec', file: 'helm', args: ['repo', 'add', 'hashicorp', 'https://helm.releases.hashicorp.com', '--force-update'] },
  helm(['upgrade', '--install', VSO.release, 'hashicorp/vault-secrets-operator', '-n', VSO.namespace, '--create-namespace', '--version', VSO.chartVersion, '--wait', '--timeout', '4m']),
  kube(['get', 'crd', '-o', 'name'], undefined, msg('secrets.hashicorp.com 그룹의 CRD가 보여야 합니다.', 'CRDs of the secrets.hashicorp.com group should be listed.')),
];

// ---- by hand, then the External Secrets Operator ------------------------------------------------------------

/**
 * `$ESO_VAULT_ADDR` (Vault as the operator dials it: $VAULT_ADDR for a process on this host, the release's Service for
 * a pod) is filled in by the learner's shell (an unquoted heredoc) and by the lab alike.
 */
export const secretStoreManifest = `apiVersion: ${ESO.group}/${ESO.version}
kind: SecretStore
metadata:
  name: ${ESO.store}
  namespace: ${VSO.appNamespace}
spec:
  provider:
    vault:
      server: $ESO_VAULT_ADDR
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: ${K8S.role}
          serviceAccountRef:
            name: ${K8S.sa}
            audiences:
              - ${K8S.audience}
`;

export const externalSecretManifest = `apiVersion: ${ESO.group}/${ESO.version}
kind: ExternalSecret
metadata:
  name: ${ESO.externalSecret}
  namespace: ${VSO.appNamespace}
spec:
  refreshInterval: ${ESO.refreshInterval}
  secretStoreRef:
    kind: SecretStore
    name: ${ESO.store}
  target:
    name: ${VSO.destination}
    creationPolicy: Owner
  dataFrom:
    - extract:
        key: ${SECRET.path}
`;

const NEW_PASSWORD = 'rotated-password-2';

/** The manual copy exists: `kubectl create secret` would answer AlreadyExists (the step is done). */
const manualExists = async (ctx: LabContext) => (await secretData(ctx, ESO.manual)) !== undefined;

const byHandCmds: Cmd[] = [
  { ...tokenRequest(K8S.sa, K8S.namespace, K8S.audience), capture: 'JWT', note: msg('1. TokenRequest: VaultAuth/SecretStore의 serviceAccount와 audiences로 토큰을 받습니다.', '1. TokenRequest: a token for the serviceAccount and audiences of the VaultAuth/SecretStore.') },
  {
    kind: 'vault',
    args: ['write', '-field=token', 'auth/kubernetes/login', `role=${K8S.role}`, 'jwt=-'],
    pipeFrom: 'printf %s "$JWT"',
    capture: 'APP_TOKEN',
    note: msg('2. 그 토큰으로 Vault에 kubernetes 로그인합니다 (jwt=-: JWT는 stdin으로, 명령줄 인자에 남지 않게).', '2. A kubernetes login to Vault with it (jwt=-: the JWT on stdin, never in an argv).'),
  },
  {
    kind: 'vault',
    args: ['kv', 'get', '-format=json', `secret/${SECRET.path}`],
    tokenVar: 'APP_TOKEN',
    capture: 'SECRET_JSON',
    note: msg('3. 앱의 토큰으로 시크릿을 읽어 셸 변수 SECRET_JSON에 둡니다 (VAULT_TOKEN은 이 명령에만).', "3. Read the secret with the app's token into the shell variable SECRET_JSON (VAULT_TOKEN for this command only)."),
  },
  {
    ...kube(['create', '-f', '-']),
    // The values go from the variable through jq into kubectl on a pipe, never in an argv (`--from-literal=password=…`
    // would be); `create`, not `apply`: apply would keep the values again in its last-applied annotation. The read
    // above runs wherever the platform runs vault (in the Vault pod on a cluster): this line needs no vault of its own.
    pipeFrom: `printf %s "$SECRET_JSON" | jq '{apiVersion: "v1", kind: "Secret", metadata: {name: "${ESO.manual}", namespace: "${VSO.appNamespace}"}, stringData: .data.data}'`,
    unless: manualExists,
    note: msg('4. 읽은 값으로 Kubernetes Secret을 만듭니다. 값은 파이프로만 흐르고 명령줄 인자에 남지 않습니다.', '4. Create the Kubernetes Secret from the values read: they flow through the pipe only, never in an argv.'),
  },
];

const driftCmds: Cmd[] = [
  { kind: 'vault', args: ['kv', 'put', `secret/${SECRET.path}`, `username=${SECRET.username}`, `password=${NEW_PASSWORD}`] },
  kube(['wait', `--for=jsonpath={.data.password}=${Buffer.from(NEW_PASSWORD).toString('base64')}`, `secret/${VSO.destination}`, '-n', VSO.appNamespace, '--timeout=60s'], undefined, msg(`refreshInterval(${ESO.refreshInterval}) 안에 새 값이 도착합니다 (base64로 비교).`, `The new value arrives within refreshInterval (${ESO.refreshInterval}); compared in base64.`)),
  kube(['get', 'secret', ESO.manual, '-n', VSO.appNamespace, '-o', 'jsonpath={.data.password}'], undefined, msg('손으로 만든 사본은 옛 값 그대로입니다.', 'The by-hand copy keeps the old value.')),
  kube(['delete', 'secret', VSO.destination, '-n', VSO.appNamespace]),
  kube(['wait', '--for=create', `secret/${VSO.destination}`, '-n', VSO.appNamespace, '--timeout=60s'], undefined, msg('ESO가 곧바로 다시 만듭니다.', 'ESO makes it again at once.')),
];

const esoSteps: Step[] = [
  {
    id: 'by-hand',
    kind: 'task',
    requires: ['eso'],
    title: msg('오퍼레이터가 하는 일을 손으로', 'What the operator does, by hand'),
    task: msg(
      `${K8S.sa} SA의 토큰(audience ${K8S.audience})으로 Vault에 로그인해 secret/${SECRET.path}를 읽고, 그 값으로 Secret ${ESO.manual}를 만드세요.`,
      `Log in to Vault with a token of SA ${K8S.sa} (audience ${K8S.audience}), read secret/${SECRET.path}, and create Secret ${ESO.manual} from it.`,
    ),
    hint: msg('APP_TOKEN의 정책은 webapp 뿐이라 읽기만 됩니다.', 'APP_TOKEN carries only the webapp policy: it can read, nothing else.'),
    commands: byHandCmds,
    done: manualExists,
    checks: ['manual-secret'],
  },
  {
    id: 'secret-store',
    kind: 'task',
    requires: ['eso'],
    title: msg('SecretStore: Vault 주소와 kubernetes 인증', 'SecretStore: the Vault address and kubernetes auth'),
    task: msg(
      `Vault 주소, mount secret(KV v2), role ${K8S.role}, serviceAccountRef ${K8S.sa}과 audiences [${K8S.audience}]를 SecretStore ${ESO.store}에 적으세요.`,
      `Declare the Vault address, mount secret (KV v2), role ${K8S.role}, serviceAccountRef ${K8S.sa} with audiences [${K8S.audience}] in SecretStore ${ESO.store}.`,
    ),
    hint: msg('VSO의 VaultConnection과 VaultAuth를 합친 것이 ESO의 SecretStore입니다.', "ESO's SecretStore is VSO's VaultConnection and VaultAuth in one."),
    commands: [
      kube(['apply', '-f', '-'], secretStoreManifest),
      kube(['wait', '--for=condition=Ready', `secretstore/${ESO.store}`, '-n', VSO.appNamespace, '--timeout=60s'], undefined, msg('ESO가 Vault에 로그인해 보고 Ready로 표시할 때까지 기다립니다.', 'Wait until ESO has logged in to Vault and marks the store Ready.')),
      kube(['get', 'secretstore', ESO.store, '-n', VSO.appNamespace]),
    ],
    done: async (ctx) => esoReady(ctx, 'secretstores', ESO.store),
    checks: ['vault-side', 'store-ready', 'operator-ready'],
  },
  {
    id: 'external-secret',
    kind: 'task',
    requires: ['eso'],
    title: msg('ExternalSecret으로 동기화', 'Sync with an ExternalSecret'),
    task: msg(`secret/${SECRET.path}를 ${ESO.refreshInterval}마다 Secret ${VSO.appNamespace}/${VSO.destination}로 동기화하는 ExternalSecret을 만드세요.`, `Create an ExternalSecret that syncs secret/${SECRET.path} into Secret ${VSO.appNamespace}/${VSO.destination} every ${ESO.refreshInterval}.`),
    hint: msg('key에 data/를 쓰지 않습니다: SecretStore의 version: v2가 알려 줍니다.', "No data/ in key: the SecretStore's version: v2 says it."),
    commands: [
      kube(['apply', '-f', '-'], externalSecretManifest),
      kube(['wait', '--for=condition=Ready', `externalsecret/${ESO.externalSecret}`, '-n', VSO.appNamespace, '--timeout=60s']),
      kube(['get', 'secret', VSO.destination, '-n', VSO.appNamespace, '-o', 'jsonpath={.data}']),
    ],
    done: async (ctx) => (await secretData(ctx, VSO.destination))?.username !== undefined,
    checks: ['external-secret-ready', 'secret-synced'],
  },
  {
    id: 'drift',
    kind: 'task',
    requires: ['eso'],
    title: msg('Vault가 바뀌면, Secret이 지워지면', 'When Vault changes, when the Secret is deleted'),
    task: msg(
      `Vault에서 비밀번호를 바꾸고 ${ESO.refreshInterval} 안에 Secret에 도착하는지, Secret을 지우면 다시 만들어지는지 보세요.`,
      `Change the password in Vault and watch it reach the Secret within ${ESO.refreshInterval}; delete the Secret and watch it come back.`,
    ),
    hint: msg('손으로 만든 사본은 어느 쪽도 하지 않습니다: 오퍼레이터가 하는 일이 바로 이 두 가지입니다.', 'The by-hand copy does neither: these two are what the operator is for.'),
    commands: driftCmds,
    checks: ['vault-change-synced', 'secret-recreated'],
  },
];

const kubeApiOf = async (ctx: LabContext) => (await import('../src/platforms/kube-api.ts')).kubeApiFor(ctx);

// Live reads for the steps' done/wait predicates (the checks judge the same objects in checkers/vso.ts).
const kubeApiModule = () => import('../src/platforms/kube-api.ts');
async function secretData(ctx: LabContext, name: string): Promise<Record<string, string> | undefined> {
  return (await (await kubeApiOf(ctx)).secret(VSO.appNamespace, name).catch(() => undefined))?.data;
}
async function esoReady(ctx: LabContext, plural: 'secretstores' | 'externalsecrets', name: string): Promise<boolean> {
  const obj = await (await kubeApiOf(ctx)).customObject(ESO.group, ESO.version, VSO.appNamespace, plural, name).catch(() => undefined);
  return (await kubeApiModule()).conditionsOf(obj).some((c) => c.type === 'Ready' && c.status === 'True');
}
async function vsoReady(ctx: LabContext): Promise<boolean> {
  return ((await (await kubeApiOf(ctx)).deployment(VSO.namespace, VSO.deployment).catch(() => undefined))?.ready ?? 0) > 0;
}
async function vaultAuthRole(ctx: LabContext): Promise<string | undefined> {
  const va = await (await kubeApiOf(ctx)).customObject(VSO.group, VSO.version, VSO.appNamespace, 'vaultauths', VSO.auth).catch(() => undefined);
  const role = ((va?.spec as { kubernetes?: { role?: unknown } } | undefined)?.kubernetes)?.role;
  return typeof role === 'string' ? role : undefined;
}

export const topic: TopicDef = {
  id: 'vso',
  title: msg('시크릿 오퍼레이터: Vault 시크릿을 Kubernetes Secret으로', 'Secrets operators: Vault secrets as Kubernetes Secrets'),
  summary: msg(
    '오퍼레이터가 하는 일(TokenRequest, Vault 로그인, 읽기, Secret 생성)을 손으로 해 본 뒤, 오퍼레이터에게 맡깁니다: 랩이 띄우는 External Secrets Operator(SecretStore, ExternalSecret), 또는 레지스트리에 닿는 클러스터라면 VSO(VaultConnection, VaultAuth, VaultStaticSecret).',
    'Do by hand what an operator does (TokenRequest, Vault login, read, create the Secret), then hand it to one: the External Secrets Operator the lab runs (SecretStore, ExternalSecret), or on a cluster with registry access VSO (VaultConnection, VaultAuth, VaultStaticSecret).',
  ),
  platforms: ['local', 'kind'],
  needs: { vault: { nodes: 1, storage: 'file', tls: false }, kube: true, eso: true },
  // Both operators' objects and the learner's copies: gone with `lab down`/`lab reset` (issue 19, defect 8).
  leaves: {
    objects: [
      { resource: `externalsecrets.${ESO.group}`, namespace: VSO.appNamespace, names: [ESO.externalSecret] },
      { resource: `secretstores.${ESO.group}`, namespace: VSO.appNamespace, names: [ESO.store] },
      { resource: `vaultstaticsecrets.${VSO.group}`, namespace: VSO.appNamespace, names: [VSO.staticSecret] },
      { resource: `vaultauths.${VSO.group}`, namespace: VSO.appNamespace, names: [VSO.auth] },
      { resource: `vaultconnections.${VSO.group}`, namespace: VSO.appNamespace, names: [VSO.connection] },
      { resource: 'secrets', namespace: VSO.appNamespace, names: [VSO.destination, ESO.manual] },
    ],
    helm: [{ release: VSO.release, namespace: VSO.namespace }],
  },
  steps: [
    setupStep('server', msg('Vault, Kubernetes API, 오퍼레이터 준비 (kube-apiserver + etcd 또는 클러스터, ESO는 랩이 띄움)', 'Prepare Vault, a Kubernetes API and the operator (kube-apiserver + etcd or a cluster; the lab runs ESO)')),
    vaultReadyStep('vault'),
    // The k8s-auth topic's Vault side, prepared: this topic is about the operator.
    ...vaultSideSteps('setup').map(({ checks: _checks, ...s }) => ({ ...s, id: `k8s-auth-${s.id}` })),
    ...esoSteps,
    {
      id: 'install',
      kind: 'task',
      platforms: ['kind'],
      requires: ['vsoChart'],
      title: msg('VSO 설치 (Helm)', 'Install VSO (Helm)'),
      task: msg(`vault-secrets-operator 차트 ${VSO.chartVersion}을 ${VSO.namespace} 네임스페이스에 설치하세요.`, `Install the vault-secrets-operator chart ${VSO.chartVersion} into namespace ${VSO.namespace}.`),
      commands: installCmds,
      done: async (ctx) => vsoReady(ctx),
      checks: ['operator-ready'],
    },
    {
      id: 'auth',
      kind: 'task',
      platforms: ['kind'],
      requires: ['vsoChart'],
      title: msg('VaultConnection과 VaultAuth', 'VaultConnection and VaultAuth'),
      task: msg(
        `Vault 주소(${VSO.vaultAddr})를 VaultConnection에, role ${K8S.role}과 SA ${K8S.sa}, audience ${K8S.audience}를 VaultAuth에 적으세요.`,
        `Declare the Vault address (${VSO.vaultAddr}) in a VaultConnection, and role ${K8S.role}, SA ${K8S.sa}, audience ${K8S.audience} in a VaultAuth.`,
      ),
      // VSO validates a VaultAuth only when something uses it: the step makes its spec, which `apply` has stored on return.
      commands: [kube(['apply', '-f', '-'], authManifest)],
      done: async (ctx) => (await vaultAuthRole(ctx)) === K8S.role,
      checks: ['vault-side', 'vault-auth'],
    },
    {
      id: 'static-secret',
      kind: 'task',
      platforms: ['kind'],
      requires: ['vsoChart'],
      title: msg('VaultStaticSecret으로 동기화', 'Sync with a VaultStaticSecret'),
      task: msg(`secret/webapp/config를 ${VSO.appNamespace}/${VSO.destination} Secret으로 동기화하세요.`, `Sync secret/webapp/config into Secret ${VSO.appNamespace}/${VSO.destination}.`),
      hint: msg('path에 data/를 쓰지 않습니다: mount와 type: kv-v2가 알려 줍니다.', 'No data/ in path: mount and type: kv-v2 say it.'),
      commands: [
        kube(['apply', '-f', '-'], staticSecretManifest),
        kube(['wait', '--for=create', `secret/${VSO.destination}`, '-n', VSO.appNamespace, '--timeout=120s'], undefined, msg('VSO가 첫 동기화로 Secret을 만들 때까지 기다립니다 (바로 get 하면 NotFound).', 'Wait for VSO to create the Secret on its first sync (a get right away is NotFound).')),
        kube(['get', 'secret', VSO.destination, '-n', VSO.appNamespace, '-o', 'jsonpath={.data}']),
      ],
      done: async (ctx) => (await secretData(ctx, VSO.destination))?.username !== undefined,
      checks: ['secret-synced', 'static-secret-synced', 'vault-auth'],
    },
  ],
};
