import type { TopicDef } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { health, initCmd, initDone, mountType, rootTokenCmd, setupStep, unsealCmds, unsealKeyVars } from './common.ts';

const secretPath = 'secret/webapp/config';

export const topic: TopicDef = {
  id: 'vault-k8s',
  title: msg('Vault 설치와 초기화 (standalone)', 'Vault standalone: install, init, unseal, KV v2'),
  summary: msg(
    '파일 스토리지를 쓰는 Vault 한 대를 초기화하고 unseal 한 뒤, KV v2에 시크릿을 넣고 CLI와 curl로 읽습니다.',
    'Initialise and unseal a single Vault on file storage, then write a KV v2 secret and read it with the CLI and curl.',
  ),
  platforms: ['local', 'kind'],
  needs: { vault: { nodes: 1, storage: 'file', tls: false } },
  steps: [
    setupStep('server', msg('Vault 서버 시작 (sealed, 초기화 전)', 'Start Vault (sealed, not initialised)')),
    {
      id: 'init',
      kind: 'task',
      title: msg('초기화: 키 1개, 임계값 1', 'Initialise with 1 key share, threshold 1'),
      task: msg(
        'Vault를 키 조각 1개, 임계값 1로 초기화하고 결과(JSON)를 $LAB_DIR/cluster-keys.json에 저장하세요.',
        'Initialise Vault with one key share and threshold 1 and save the JSON output to $LAB_DIR/cluster-keys.json.',
      ),
      hint: msg('초기화는 클러스터마다 한 번뿐입니다. 출력에는 unseal 키와 root 토큰이 있으니 파일 권한을 0600으로 두세요.', 'Init happens once per cluster; its output holds the unseal key and root token: keep the file 0600.'),
      commands: [initCmd(1, 1)],
      done: initDone,
      checks: ['initialized'],
    },
    {
      id: 'unseal',
      kind: 'task',
      title: msg('Unseal', 'Unseal'),
      task: msg('cluster-keys.json의 unseal 키로 Vault의 봉인을 푸세요.', 'Unseal Vault with the key from cluster-keys.json.'),
      hint: msg("'vault status'의 Sealed가 false가 되면 성공입니다.", "Done when 'vault status' shows Sealed false."),
      commands: [...unsealKeyVars(1), ...unsealCmds(1)],
      done: async (ctx) => (await health(ctx))?.sealed === false,
      checks: ['unsealed'],
    },
    {
      id: 'kv',
      kind: 'task',
      title: msg('KV v2 엔진을 secret/ 에 활성화', 'Enable KV v2 at secret/'),
      task: msg('root 토큰으로 로그인한 뒤 secret/ 경로에 KV 버전 2 엔진을 켜세요.', 'Log in with the root token, then enable the KV version 2 engine at secret/.'),
      hint: msg("'kv'만 쓰면 버전 1이 됩니다. 'kv-v2'로 켜세요.", "Plain 'kv' gives version 1; use 'kv-v2'."),
      commands: [rootTokenCmd, { kind: 'vault', args: ['secrets', 'enable', '-path=secret', 'kv-v2'] }, { kind: 'vault', args: ['secrets', 'list'] }],
      done: async (ctx) => (await mountType(ctx, 'secret'))?.version === '2',
      checks: ['kv-v2'],
    },
    {
      id: 'secret',
      kind: 'task',
      title: msg('secret/webapp/config에 시크릿 저장', 'Write secret/webapp/config'),
      task: msg('secret/webapp/config에 username=static-user, password=static-password를 저장하세요.', 'Write username=static-user and password=static-password to secret/webapp/config.'),
      commands: [{ kind: 'vault', args: ['kv', 'put', secretPath, 'username=static-user', 'password=static-password'] }],
      done: async (ctx) => {
        const a = await ctx.activeVault();
        const s = await a?.client.kvGet('secret', 'webapp/config');
        return Boolean(s?.data.username && s.data.password);
      },
      checks: ['secret'],
    },
    {
      id: 'read',
      kind: 'task',
      title: msg('CLI와 curl로 읽기', 'Read it with the CLI and curl'),
      task: msg('vault kv get과, X-Vault-Token 헤더를 단 curl로 같은 시크릿을 읽어 보세요. API 경로에는 data/ 가 들어갑니다.', 'Read the secret with vault kv get and with curl plus the X-Vault-Token header. The API path contains data/.'),
      commands: [
        { kind: 'vault', args: ['kv', 'get', secretPath] },
        { kind: 'exec', file: 'curl', args: ['-sf', '--header', '@-', '$VAULT_ADDR/v1/secret/data/webapp/config'], stdinLine: 'X-Vault-Token: $VAULT_TOKEN', note: msg('토큰은 -H @-로 stdin에서 읽습니다: 명령줄 인자는 같은 머신의 누구나 ps로 봅니다.', 'The token header is read from stdin (-H @-): anyone on the machine can read argv with ps.') },
      ],
      checks: ['secret', 'ui'],
    },
  ],
};
