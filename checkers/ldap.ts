/**
 * The ldap topic is judged by what really happens: the directory answers a search, alice and bob log in over
 * LDAP and get the policies their groups map to, alice is refused an admin path, a wrong password is refused.
 * Config fields and mappings are read too, so each failure names the one command that fixes it.
 */
import type { Checker, Cmd, LabContext } from '../src/engine/types.ts';
import type { Msg } from '../src/engine/i18n.ts';
import { msg } from '../src/engine/i18n.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { registerSecret } from '../src/engine/redact.ts';
import { VaultApiError } from '../src/vault/client.ts';
import { gatherVaultBasics, vaultLine } from './common.ts';
import { LDAP, userDnOf } from '../src/services/ldap/directory.ts';
import { ADMIN_ONLY_PATH, GROUP_POLICY, POLICIES, USER_POLICY } from '../labs/ldap/data.ts';

export interface Login {
  ok: boolean;
  policies: string[];
  error?: string;
}

export interface State {
  vaultReady: boolean;
  directory: { up: boolean; groups: Record<string, string[]>; error?: string };
  ldapUrl: string;
  /** Auth type mounted at ldap/, if any. */
  mount: string | undefined;
  config: Record<string, unknown> | undefined;
  policies: Record<string, string | undefined>;
  groups: Record<string, string[] | undefined>;
  users: Record<string, string[] | undefined>;
  logins: { alice: Login; bob: Login; wrong: Login; empty: Login };
  /** Accessor of auth/ldap/ and the users it has locked out after failed logins. */
  accessor: string | undefined;
  locked: string[];
  /** HTTP status of LIST sys/policies/acl with each user's token (undefined: no token to try). */
  adminPath: { alice: number | undefined; bob: number | undefined };
}

const noLogin: Login = { ok: false, policies: [], error: 'not attempted' };

async function login(ctx: LabContext, user: string, password: string): Promise<{ login: Login; token?: string }> {
  try {
    const r = await ctx.vault(0, null).write<{ auth?: { client_token?: string; policies?: string[] } }>(`/auth/ldap/login/${user}`, { password });
    const token = r.auth?.client_token;
    registerSecret(token);
    return { login: { ok: true, policies: [...(r.auth?.policies ?? [])].sort() }, ...(token ? { token } : {}) };
  } catch (e) {
    if (!(e instanceof VaultApiError)) throw e;
    return { login: { ok: false, policies: [], error: e.errors.join('; ') || e.message } };
  }
}

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof VaultApiError) return e.status ?? 0;
    throw e;
  }
}

async function gatherDirectory(ctx: LabContext): Promise<State['directory']> {
  const groups: Record<string, string[]> = {};
  try {
    const ldap = ctx.platform.ldap;
    if (!ldap) return { up: false, groups, error: 'this platform runs no LDAP directory' };
    const out = await ldap.search(LDAP.groupDn, '(objectClass=groupOfNames)', ['cn', 'member']);
    let cn: string | undefined;
    for (const line of out.split('\n')) {
      const m = /^(cn|member): (.*)$/.exec(line.trim());
      if (m?.[1] === 'cn') groups[(cn = m[2]!)] ??= [];
      else if (m?.[1] === 'member' && cn) groups[cn]!.push(m[2]!);
    }
    return { up: true, groups };
  } catch (e) {
    return { up: false, groups, error: e instanceof Error ? e.message : String(e) };
  }
}

