import type { Cmd, LabContext, Step, TopicDef } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { health, initCmd, unsealCmds, unsealKeyVars } from './common.ts';
import { LDAP, userDnOf } from '../src/services/ldap/directory.ts';
import { VaultApiError } from '../src/vault/client.ts';

export { POLICIES, GROUP_POLICY, USER_POLICY, ADMIN_ONLY_PATH } from '../labs/ldap/data.ts';
import { GROUP_POLICY, POLICIES, USER_POLICY } from '../labs/ldap/data.ts';

const bindFile = `$LAB_DIR/${LDAP.files.bind}`;

export const configCmd: Cmd = {
  kind: 'vault',
  args: [
    'write',
    'auth/ldap/config',
    'url=$LDAP_URL',
    `userdn=${LDAP.userDn}`,
    `groupdn=${LDAP.groupDn}`,
    `binddn=${LDAP.bindDn}`,
    `bindpass=@${bindFile}`,
    'userattr=uid',
    'groupattr=cn',
    `groupfilter=${LDAP.groupFilter}`,
  ],
  note: msg(
    'bindpass=@파일: 비밀번호를 명령줄에 쓰지 않고 0600 파일에서 읽습니다 (화면에도 ps에도 안 보임). kind에서는 Pod 안에 그 파일이 없어서 bindpass=-로 바꾸고 파일을 표준 입력으로 넘깁니다.',
    'bindpass=@file: the password is read from its 0600 file, never typed on a command line (not on screen, not in ps). On kind the pod has no such file: bindpass=- reads it from standard input instead.',
  ),
};

/** Five failed logins lock a user out for 15 minutes by default: too long while learning by trial. */
const lockoutCmd: Cmd = {
  kind: 'vault',
  args: ['auth', 'tune', '-user-lockout-duration=1m', '-user-lockout-counter-reset-duration=1m', 'ldap/'],
  note: msg('실습용: 로그인 5번 실패 시 잠금 시간을 15분에서 1분으로 줄입니다 (운영에서는 기본값 유지).', 'For the lab: after 5 failed logins, lock for 1 minute instead of 15 (keep the default in production).'),
};

const directoryCmd: Cmd = {
  kind: 'exec',
  file: 'ldapsearch',
  args: ['-x', '-LLL', '-H', '$LDAP_URL', '-D', '$LDAP_BIND_DN', '-y', bindFile, '-b', LDAP.groupDn, `(&(objectClass=groupOfNames)(member=${userDnOf('alice')}))`, 'cn'],
  note: msg('-y 파일: bind 비밀번호를 프롬프트(-W) 대신 0600 파일에서 읽습니다.', '-y file: the bind password comes from its 0600 file instead of a prompt (-W).'),
};

export const loginCmds = (user: string): Cmd[] => [
  { kind: 'set', name: 'VAULT_LDAP_PASSWORD', file: `$LAB_DIR/${LDAP.files[user]}`, jq: '.', export: true, note: msg(`${user}의 비밀번호를 환경 변수로 (vault가 VAULT_LDAP_PASSWORD를 읽음)`, `${user}'s password into the variable vault login reads (VAULT_LDAP_PASSWORD)`) },
  {
    kind: 'vault',
    args: ['login', '-no-store', '-method=ldap', '-format=json', `username=${user}`],
    env: ['VAULT_LDAP_PASSWORD'],
    stdout: `$LAB_DIR/ldap/${user}-login.json`,
    note: msg('-no-store: 셸의 root 토큰(VAULT_TOKEN)을 건드리지 않고 새 토큰을 파일에 받습니다.', '-no-store: keep your shell\'s root VAULT_TOKEN; the new token goes to a file.'),
  },
  { kind: 'exec', file: 'unset', args: ['VAULT_LDAP_PASSWORD'], note: msg('로그인이 끝났으니 비밀번호를 셸에서 지웁니다 (export한 변수는 이후 모든 명령에 넘어갑니다).', 'The login is done: drop the password from the shell (an exported variable reaches every later command).') },
  { kind: 'set', name: `${user.toUpperCase()}_TOKEN`, file: `$LAB_DIR/ldap/${user}-login.json`, jq: '.auth.client_token' },
  // The token as this command's VAULT_TOKEN, not an argument: argv is readable by every local user.
  { kind: 'vault', args: ['token', 'lookup'], tokenVar: `${user.toUpperCase()}_TOKEN` },
];

