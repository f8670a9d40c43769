import type { Checker, LabContext } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { dropRetry, httpGet } from '../src/vault/http.ts';
import { gatherVaultBasics, vaultLine, type VaultBasics } from './common.ts';

export interface State extends VaultBasics {
  secret?: Record<string, unknown> | undefined;
  uiStatus?: number | undefined;
}

export async function gather(ctx: LabContext): Promise<State> {
  const basics = await gatherVaultBasics(ctx, ['secret']);
  const s: State = { ...basics };
  const node = ctx.platform.vaultNodes()[0]!;
  if (basics.nodes[0]?.reachable) {
    s.uiStatus = await httpGet(`${node.addr}/ui/`, { caFile: node.caFile, ...dropRetry(node) }).then((r) => r.status, () => undefined);
  }
  if (basics.active !== undefined && basics.tokenValid) {
    s.secret = (await ctx.vault(basics.active).kvGet('secret', 'webapp/config').catch(() => undefined))?.data;
  }
  return s;
}

const reach = (s: State) =>
  !s.nodes[0]?.reachable
    ? fail(msg('Vault 서버에 연결할 수 없습니다.', 'Vault is not reachable.'), msg("'npx lab run vault-k8s'로 서버를 다시 띄우세요 (데이터는 유지됩니다).", "Bring it back with 'npx lab run vault-k8s' (data is kept)."))
    : undefined;

export const checks: Checker<State>['checks'] = [
  {
    id: 'initialized',
    title: msg('Vault가 초기화됨', 'Vault is initialised'),
    hint: msg('init 출력을 파일로 남기지 않으면 unseal 키와 root 토큰을 다시 얻을 수 없습니다.', 'Without the init output saved, the unseal key and root token are gone for good.'),
    judge: (s) =>
      reach(s) ??
      (s.nodes[0]!.initialized
        ? s.keysFile
          ? pass()
          : fail(msg('초기화되었지만 $LAB_DIR/cluster-keys.json이 없습니다.', 'initialised, but $LAB_DIR/cluster-keys.json is missing.'), msg('init 출력(JSON)을 그 파일에 저장해야 랩이 확인할 수 있습니다.', 'Save the init JSON output to that file so the lab can check.'))
        : fail(msg('아직 초기화되지 않았습니다.', 'not initialised yet.'), undefined, [{ kind: 'vault', args: ['operator', 'init', '-key-shares=1', '-key-threshold=1', '-format=json'], stdout: '$LAB_DIR/cluster-keys.json', keep: true }])),
  },
  {
    id: 'unsealed',
    title: msg('Vault 봉인 해제됨', 'Vault is unsealed'),
    hint: msg('서버를 재시작할 때마다 다시 sealed가 됩니다: 재시작 뒤에는 봉인 해제부터.', 'Every restart seals Vault again: unseal after each restart.'),
    judge: (s) =>
      reach(s) ??
      (s.nodes[0]!.sealed
        ? fail(msg('Vault가 sealed 상태입니다.', 'Vault is sealed.'), undefined, [
            { kind: 'set', name: 'VAULT_UNSEAL_KEY', file: '$LAB_DIR/cluster-keys.json', jq: '.unseal_keys_b64[0]' },
            { kind: 'vault', args: ['write', 'sys/unseal', 'key=-'], stdinVar: 'VAULT_UNSEAL_KEY' },
          ])
        : pass()),
  },
  {
    id: 'kv-v2',
    title: msg('secret/ 에 KV v2', 'KV v2 mounted at secret/'),
    hint: msg("'vault secrets enable -path=secret kv'는 버전 1을 켭니다. 버전 관리가 되는 kv-v2여야 합니다.", "'vault secrets enable -path=secret kv' gives version 1; it must be kv-v2."),
    judge: (s) => {
      const m = s.mounts?.secret;
      if (!s.mounts) return fail(msg('마운트 목록을 읽을 수 없습니다 (sealed 이거나 토큰 없음).', 'cannot list mounts (sealed or no token).'), msg('먼저 봉인을 풀고 root 토큰을 준비하세요.', 'Unseal first and have the root token ready.'));
      if (!m) return fail(msg('secret/ 에 엔진이 없습니다.', 'nothing is mounted at secret/.'), undefined, [vaultLine('secrets', 'enable', '-path=secret', 'kv-v2')]);
      if (m.type !== 'kv' || m.version !== '2')
        return fail(
          msg(`secret/ 의 엔진이 KV v2가 아닙니다 (${m.type} v${m.version ?? '1'}).`, `secret/ is not KV v2 (${m.type} v${m.version ?? '1'}).`),
          msg('버전 2로 올리세요 (또는 비우고 kv-v2로 다시 켜기):', 'Upgrade it to version 2 (or disable it and enable kv-v2 again):'),
          [vaultLine('kv', 'enable-versioning', 'secret/')],
        );
      return pass();
    },
  },
  {
    id: 'secret',
    title: msg('secret/webapp/config에 username, password', 'secret/webapp/config has username and password'),
    hint: msg('kv put을 키 하나씩 두 번 하면 두 번째가 첫 번째를 덮어씁니다.', 'Two kv puts with one key each: the second replaces the first.'),
    judge: (s) => {
      if (!s.secret) return fail(msg('secret/webapp/config를 읽을 수 없습니다.', 'secret/webapp/config cannot be read.'), undefined, [vaultLine('kv', 'put', 'secret/webapp/config', 'username=static-user', 'password=static-password')]);
      const missing = ['username', 'password'].filter((k) => !s.secret?.[k]);
      return missing.length
        ? fail(msg(`키가 빠졌습니다: ${missing.join(', ')}`, `missing keys: ${missing.join(', ')}`), msg('kv put은 시크릿 전체를 새 버전으로 바꿉니다: 두 키를 한 번에 넣으세요.', 'kv put replaces the whole secret with a new version: write both keys at once.'))
        : pass();
    },
  },
  {
    id: 'ui',
    title: msg('웹 UI가 켜짐', 'The web UI is on'),
    hint: msg('설정에 ui = true가 없으면 /ui가 404입니다.', 'Without ui = true in the config /ui answers 404.'),
    judge: (s) =>
      reach(s) ?? (s.uiStatus === 200 ? pass() : fail(msg(`/ui/ 가 ${s.uiStatus ?? '응답 없음'}을 돌려줍니다.`, `/ui/ answers ${s.uiStatus ?? 'nothing'}.`), msg('서버 설정에 ui = true가 있어야 합니다.', 'The server config needs ui = true.'))),
  },
];

export const checker = defineChecker<State>({ gather, checks });