export async function gather(ctx: LabContext): Promise<State> {
  const basics = await gatherVaultBasics(ctx);
  const s: State = {
    vaultReady: basics.active !== undefined && basics.tokenValid,
    directory: await gatherDirectory(ctx),
    ldapUrl: ctx.platform.ldap?.url ?? '',
    mount: undefined,
    config: undefined,
    policies: {},
    groups: {},
    users: {},
    logins: { alice: noLogin, bob: noLogin, wrong: noLogin, empty: noLogin },
    adminPath: { alice: undefined, bob: undefined },
    accessor: undefined,
    locked: [],
  };
  if (!s.vaultReady) return s;
  const root = ctx.vault();
  const ldapMount = (await root.auths())['ldap/'];
  s.mount = ldapMount?.type;
  s.accessor = ldapMount?.accessor;
  const maybe = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (e) {
      if (e instanceof VaultApiError && (e.status === 404 || e.status === 400)) return undefined;
      throw e;
    }
  };
  for (const name of Object.keys(POLICIES)) {
    s.policies[name] = (await maybe(root.read<{ data?: { policy?: string } }>(`/sys/policies/acl/${name}`)))?.data?.policy;
  }
  if (s.mount !== 'ldap') return s;
  s.config = (await maybe(root.read<{ data?: Record<string, unknown> }>('/auth/ldap/config')))?.data;
  const policiesAt = async (path: string) => {
    const p = (await maybe(root.read<{ data?: { policies?: string[] | string } }>(path)))?.data?.policies;
    return typeof p === 'string' ? p.split(',').map((x) => x.trim()).filter(Boolean) : p;
  };
  for (const g of Object.keys(GROUP_POLICY)) s.groups[g] = await policiesAt(`/auth/ldap/groups/${g}`);
  for (const u of Object.keys(USER_POLICY)) s.users[u] = await policiesAt(`/auth/ldap/users/${u}`);

  const pw = (who: string) => {
    const v = ctx.lab.readSecret(LDAP.files[who]!) ?? '';
    registerSecret(v);
    return v;
  };
  const locked = await maybe(root.read<{ data?: { by_namespace?: { mount_accessors?: { mount_accessor: string; alias_identifiers?: string[] }[] }[] } }>(`/sys/locked-users?mount_accessor=${s.accessor ?? ''}`));
  s.locked = (locked?.data?.by_namespace ?? []).flatMap((n) => (n.mount_accessors ?? []).filter((m) => m.mount_accessor === s.accessor).flatMap((m) => m.alias_identifiers ?? []));
  const alice = await login(ctx, 'alice', pw('alice'));
  const bob = await login(ctx, 'bob', pw('bob'));
  s.logins = { alice: alice.login, bob: bob.login, wrong: noLogin, empty: noLogin };
  // Failed logins count towards user lockout; a successful one resets the count. So the wrong-password
  // probes run only right after alice's real login succeeded, and the check never locks alice out itself.
  if (alice.login.ok) {
    s.logins.wrong = (await login(ctx, 'alice', `${pw('alice')}-wrong`)).login;
    s.logins.empty = (await login(ctx, 'alice', '')).login;
    const again = await login(ctx, 'alice', pw('alice'));
    if (again.token) await ctx.vault(0, again.token).write('/auth/token/revoke-self').catch(() => undefined);
  }
  if (alice.token) s.adminPath.alice = await statusOf(ctx.vault(0, alice.token).request('LIST', `/${ADMIN_ONLY_PATH}`));
  if (bob.token) s.adminPath.bob = await statusOf(ctx.vault(0, bob.token).request('LIST', `/${ADMIN_ONLY_PATH}`));
  // The check's own tokens must not pile up.
  for (const t of [alice.token, bob.token]) if (t) await ctx.vault(0, t).write('/auth/token/revoke-self').catch(() => undefined);
  return s;
}

// ---- judging --------------------------------------------------------------------------------------------------

const vaultFix = msg("Vault의 봉인이 풀려 있어야 합니다: 'npx lab start ldap'을 다시 실행하세요.", "Vault must be unsealed: run 'npx lab start ldap' again.");
const notReady = () => fail(msg('Vault가 준비되지 않았습니다 (sealed 이거나 토큰 없음).', 'Vault is not ready (sealed or no token).'), vaultFix);
const noMount = () => fail(msg('auth/ldap/ 에 LDAP 인증 메서드가 없습니다.', 'no LDAP auth method at auth/ldap/.'), undefined, [vaultLine('auth', 'enable', 'ldap')]);

/** The lesson's policy, whole, on stdin (`vault policy write <name> - <<'EOF'`). */
const policyLine = (name: string): Cmd => ({ kind: 'vault', args: ['policy', 'write', name, '-'], stdin: POLICIES[name]! });