async function authType(ctx: LabContext, mount: string): Promise<string | undefined> {
  return (await ctx.vault().auths())[`${mount}/`]?.type;
}

async function readPolicies(ctx: LabContext, path: string): Promise<string[] | undefined> {
  try {
    const r = await ctx.vault().read<{ data?: { policies?: string[] | string } }>(path);
    const p = r.data?.policies;
    return typeof p === 'string' ? p.split(',').map((x) => x.trim()).filter(Boolean) : p;
  } catch (e) {
    if (e instanceof VaultApiError && e.status === 404) return undefined;
    throw e;
  }
}

/** Brings Vault to initialised + unsealed (the topic teaches LDAP, not init), with the seed's commands. */
async function bootstrapVault(ctx: LabContext): Promise<void> {
  if ((await health(ctx))?.initialized !== true) await ctx.exec(initCmd(1, 1));
  if ((await health(ctx))?.sealed !== false) for (const c of [...unsealKeyVars(1), ...unsealCmds(1)]) await ctx.exec(c);
}

const directory: Step = {
  id: 'directory',
  kind: 'setup',
  title: msg('OpenLDAP 디렉터리와 Vault 준비', 'Start the OpenLDAP directory and Vault'),
  task: msg(
    '랩이 slapd를 띄우고 ou=users (alice, bob)와 ou=groups (developers, admins)를 넣습니다. ldapsearch로 alice의 그룹을 확인하세요.',
    'The lab starts slapd with ou=users (alice, bob) and ou=groups (developers, admins). Look up alice\'s groups with ldapsearch.',
  ),
  commands: [directoryCmd],
  solve: async (ctx) => {
    await ctx.platform.up(ctx.topic.needs, ctx.report);
    await bootstrapVault(ctx);
    await ctx.exec(directoryCmd);
  },
  checks: ['directory'],
};

