/** Vault Secrets Operator on the kind platform: install, connect and authenticate, sync a static secret. */
import type { Cmd, LabContext, TopicDef } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { setupStep, waitUntil } from './common.ts';
import { kube, vaultReadyStep, vaultSideSteps } from './k8s-auth.ts';
import { K8S } from '../checkers/k8s-auth.ts';
import { VSO } from '../checkers/vso.ts';

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
  helm(['upgrade', '--install', VSO.release, 'hashicorp/vault-secrets-operator', '-n', VSO.namespace, '--create-namespace', '--version', VSO.chartVersion, '--wait']),
  kube(['get', 'crd', '-o', 'name'], undefined, msg('secrets.hashicorp.com 그룹의 CRD 가 보여야 합니다.', 'CRDs of the secrets.hashicorp.com group should be listed.')),
];

async function state(ctx: LabContext) {
  const { gather } = await import('../checkers/vso.ts');
  return gather(ctx);
}

export const topic: TopicDef = {
  id: 'vso',
  title: msg('Vault Secrets Operator: Vault 시크릿을 Kubernetes Secret 으로', 'Vault Secrets Operator: Vault secrets as Kubernetes Secrets'),
  summary: msg(
    'VSO 를 Helm 으로 설치하고 VaultConnection, VaultAuth, VaultStaticSecret 으로 secret/webapp/config 를 Kubernetes Secret 에 동기화합니다.',
    'Install VSO with Helm and sync secret/webapp/config into a Kubernetes Secret with VaultConnection, VaultAuth and VaultStaticSecret.',
  ),
  platforms: ['kind'],
  needs: { vault: { nodes: 1, storage: 'file', tls: false } },
  steps: [
    setupStep('server', msg('kind 클러스터와 Vault (Helm) 준비', 'Prepare the kind cluster and Vault (Helm)')),
    vaultReadyStep('vault'),
    // The k8s-auth topic's Vault side, prepared: this topic is about the operator.
    ...vaultSideSteps('setup').map(({ checks: _checks, ...s }) => ({ ...s, id: `k8s-auth-${s.id}` })),
    {
      id: 'install',
      kind: 'task',
      title: msg('VSO 설치 (Helm)', 'Install VSO (Helm)'),
      task: msg(`vault-secrets-operator 차트 ${VSO.chartVersion} 을 ${VSO.namespace} 네임스페이스에 설치하세요.`, `Install the vault-secrets-operator chart ${VSO.chartVersion} into namespace ${VSO.namespace}.`),
      commands: installCmds,
      done: async (ctx) => ((await state(ctx)).operator?.ready ?? 0) > 0,
      checks: ['operator-ready'],
    },
    {
      id: 'auth',
      kind: 'task',
      title: msg('VaultConnection 과 VaultAuth', 'VaultConnection and VaultAuth'),
      task: msg(
        `Vault 주소(${VSO.vaultAddr})를 VaultConnection 에, role ${K8S.role} 과 SA ${K8S.sa}, audience ${K8S.audience} 를 VaultAuth 에 적으세요.`,
        `Declare the Vault address (${VSO.vaultAddr}) in a VaultConnection, and role ${K8S.role}, SA ${K8S.sa}, audience ${K8S.audience} in a VaultAuth.`,
      ),
      commands: [kube(['apply', '-f', '-'], authManifest)],
      solve: async (ctx) => {
        await ctx.exec(kube(['apply', '-f', '-'], authManifest));
        // VSO validates a VaultAuth when something uses it; its spec is what this step makes.
        await waitUntil('VaultAuth', async () => (await state(ctx)).vaultAuth !== undefined, 30_000, 1000);
      },
      done: async (ctx) => (await state(ctx)).vaultAuth?.role === K8S.role,
      checks: ['vault-auth'],
    },
    {
      id: 'static-secret',
      kind: 'task',
      title: msg('VaultStaticSecret 으로 동기화', 'Sync with a VaultStaticSecret'),
      task: msg(`secret/webapp/config 를 ${VSO.appNamespace}/${VSO.destination} Secret 으로 동기화하세요.`, `Sync secret/webapp/config into Secret ${VSO.appNamespace}/${VSO.destination}.`),
      hint: msg('path 에 data/ 를 쓰지 않습니다: mount 와 type: kv-v2 가 알려 줍니다.', 'No data/ in path: mount and type: kv-v2 say it.'),
      commands: [kube(['apply', '-f', '-'], staticSecretManifest), kube(['get', 'secret', VSO.destination, '-n', VSO.appNamespace, '-o', 'jsonpath={.data}'])],
      solve: async (ctx) => {
        await ctx.exec(kube(['apply', '-f', '-'], staticSecretManifest));
        await waitUntil(`Secret ${VSO.destination}`, async () => (await state(ctx)).synced?.username !== undefined, 120_000, 2000);
      },
      done: async (ctx) => (await state(ctx)).synced?.username !== undefined,
      checks: ['secret-synced', 'vault-auth'],
    },
  ],
};