/** `vault write auth/ldap/config <kv…>`: only the fields named change, the others keep their values. */
const cfgFix = (why: Msg, kv: string[]) => fail(why, msg('다른 설정값은 그대로 둡니다:', 'Other fields keep their values:'), [vaultLine('write', 'auth/ldap/config', ...kv)]);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** A config field compared to what it must be, with the exact command that sets it. */
function field(s: State, key: string, want: string, kv: string[], why: Msg): ReturnType<typeof pass> {
  if (!s.vaultReady) return notReady();
  if (s.mount !== 'ldap') return noMount();
  if (!s.config) return cfgFix(msg('auth/ldap/config를 읽을 수 없습니다.', 'cannot read auth/ldap/config.'), kv);
  const got = str(s.config[key]);
  if (got.toLowerCase() === want.toLowerCase()) return pass();
  return cfgFix(msg(`${key} = '${got}' (기대: '${want}'). ${why.ko}`, `${key} = '${got}' (expected '${want}'). ${why.en}`), kv);
}

function mapping(s: State, kind: 'groups' | 'users', name: string, policy: string, viaLogin: 'alice' | 'bob'): ReturnType<typeof pass> {
  if (!s.vaultReady) return notReady();
  if (s.mount !== 'ldap') return noMount();
  const fix: Cmd[] = [vaultLine('write', `auth/ldap/${kind}/${name}`, `policies=${policy}`)];
  const have = s[kind][name];
  if (!have) return fail(msg(`auth/ldap/${kind}/${name} 매핑이 없습니다.`, `there is no auth/ldap/${kind}/${name} mapping.`), undefined, fix);
  if (!have.includes(policy)) return fail(msg(`auth/ldap/${kind}/${name}의 정책이 [${have.join(', ')}]입니다 (${policy} 없음).`, `auth/ldap/${kind}/${name} has policies [${have.join(', ')}], not ${policy}.`), undefined, fix);
  const l = s.logins[viaLogin];
  if (!l.ok) return fail(msg(`매핑은 있지만 ${viaLogin} 로그인이 실패해 효과를 확인할 수 없습니다: ${l.error ?? ''}`, `the mapping exists but ${viaLogin} cannot log in to prove it: ${l.error ?? ''}`), msg(`아래의 '${viaLogin} 로그인' 항목을 먼저 통과시키세요.`, `Make the '${viaLogin} logs in' item below pass first.`));
  if (!l.policies.includes(policy))
    return fail(
      msg(`${viaLogin}의 실제 토큰에 ${policy}가 없습니다 (받은 정책: ${l.policies.join(', ')}).`, `${viaLogin}'s real token lacks ${policy} (got: ${l.policies.join(', ')}).`),
      kind === 'groups'
        ? msg(`LDAP 그룹 검색이 '${name}'을 못 찾습니다: groupdn, groupfilter, groupattr=cn을 확인하세요 (위의 'config: group…' 항목).`, `the LDAP group search does not find '${name}': check groupdn, groupfilter and groupattr=cn (the 'config: group…' items above).`)
        : undefined,
      kind === 'groups' ? undefined : fix,
    );
  return pass();
}

function loginCheck(s: State, user: 'alice' | 'bob'): ReturnType<typeof pass> {
  if (!s.vaultReady) return notReady();
  if (s.mount !== 'ldap') return noMount();
  const l = s.logins[user];
  if (!l.ok && s.locked.includes(user))
    return fail(
      msg(`${user}가 로그인 실패 누적으로 잠겼습니다 (user lockout).`, `${user} is locked out after repeated failed logins (user lockout).`),
      msg('설정을 고친 뒤 잠금을 푸세요 (또는 1분 기다리기):', 'Fix the config, then unlock (or wait a minute):'),
      [vaultLine('write', '-f', `sys/locked-users/${s.accessor ?? '<accessor>'}/unlock/${user}`)],
    );
  if (!l.ok)
    return fail(
      msg(`${user}의 LDAP 로그인이 실패합니다: ${l.error ?? ''}`, `${user}'s LDAP login fails: ${l.error ?? ''}`),
      msg("위의 'config:' 항목들을 먼저 통과시키세요 (특히 userdn, userattr=uid, binddn/bindpass).", "Make the 'config:' items above pass first (userdn, userattr=uid, binddn/bindpass above all)."),
    );
  if (!l.policies.includes('default')) return fail(msg(`${user}의 토큰에 default 정책이 없습니다.`, `${user}'s token lacks the default policy.`), msg('토큰 역할이나 token_no_default_policy 설정을 확인하세요.', 'Check token_no_default_policy on the ldap mount.'));
  return pass();
}