export const topic: TopicDef = {
  id: 'ldap',
  title: msg('LDAP 인증: 디렉터리 그룹으로 정책 주기', 'LDAP auth: policies from directory groups'),
  summary: msg(
    '실제 OpenLDAP(slapd)에 붙는 LDAP 인증 메서드를 설정하고, 그룹과 사용자 매핑으로 정책을 준 뒤 alice와 bob으로 로그인해 확인합니다.',
    'Configure the LDAP auth method against a real OpenLDAP (slapd), map groups and a user to policies, and prove it by logging in as alice and bob.',
  ),
  platforms: ['local', 'kind'],
  needs: { vault: { nodes: 1, storage: 'file', tls: false }, ldap: true },
  accounts: [
    { name: 'alice', secret: LDAP.files.alice!, note: msg('developers 그룹', 'group developers') },
    { name: 'bob', secret: LDAP.files.bob!, note: msg('admins 그룹', 'group admins') },
  ],
  steps: [
    directory,
    {
      id: 'enable',
      kind: 'task',
      title: msg('LDAP 인증 메서드 켜기', 'Enable the LDAP auth method'),
      task: msg('ldap 인증 메서드를 기본 경로 ldap/ 에 켜세요.', 'Enable the ldap auth method at its default path ldap/.'),
      // Enabling a method twice is an error ("path is already in use"): a rerun skips the enable, tunes and lists again.
      commands: [{ kind: 'vault', args: ['auth', 'enable', 'ldap'], unless: async (ctx) => (await authType(ctx, 'ldap')) === 'ldap' }, lockoutCmd, { kind: 'vault', args: ['auth', 'list'] }],
      done: async (ctx) => (await authType(ctx, 'ldap')) === 'ldap',
      // Disabling the method removes its config, groups and users too: the later steps are pending again as well.
      cleanup: { commands: [{ kind: 'vault', args: ['auth', 'disable', 'ldap'] }] },
      checks: ['ldap-enabled'],
    },
    {
      id: 'config',
      kind: 'task',
      title: msg('auth/ldap/config 설정', 'Configure auth/ldap/config'),
      task: msg(
        'url, userdn, groupdn, binddn, bindpass와 userattr=uid, groupattr=cn, groupOfNames 용 groupfilter를 쓰세요.',
        'Write url, userdn, groupdn, binddn, bindpass plus userattr=uid, groupattr=cn and a groupfilter for groupOfNames.',
      ),
      hint: msg("userattr의 기본값은 cn입니다: uid로 바꾸지 않으면 'alice'를 찾지 못합니다.", "userattr defaults to cn: without uid, 'alice' is never found."),
      commands: [configCmd, { kind: 'vault', args: ['read', 'auth/ldap/config'] }],
      checks: ['config-url', 'config-userdn', 'config-userattr', 'config-groupdn', 'config-groupattr', 'config-groupfilter', 'config-bind'],
    },
    {
      id: 'policies',
      kind: 'task',
      title: msg('정책 세 개 만들기', 'Write the three policies'),
      task: msg('dev-policy, admin-policy, alice-specific-policy를 만드세요. 관리 경로(sys/policies/acl)는 admin-policy만 엽니다.', 'Write dev-policy, admin-policy and alice-specific-policy; only admin-policy opens the admin path (sys/policies/acl).'),
      commands: [...Object.entries(POLICIES).map(([name, text]): Cmd => ({ kind: 'vault', args: ['policy', 'write', name, '-'], stdin: text })), { kind: 'vault', args: ['policy', 'list'] }],
      done: async (ctx) => {
        const names = await ctx.vault().list('/sys/policies/acl');
        return Object.keys(POLICIES).every((n) => names.includes(n));
      },
      cleanup: { commands: Object.keys(POLICIES).map((name): Cmd => ({ kind: 'vault', args: ['policy', 'delete', name] })) },
      checks: ['policies'],
    },
    {
      id: 'groups',
      kind: 'task',
      title: msg('그룹 → 정책 매핑', 'Map groups to policies'),
      task: msg('LDAP 그룹 developers에 dev-policy, admins에 admin-policy를 매핑하세요.', 'Map LDAP group developers to dev-policy and admins to admin-policy.'),
      hint: msg('매핑 이름은 LDAP의 cn과 정확히 같아야 합니다 (developer가 아니라 developers).', 'The mapping name must equal the LDAP cn exactly (developers, not developer).'),
      commands: [...Object.entries(GROUP_POLICY).map(([g, p]): Cmd => ({ kind: 'vault', args: ['write', `auth/ldap/groups/${g}`, `policies=${p}`] })), { kind: 'vault', args: ['list', 'auth/ldap/groups'] }],
      done: async (ctx) => {
        for (const [g, p] of Object.entries(GROUP_POLICY)) if (!(await readPolicies(ctx, `/auth/ldap/groups/${g}`))?.includes(p)) return false;
        return true;
      },
      cleanup: { commands: Object.keys(GROUP_POLICY).map((g): Cmd => ({ kind: 'vault', args: ['delete', `auth/ldap/groups/${g}`] })) },
      checks: ['group-developers', 'group-admins'],
    },
    {
      id: 'users',
      kind: 'task',
      title: msg('사용자 alice에 추가 정책', 'Give alice an extra policy'),
      task: msg('auth/ldap/users/alice에 alice-specific-policy를 매핑하세요.', 'Map auth/ldap/users/alice to alice-specific-policy.'),
      commands: Object.entries(USER_POLICY).map(([u, p]): Cmd => ({ kind: 'vault', args: ['write', `auth/ldap/users/${u}`, `policies=${p}`] })),
      done: async (ctx) => (await readPolicies(ctx, '/auth/ldap/users/alice'))?.includes('alice-specific-policy') === true,
      cleanup: { commands: Object.keys(USER_POLICY).map((u): Cmd => ({ kind: 'vault', args: ['delete', `auth/ldap/users/${u}`] })) },
      checks: ['user-alice'],
    },
    {
      id: 'login',
      kind: 'task',
      title: msg('alice, bob으로 로그인하고 토큰 확인', 'Log in as alice and bob; look up the tokens'),
      task: msg(
        "alice와 bob으로 LDAP 로그인하고 token lookup으로 정책을 보세요 (비밀번호: 'npx lab info ldap --show-secrets'). alice는 default, dev-policy, alice-specific-policy, bob은 admin-policy.",
        "Log in over LDAP as alice and bob and look at the policies with token lookup (passwords: 'npx lab info ldap --show-secrets'). alice: default, dev-policy, alice-specific-policy; bob: admin-policy.",
      ),
      hint: msg('로그인은 되는데 default만 붙으면 그룹 검색이 아무것도 찾지 못한 것입니다: groupdn, groupfilter, groupattr를 보세요.', 'Login works but only default? The group search came back empty: look at groupdn, groupfilter, groupattr.'),
      commands: [...loginCmds('alice'), ...loginCmds('bob')],
      checks: ['login-alice', 'login-bob', 'alice-denied-admin', 'wrong-password'],
    },
  ],
};
