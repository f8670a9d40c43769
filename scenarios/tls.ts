import type { Cmd, LabContext, TopicDef } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { health, initCmd, mountType, unsealCmds, unsealKeyVars } from './common.ts';

export { HOSTNAME, SECRET } from '../labs/tls/data.ts';
import { HOSTNAME, SECRET } from '../labs/tls/data.ts';
/** The certificate vault-0 presents: `lab env` exports its path on both platforms (local vault-0.crt, kind vault.crt). */
const certFile = '$LAB_TLS_CERT';

const certCmds: Cmd[] = [
  { kind: 'exec', file: 'openssl', args: ['x509', '-in', certFile, '-noout', '-subject', '-issuer', '-enddate', '-ext', 'subjectAltName'] },
  { kind: 'exec', file: 'openssl', args: ['verify', '-CAfile', '$VAULT_CACERT', certFile] },
];

const serverCmds: Cmd[] = [{ kind: 'vault', args: ['status'], note: msg('VAULT_ADDR는 https://, VAULT_CACERT는 실습 CA: 경고 없이 동작해야 합니다.', 'VAULT_ADDR is https://, VAULT_CACERT the lab CA: this must work without warnings.') }];

const kvCmds: Cmd[] = [
  // Enabling a mount twice is an error ("path is already in use"): a rerun skips it.
  { kind: 'vault', args: ['secrets', 'enable', '-path=secret', 'kv-v2'], unless: async (ctx) => (await mountType(ctx, 'secret'))?.version === '2' },
  { kind: 'vault', args: ['kv', 'put', `secret/${SECRET.path}`, ...Object.entries(SECRET.data).map(([k, v]) => `${k}=${v}`)] },
];
const clientCmds: Cmd[] = [
  { kind: 'vault', args: ['kv', 'get', `secret/${SECRET.path}`] },
  { kind: 'exec', file: 'curl', args: ['-sS', '--fail', '--cacert', '$VAULT_CACERT', '--header', '@-', `$VAULT_ADDR/v1/secret/data/${SECRET.path}`], stdinLine: 'X-Vault-Token: $VAULT_TOKEN', note: msg('-k가 아니라 --cacert로 검증을 켠 채 접속합니다. 토큰 헤더는 --header @-로 stdin에서 읽습니다 (명령줄 인자는 ps로 누구나 봄).', '--cacert, not -k: verification stays on. The token header is read from stdin (--header @-; anyone can read argv with ps).') },
];

const verifyCmds: Cmd[] = [
  { kind: 'exec', file: 'curl', args: ['-sS', '--fail', '-o', '/dev/null', '-w', '%{http_code} TLS 1.2 ok\\n', '--cacert', '$VAULT_CACERT', '--tlsv1.2', '--tls-max', '1.2', '$VAULT_ADDR/v1/sys/health'] },
  { kind: 'exec', file: 'curl', args: ['-sS', '--fail', '-o', '/dev/null', '-w', '%{http_code} TLS 1.3 ok\\n', '--cacert', '$VAULT_CACERT', '--tlsv1.3', '$VAULT_ADDR/v1/sys/health'] },
];

/**
 * kind: ingress-nginx on the host's 443 routes by SNI and passes the TLS stream through to Vault, so the certificate
 * the client verifies is Vault's own. --resolve pins the name to 127.0.0.1 for this request (no /etc/hosts entry).
 */
const ingressCmds: Cmd[] = [
  {
    kind: 'exec',
    file: 'curl',
    args: ['-sS', '--fail', '--cacert', '$VAULT_CACERT', '--resolve', `${HOSTNAME}:443:127.0.0.1`, `https://${HOSTNAME}/v1/sys/health`],
    note: msg(`${HOSTNAME}의 요청을 127.0.0.1:443(ingress-nginx)으로 보내고, 실습 CA로 검증합니다.`, `${HOSTNAME} goes to 127.0.0.1:443 (ingress-nginx), verified with the lab CA.`),
  },
  {
    kind: 'exec',
    file: 'openssl',
    args: ['s_client', '-connect', '127.0.0.1:443', '-servername', HOSTNAME, '-CAfile', '$VAULT_CACERT', '-verify_hostname', HOSTNAME, '-verify_return_error', '-brief'],
    stdin: 'Q\n',
    note: msg(`Q 한 줄이 s_client를 끝냅니다. Peer certificate: CN = ${HOSTNAME}와 Verification: OK가 보여야 합니다.`, `A line with Q ends s_client. Expect Peer certificate: CN = ${HOSTNAME} and Verification: OK.`),
  },
];

/** The topic teaches TLS, not init: Vault is brought to unsealed with the seed's commands. */
async function bootstrapVault(ctx: LabContext): Promise<void> {
  if ((await health(ctx))?.initialized !== true) await ctx.exec(initCmd(1, 1));
  if ((await health(ctx))?.sealed !== false) for (const c of [...unsealKeyVars(1), ...unsealCmds(1)]) await ctx.exec(c);
}