/**
 * Whether an LDAP group filter finds this directory's groupOfNames entries by their member attribute. OpenBao's
 * default, `(|(memberUid={{.Username}})(member={{.UserDN}})(uniqueMember={{.UserDN}}))`, does: the note sets no
 * groupfilter and still works. A filter without a `(member={{.UserDN}})` term, or one that requires another
 * objectClass (posixGroup, groupOfUniqueNames), does not.
 */
export function groupFilterMatchesMember(filter: string): boolean {
  const f = filter.replace(/\s+/g, '');
  if (!/\(member=\{\{\.UserDN\}\}\)/i.test(f)) return false;
  const classes = [...f.matchAll(/\(objectClass=([^)]*)\)/gi)].map((m) => m[1]!.toLowerCase());
  return classes.every((c) => c === 'groupofnames' || c === '*');
}

const bindError = (e: string | undefined) => /failed to bind|invalid credentials|code 49/i.test(e ?? '');

export const checks: Checker<State>['checks'] = [
  {
    id: 'directory',
    title: msg('OpenLDAP 디렉터리: alice∈developers, bob∈admins', 'OpenLDAP directory: alice∈developers, bob∈admins'),
    hint: msg('slapd가 멈추면 모든 LDAP 로그인이 실패합니다: npx lab start ldap으로 다시 띄우세요.', 'With slapd down every LDAP login fails: restart it with npx lab start ldap.'),
    judge: (s) => {
      if (!s.directory.up) return fail(msg(`LDAP 서버에 검색할 수 없습니다: ${s.directory.error ?? ''}`, `cannot search the LDAP server: ${s.directory.error ?? ''}`), msg("'npx lab start ldap'으로 slapd를 다시 띄우세요 (상태: 'npx lab status ldap').", "Start slapd again with 'npx lab start ldap' (state: 'npx lab status ldap')."));
      for (const [uid, g] of Object.entries(LDAP.users)) {
        if (!s.directory.groups[g]?.some((m) => m.toLowerCase() === userDnOf(uid).toLowerCase()))
          return fail(msg(`cn=${g} 그룹에 ${uid}가 없습니다.`, `${uid} is not a member of cn=${g}.`), msg(`ldapmodify로 cn=${g},${LDAP.groupDn}에 member: ${userDnOf(uid)}를 추가하거나 'npx lab reset ldap'으로 디렉터리를 다시 만드세요.`, `Add member: ${userDnOf(uid)} to cn=${g},${LDAP.groupDn} with ldapmodify, or rebuild with 'npx lab reset ldap'.`));
      }
      return pass();
    },
  },
  {
    id: 'ldap-enabled',
    title: msg('ldap 인증 메서드가 auth/ldap/ 에 켜짐', 'ldap auth method enabled at auth/ldap/'),
    hint: msg('다른 경로(-path=...)에 켜면 로그인 경로도 바뀝니다: 이 실습은 기본 경로 ldap/ 를 씁니다.', 'Enabling it at another -path changes the login path too; this lab uses the default ldap/.'),
    judge: (s) => (!s.vaultReady ? notReady() : s.mount === 'ldap' ? pass() : s.mount ? fail(msg(`auth/ldap/ 에 ${s.mount}가 켜져 있습니다.`, `auth/ldap/ holds a ${s.mount} method.`), undefined, [vaultLine('auth', 'disable', 'ldap'), vaultLine('auth', 'enable', 'ldap')]) : noMount()),
  },
  {
    id: 'config-url',
    title: msg('config: url이 실습 LDAP 서버', 'config: url points at the lab LDAP server'),
    hint: msg('포트를 잘못 적으면 모든 로그인이 연결 오류로 실패합니다: $LDAP_URL을 쓰세요.', 'A wrong port fails every login with a connection error: use $LDAP_URL.'),
    judge: (s) => field(s, 'url', s.ldapUrl, ['url=$LDAP_URL'], msg('Vault가 디렉터리에 연결하지 못합니다.', 'Vault cannot reach the directory.')),
  },
  {
    id: 'config-userdn',
    title: msg(`config: userdn=${LDAP.userDn}`, `config: userdn=${LDAP.userDn}`),
    hint: msg('userdn이 틀리면 사용자 검색이 아무것도 찾지 못해 로그인이 실패합니다.', 'A wrong userdn finds no user, so every login fails.'),
    judge: (s) => field(s, 'userdn', LDAP.userDn, [`userdn=${LDAP.userDn}`], msg('사용자를 찾을 위치가 다릅니다.', 'users are looked up in the wrong place.')),
  },
  {
    id: 'config-userattr',
    title: msg('config: userattr=uid', 'config: userattr=uid'),
    hint: msg('기본값 cn으로 두면 uid=alice를 찾지 못합니다: vault write auth/ldap/config userattr=uid', 'Left at its default cn, uid=alice is never found: vault write auth/ldap/config userattr=uid'),
    judge: (s) => field(s, 'userattr', 'uid', ['userattr=uid'], msg('로그인 이름은 uid 속성에 있습니다.', 'login names live in the uid attribute.')),
  },
  {
    id: 'config-groupdn',
    title: msg(`config: groupdn=${LDAP.groupDn}`, `config: groupdn=${LDAP.groupDn}`),
    hint: msg('groupdn이 없거나 틀리면 로그인은 되지만 default 정책만 붙습니다.', 'Without a right groupdn logins work but carry only default.'),
    judge: (s) => field(s, 'groupdn', LDAP.groupDn, [`groupdn=${LDAP.groupDn}`], msg('그룹을 찾을 위치가 다릅니다.', 'groups are looked up in the wrong place.')),
  },
  {
    id: 'config-groupattr',
    title: msg('config: groupattr=cn', 'config: groupattr=cn'),
    hint: msg('groupattr가 cn이 아니면 그룹 이름이 매핑 이름(developers)과 달라집니다.', 'With groupattr other than cn the group name no longer equals the mapping name (developers).'),
    judge: (s) => field(s, 'groupattr', 'cn', ['groupattr=cn'], msg('그룹 이름은 cn에서 읽습니다.', 'group names come from cn.')),
  },
  {
    id: 'config-groupfilter',
    title: msg('config: groupfilter가 groupOfNames의 member로 찾음', 'config: groupfilter matches groupOfNames by member'),
    hint: msg(
      "groupOfNames는 member에 사용자 DN 전체를 적습니다. 기본 필터(groupfilter를 정하지 않음)도 (member={{.UserDN}})을 포함하므로 그대로 됩니다; memberUid만 보거나 posixGroup으로 좁히면 그룹을 못 찾습니다.",
      "groupOfNames lists full user DNs in member. The default filter (no groupfilter set) contains (member={{.UserDN}}) and works as is; a filter on memberUid alone or narrowed to posixGroup finds no group.",
    ),
    judge: (s) => {
      if (!s.vaultReady) return notReady();
      if (s.mount !== 'ldap') return noMount();
      const raw = str(s.config?.groupfilter);
      const kv = [`groupfilter=${LDAP.groupFilter}`];
      if (groupFilterMatchesMember(raw)) return pass();
      return cfgFix(msg(`groupfilter = '${raw}'는 groupOfNames의 member(사용자 DN)로 그룹을 찾지 않습니다.`, `groupfilter = '${raw}' does not find groupOfNames groups by member (the user's DN).`), kv);
    },
  },
  {
    id: 'config-bind',
    title: msg('config: binddn/bindpass로 Vault가 검색 bind 가능', 'config: Vault can bind with binddn/bindpass'),
    hint: msg(
      "bindpass가 틀리면 모든 사용자의 로그인이 한꺼번에 실패합니다: vault write auth/ldap/config binddn=cn=admin,dc=example,dc=com bindpass=@\"$LAB_DIR/ldap/bind.password\"",
      "A wrong bindpass fails every user's login at once: vault write auth/ldap/config binddn=cn=admin,dc=example,dc=com bindpass=@\"$LAB_DIR/ldap/bind.password\"",
    ),
    judge: (s) => {
      const kv = [`binddn=${LDAP.bindDn}`, `bindpass=@$LAB_DIR/${LDAP.files.bind}`];
      const r = field(s, 'binddn', LDAP.bindDn, kv, msg('Vault가 검색에 쓸 서비스 계정입니다.', 'the service account Vault searches with.'));
      if (!r.ok) return r;
      // Vault reports a failed service bind and a failed user bind alike ("failed to bind as user"). alice's
      // password is known to be right, so with url, userdn and userattr right the service bind is what fails.
      const a = s.logins.alice;
      const userSideOk = ['url', 'userdn', 'userattr'].every((k) => str(s.config?.[k]).toLowerCase() === ({ url: s.ldapUrl, userdn: LDAP.userDn, userattr: 'uid' } as Record<string, string>)[k]!.toLowerCase());
      if (!a.ok && userSideOk && s.directory.up && !s.locked.includes('alice') && bindError(a.error)) return cfgFix(msg(`Vault의 서비스 계정 bind가 실패합니다: ${a.error ?? ''}`, `Vault's service-account bind fails: ${a.error ?? ''}`), kv);
      return pass();
    },
  },
  {
    id: 'policies',
    title: msg('dev-policy, admin-policy, alice-specific-policy가 있고 서로 다름', 'dev-policy, admin-policy, alice-specific-policy exist and differ'),
    hint: msg('정책 이름 오타는 오류 없이 "정책 없음"으로 끝납니다: vault policy list로 확인하세요.', 'A misspelt policy name fails silently: check with vault policy list.'),
    judge: (s) => {
      if (!s.vaultReady) return notReady();
      const missing = Object.keys(POLICIES).filter((n) => !s.policies[n]?.trim());
      if (missing.length) return fail(msg(`정책이 없습니다: ${missing.join(', ')}`, `missing policies: ${missing.join(', ')}`), msg(`${missing[0]} 정책을 쓰세요:`, `Write ${missing[0]}:`), [policyLine(missing[0]!)]);
      const norm = (t: string) => t.replace(/#.*$/gm, '').replace(/\s+/g, '');
      const texts = Object.keys(POLICIES).map((n) => norm(s.policies[n]!));
      if (new Set(texts).size !== texts.length) return fail(msg('두 정책의 내용이 같습니다: 역할마다 다른 경로를 주세요.', 'two policies are identical: give each role different paths.'), msg("npx lab hint ldap policies의 세 정책을 그대로 쓰세요.", "Write the three policies shown by 'npx lab hint ldap policies'."));
      if (!/sys\/policies\/acl/.test(texts[1]!) || Object.keys(POLICIES).some((n, i) => n !== 'admin-policy' && /sys\/policies\/acl/.test(texts[i]!)))
        return fail(msg(`관리 경로 ${ADMIN_ONLY_PATH}는 admin-policy만 열어야 합니다.`, `only admin-policy may open the admin path ${ADMIN_ONLY_PATH}.`), undefined, [policyLine('admin-policy')]);
      return pass();
    },
  },
  {
    id: 'group-developers',
    title: msg('그룹 developers → dev-policy (alice의 실제 토큰)', 'group developers → dev-policy (alice\'s real token)'),
    hint: msg('매핑이 없거나 이름이 틀리면 오류 없이 정책만 빠집니다: vault write auth/ldap/groups/developers policies=dev-policy', 'A missing or misnamed mapping silently drops the policy: vault write auth/ldap/groups/developers policies=dev-policy'),
    judge: (s) => mapping(s, 'groups', 'developers', 'dev-policy', 'alice'),
  },
  {
    id: 'group-admins',
    title: msg('그룹 admins → admin-policy (bob의 실제 토큰)', 'group admins → admin-policy (bob\'s real token)'),
    hint: msg('vault write auth/ldap/groups/admins policies=admin-policy', 'vault write auth/ldap/groups/admins policies=admin-policy'),
    judge: (s) => mapping(s, 'groups', 'admins', 'admin-policy', 'bob'),
  },
  {
    id: 'user-alice',
    title: msg('사용자 alice → alice-specific-policy (실제 토큰)', 'user alice → alice-specific-policy (real token)'),
    hint: msg('사용자 매핑은 auth/ldap/users/<uid>입니다: vault write auth/ldap/users/alice policies=alice-specific-policy', 'User mappings live at auth/ldap/users/<uid>: vault write auth/ldap/users/alice policies=alice-specific-policy'),
    judge: (s) => mapping(s, 'users', 'alice', 'alice-specific-policy', 'alice'),
  },
  {
    id: 'login-alice',
    title: msg('alice가 LDAP 비밀번호로 로그인', 'alice logs in with her LDAP password'),
    hint: msg('userattr=uid를 빼먹는 것이 가장 흔한 원인입니다.', 'Forgetting userattr=uid is the usual cause.'),
    judge: (s) => loginCheck(s, 'alice'),
  },
  {
    id: 'login-bob',
    title: msg('bob이 LDAP 비밀번호로 로그인', 'bob logs in with his LDAP password'),
    hint: msg('alice만 되고 bob이 안 되면 디렉터리의 bob 항목을 ldapsearch로 보세요.', 'If alice works but bob does not, look at bob\'s entry with ldapsearch.'),
    judge: (s) => loginCheck(s, 'bob'),
  },
  {
    id: 'alice-denied-admin',
    title: msg(`alice는 관리 경로(${ADMIN_ONLY_PATH}) 거부, bob은 허용`, `alice is refused the admin path (${ADMIN_ONLY_PATH}), bob is allowed`),
    hint: msg('developers에 admin-policy를 주거나 dev-policy를 너무 넓게(path "*") 쓰면 alice가 관리자가 됩니다.', 'Mapping admin-policy to developers, or a too-wide dev-policy (path "*"), makes alice an admin.'),
    judge: (s) => {
      if (!s.vaultReady) return notReady();
      if (s.adminPath.alice === undefined || s.adminPath.bob === undefined) return { ...fail(msg('alice와 bob이 모두 로그인해야 확인할 수 있습니다.', 'both alice and bob must log in to test this.'), msg('위의 alice, bob 로그인 항목을 먼저 통과시키세요.', 'Make the alice and bob login items above pass first.')), after: s.logins.alice.ok ? 'login-bob' : 'login-alice' };
      if (s.adminPath.alice !== 403) return fail(msg(`alice의 토큰으로 LIST ${ADMIN_ONLY_PATH}가 ${s.adminPath.alice}입니다 (403이어야 함).`, `alice's token gets ${s.adminPath.alice} on LIST ${ADMIN_ONLY_PATH} (must be 403).`), msg('alice가 받는 정책(dev-policy, alice-specific-policy)에서 sys/ 경로를 빼고, developers 매핑에 admin-policy가 없게 하세요:', "Remove sys/ paths from alice's policies (dev-policy, alice-specific-policy) and keep admin-policy off developers:"), [vaultLine('write', 'auth/ldap/groups/developers', 'policies=dev-policy')]);
      if (s.adminPath.bob !== 200) return fail(msg(`bob의 토큰으로 LIST ${ADMIN_ONLY_PATH}가 ${s.adminPath.bob}입니다 (200이어야 함).`, `bob's token gets ${s.adminPath.bob} on LIST ${ADMIN_ONLY_PATH} (must be 200).`), msg('admin-policy에 path "sys/policies/acl" { capabilities = ["list"] }가 있어야 합니다.', 'admin-policy needs path "sys/policies/acl" { capabilities = ["list"] }.'));
      return pass();
    },
  },
  {
    id: 'wrong-password',
    title: msg('틀린 비밀번호와 빈 비밀번호는 거부', 'A wrong or empty password is refused'),
    hint: msg('deny_null_bind=false로 바꾸면 많은 LDAP 서버가 빈 비밀번호를 익명 bind로 통과시킵니다.', 'With deny_null_bind=false many LDAP servers let an empty password through as an anonymous bind.'),
    judge: (s) => {
      if (!s.vaultReady) return notReady();
      if (s.mount !== 'ldap') return noMount();
      if (s.logins.wrong.ok) return fail(msg('틀린 비밀번호로 alice 로그인이 됩니다.', 'alice logs in with a wrong password.'), msg('그리고 binddn/userdn 설정을 확인하세요:', 'Then check binddn/userdn:'), [vaultLine('write', 'auth/ldap/config', 'deny_null_bind=true')]);
      if (s.logins.empty.ok) return fail(msg('빈 비밀번호로 alice 로그인이 됩니다.', 'alice logs in with an empty password.'), undefined, [vaultLine('write', 'auth/ldap/config', 'deny_null_bind=true')]);
      if (!s.logins.alice.ok) return { ...fail(msg('올바른 비밀번호도 거부되어 "틀린 비밀번호 거부"를 확인할 수 없습니다.', 'the right password is refused too, so refusing a wrong one proves nothing.'), msg('위의 alice 로그인 항목을 먼저 통과시키세요.', 'Make the alice login item above pass first.')), after: 'login-alice' };
      return pass();
    },
  },
];

export const checker = defineChecker<State>({ gather, checks });