export const topic: TopicDef = {
  id: 'tls',
  title: msg('Vault TLS: 실습 CA, 인증서, 검증하는 클라이언트', 'Vault TLS: a lab CA, a server certificate, verifying clients'),
  summary: msg(
    '실습 CA로 vault.example.com 인증서를 발급해 tls_min_version=tls12 리스너에 걸고, CLI·curl·Python·Node 클라이언트가 검증을 켠 채 접속하는지 실제 핸드셰이크로 확인합니다.',
    'Issue a vault.example.com certificate from a lab CA, serve it with tls_min_version=tls12, and prove with real handshakes that CLI, curl, Python and Node clients connect with verification on.',
  ),
  platforms: ['local', 'kind'],
  needs: { vault: { nodes: 1, storage: 'file', tls: { hostname: HOSTNAME, minVersion: 'tls12' } } },
  steps: [
    {
      id: 'certs',
      kind: 'setup',
      title: msg('실습 CA와 서버 인증서 만들기', 'Make the lab CA and the server certificate'),
      task: msg(
        `랩이 CA와 ${HOSTNAME} 인증서(SAN: ${HOSTNAME}, localhost, 127.0.0.1)를 만듭니다. openssl로 SAN과 발급자를 확인하세요.`,
        `The lab makes a CA and a ${HOSTNAME} certificate (SAN: ${HOSTNAME}, localhost, 127.0.0.1). Inspect its SANs and issuer with openssl.`,
      ),
      commands: certCmds,
      solve: async (ctx) => {
        await ctx.platform.ensureCerts?.();
        for (const c of certCmds) await ctx.exec(c);
      },
      checks: ['cert-san', 'chain-verifies'],
    },
    {
      id: 'server',
      kind: 'setup',
      title: msg('TLS 리스너(tls_min_version=tls12)로 Vault 시작', 'Start Vault with a TLS listener (tls_min_version=tls12)'),
      task: msg('랩이 TLS 리스너로 Vault를 띄우고 봉인을 풉니다. vault status가 https로 동작하는지 보세요.', 'The lab starts Vault behind its TLS listener and unseals it. See vault status work over https.'),
      commands: serverCmds,
      solve: async (ctx) => {
        await ctx.platform.up(ctx.topic.needs, ctx.report);
        await bootstrapVault(ctx);
        for (const c of serverCmds) await ctx.exec(c);
      },
      checks: ['tls-old-refused', 'tls-modern-accepted', 'plain-http-refused'],
    },
    {
      id: 'client',
      kind: 'task',
      title: msg('검증을 켠 클라이언트로 시크릿 읽기', 'Read a secret with verifying clients'),
      task: msg(
        `secret/ 에 KV v2를 켜고 secret/${SECRET.path}를 쓴 뒤, VAULT_CACERT를 쓰는 CLI와 --cacert를 쓰는 curl로 읽으세요. VAULT_SKIP_VERIFY는 쓰지 않습니다.`,
        `Enable KV v2 at secret/, write secret/${SECRET.path}, then read it with the CLI (VAULT_CACERT) and curl (--cacert). No VAULT_SKIP_VERIFY.`,
      ),
      hint: msg('x509: certificate signed by unknown authority가 나오면 VAULT_CACERT가 비었거나 다른 CA입니다: eval "$(npx lab env tls)"', 'x509: certificate signed by unknown authority means VAULT_CACERT is unset or another CA: eval "$(npx lab env tls)"'),
      commands: [...kvCmds, ...clientCmds],
      done: async (ctx) => (await ctx.vault().kvGet('secret', SECRET.path))?.data.username === SECRET.data.username,
      checks: ['client-read', 'verified-request', 'no-skip-verify'],
    },
    {
      id: 'verify',
      kind: 'task',
      title: msg('검증: 체인, 이름, 프로토콜 버전', 'Verify: chain, name, protocol versions'),
      task: msg('TLS 1.2와 1.3으로 검증된 요청이 되는지 보고, openssl s_client로 TLS 1.1이 거절되는지 확인하세요.', 'See verified requests succeed over TLS 1.2 and 1.3, and TLS 1.1 refused by openssl s_client.'),
      commands: verifyCmds,
      checks: ['tls-old-refused', 'tls-modern-accepted', 'san-matches', 'chain-verifies'],
    },
    {
      id: 'ingress',
      kind: 'task',
      platforms: ['kind'],
      // On a cluster of the learner's own (LAB_KUBE_CONTEXT) the lab installs no ingress: the step is not theirs to do.
      requires: ['ingress'],
      title: msg(`Ingress로 접속: https://${HOSTNAME} (SSL passthrough)`, `Through the ingress: https://${HOSTNAME} (SSL passthrough)`),
      task: msg(
        `ingress-nginx(127.0.0.1:443)를 거쳐 https://${HOSTNAME}로 접속하세요. 실습 CA로 검증되고, 보이는 인증서가 Vault 자신의 ${HOSTNAME} 인증서여야 합니다.`,
        `Reach https://${HOSTNAME} through ingress-nginx (127.0.0.1:443). It must verify with the lab CA and present Vault's own ${HOSTNAME} certificate.`,
      ),
      hint: msg(
        'Kubernetes Ingress Controller Fake Certificate가 보이면 nginx가 TLS를 직접 끝낸 것입니다: 컨트롤러 인자에 --enable-ssl-passthrough가 있는지 보세요.',
        'A Kubernetes Ingress Controller Fake Certificate means nginx terminated TLS itself: see that the controller has --enable-ssl-passthrough.',
      ),
      commands: ingressCmds,
      checks: ['ingress-passthrough'],
    },
  ],
};
