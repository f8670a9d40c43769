/**
 * The tls topic is judged on the wire: handshakes pinned to each protocol version, the certificate the server
 * really presents (chain against the lab CA, names against the addresses used), a plain-HTTP attempt, and
 * verified requests from Node and the vault/bao CLI with verification on.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Checker, LabContext } from '../src/engine/types.ts';
import { msg } from '../src/engine/i18n.ts';
import { kubectlLine, vaultLine } from './common.ts';
import { defineChecker, fail, pass } from '../src/engine/verdict.ts';
import { peerCertificate, probeVersions, type Handshake, type TlsVersion } from '../src/tls/probe.ts';
import { HOSTNAME, SECRET } from '../labs/tls/data.ts';
import { dropRetry, httpGet } from '../src/vault/http.ts';

export interface State {
  addr: string;
  host: string;
  port: number;
  caFile: string | undefined;
  reachable: boolean;
  versions: Record<TlsVersion, Handshake> | undefined;
  /** The certificate the server presents. */
  peer: { subject: string; issuer: string; sans: string[] } | undefined;
  /** Chain verification against the lab CA alone (not the system store). */
  chain: { ok: boolean; error?: string };
  /** Per name the learner may use: undefined when the certificate matches it, else the mismatch. */
  names: Record<string, string | undefined>;
  plainHttp: { status?: number; vaultAnswered: boolean; error?: string };
  verified: { ok: boolean; status?: number; error?: string };
  cli: { ok: boolean; error?: string };
  /** VAULT_SKIP_VERIFY / BAO_SKIP_VERIFY set to something true in the environment `lab check` runs in. */
  skipVerify: string[];
  secret: Record<string, unknown> | undefined;
  hasToken: boolean;
  /** What the ingress presents for the Vault host name (kind); undefined where the platform has no ingress. */
  ingress: IngressProbe | undefined;
}

/** One handshake to an ingress with SNI: who answered, and with which certificate. */
export interface IngressProbe {
  target: string;
  servername: string;
  /** Something accepted the TCP connection. */
  listening: boolean;
  /** Why no certificate was seen (ECONNREFUSED, ECONNRESET, timeout…). */
  error?: string;
  peer?: { subject: string; org: string; issuer: string; sans: string[] };
  /** The presented chain verifies against the lab CA alone (names are judged apart). */
  labCa: boolean;
  /** undefined when the certificate is valid for `servername`, else the mismatch. */
  nameError?: string;
}

const cn = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join(', ') : (v ?? ''));

/** A real TLS handshake to host:port with SNI `servername`, verifying against the lab CA only; any address, so tests can aim it. */
export function probeIngress(target: { host: string; port: number; servername: string }, caFile: string | undefined): Promise<IngressProbe> {
  const base = { target: `${target.host}:${target.port}`, servername: target.servername, labCa: false };
  return new Promise((resolve) => {
    let connected = false;
    const sock = tls.connect({
      host: target.host,
      port: target.port,
      servername: target.servername,
      rejectUnauthorized: false,
      ...(caFile ? { ca: fs.readFileSync(caFile) } : {}),
      // The name is judged on its own below, so `authorized` speaks of the chain alone.
      checkServerIdentity: () => undefined,
    });
    sock.once('connect', () => {
      connected = true;
    });
    sock.setTimeout(3000, () => {
      sock.destroy();
      resolve({ ...base, listening: connected, error: 'timeout' });
    });
    sock.once('secureConnect', () => {
      const c = sock.getPeerCertificate();
      const nameError = tls.checkServerIdentity(target.servername, c)?.message;
      const out: IngressProbe = {
        ...base,
        listening: true,
        peer: { subject: cn(c.subject?.CN), org: cn(c.subject?.O), issuer: cn(c.issuer?.CN), sans: (c.subjectaltname ?? '').split(',').map((x) => x.trim()).filter(Boolean) },
        labCa: Boolean(caFile) && sock.authorized,
        ...(nameError ? { nameError } : {}),
      };
      sock.destroy();
      resolve(out);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve({ ...base, listening: connected && e.code !== 'ECONNREFUSED', error: e.code ?? e.message }));
  });
}

const truthy = (v: string | undefined) => v !== undefined && v !== '' && !/^(0|false|f|no)$/i.test(v);

export async function gather(ctx: LabContext): Promise<State> {
  const node = ctx.platform.vaultNodes()[0]!;
  const u = new URL(node.addr);
  const host = u.hostname;
  const port = Number(u.port);
  const caFile = node.caFile;
  const s: State = {
    addr: node.addr,
    host,
    port,
    caFile,
    reachable: false,
    versions: undefined,
    peer: undefined,
    chain: { ok: false },
    names: {},
    plainHttp: { vaultAnswered: false },
    verified: { ok: false },
    cli: { ok: false },
    skipVerify: ['VAULT_SKIP_VERIFY', 'BAO_SKIP_VERIFY'].filter((k) => truthy(process.env[k])),
    secret: undefined,
    hasToken: ctx.lab.adminToken() !== undefined,
    ingress: undefined,
  };
  if (ctx.platform.ingress) s.ingress = await probeIngress(ctx.platform.ingress, caFile);
  s.reachable = await new Promise<boolean>((resolve) => {
    const c = net.connect({ host, port }, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (!s.reachable) return s;

  s.versions = await probeVersions(host, port, { ...(caFile ? { caFile } : {}), servername: HOSTNAME, ...dropRetry(node) });
  const p = await peerCertificate(host, port, { ...(caFile ? { caFile } : {}), servername: HOSTNAME, ...dropRetry(node) });
  if (p.cert?.subject) {
    s.peer = {
      subject: String(p.cert.subject.CN ?? ''),
      issuer: String(p.cert.issuer?.CN ?? ''),
      sans: (p.cert.subjectaltname ?? '').split(',').map((x) => x.trim().replace(/^IP Address:/, 'IP:')).filter(Boolean),
    };
    s.chain = caFile ? { ok: p.authorized, ...(p.error ? { error: p.error } : {}) } : { ok: false, error: 'no lab CA file' };
    for (const name of [...new Set([host, HOSTNAME, 'localhost', '127.0.0.1'])]) {
      const err = tls.checkServerIdentity(name, p.cert);
      s.names[name] = err ? err.message : undefined;
    }
  } else {
    s.chain = { ok: false, error: p.error ?? 'no certificate' };
  }

  try {
    const r = await httpGet(`http://${host}:${port}/v1/sys/health`, { timeoutMs: 3000 });
    s.plainHttp = { status: r.status, vaultAnswered: r.status !== 400 && /"initialized"/.test(r.body) };
  } catch (e) {
    s.plainHttp = { vaultAnswered: false, error: (e as Error).message };
  }

  if (caFile) {
    try {
      const r = await httpGet(`${node.addr}/v1/sys/health`, { caFile, timeoutMs: 3000, ...dropRetry(node) });
      s.verified = { ok: r.status === 200, status: r.status };
    } catch (e) {
      s.verified = { ok: false, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
    }
  }
  // The CLI as a learner runs it after `lab env`, with verification forced on whatever this shell says.
  const r = await ctx.platform.vaultCli(['status', '-format=json'], { env: { VAULT_SKIP_VERIFY: '', BAO_SKIP_VERIFY: '' } }).catch((e: unknown) => ({ exitCode: 1, stdout: '', stderr: String(e) }));
  s.cli = r.exitCode === 0 ? { ok: true } : { ok: false, error: (r.stderr || r.stdout).split('\n').filter(Boolean).slice(-2).join(' ') };

  if (s.hasToken) s.secret = (await ctx.vault().kvGet('secret', SECRET.path).catch(() => undefined))?.data;
  return s;
}

// ---- judging ----------------------------------------------------------------------------------------------------

const down = () => fail(msg('Vault의 TLS 포트에 연결할 수 없습니다.', 'cannot connect to Vault\'s TLS port.'), msg("'npx lab start tls'로 서버를 띄우세요 (npx lab status).", "Start the server with 'npx lab start tls' (npx lab status)."));
const minFix = msg('listener "tcp"에 tls_min_version = "tls12"를 두고 Vault를 재시작하세요 (npx lab down tls && npx lab start tls).', 'Set tls_min_version = "tls12" in the tcp listener and restart Vault (npx lab down tls && npx lab start tls).');
const reissue = msg('인증서를 다시 만드세요: rm "$LAB_TLS_CERT" && npx lab down tls && npx lab start tls', 'Reissue the certificate: rm "$LAB_TLS_CERT" && npx lab down tls && npx lab start tls');

/**
 * ingress-nginx's default certificate (internal/net/ssl/ssl.go, getFakeHostSSLCert: O=Acme Co, this CN, DNS
 * ingress.local, self-signed). nginx presents it when it terminates TLS for a host with no TLS secret. Passthrough is
 * a TCP proxy in front of nginx that the controller starts only with --enable-ssl-passthrough
 * (internal/ingress/controller/nginx.go: `if n.cfg.EnableSSLPassthrough { n.setupSSLProxy() }`, and the SNI server list
 * is built under the same flag): without it the ssl-passthrough annotation changes nothing and nginx answers 443 itself.
 */
export const INGRESS_FAKE_CN = 'Kubernetes Ingress Controller Fake Certificate';
const PASSTHROUGH_PATCH = '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--enable-ssl-passthrough"}]';

export const checks: Checker<State>['checks'] = [
  {
    id: 'tls-old-refused',
    title: msg('TLS 1.0, 1.1 핸드셰이크 거절', 'TLS 1.0 and 1.1 handshakes refused'),
    hint: msg('오래된 클라이언트 때문에 tls_min_version을 tls10으로 낮추는 것이 전형적인 실수입니다.', 'Lowering tls_min_version to tls10 for an old client is the classic mistake.'),
    judge: (s) => {
      if (!s.versions) return down();
      const weak = (['TLSv1', 'TLSv1.1'] as const).filter((v) => s.versions![v].ok);
      if (weak.length) return fail(msg(`서버가 ${weak.join(', ')} 연결을 받아 줍니다.`, `the server accepts ${weak.join(', ')}.`), minFix);
      return pass();
    },
  },
  {
    id: 'tls-modern-accepted',
    title: msg('TLS 1.2, 1.3 핸드셰이크 성공', 'TLS 1.2 and 1.3 handshakes succeed'),
    hint: msg('tls_min_version = "tls13"으로 올리면 TLS 1.2 클라이언트가 모두 끊깁니다.', 'Raising tls_min_version to "tls13" cuts off every TLS 1.2 client.'),
    judge: (s) => {
      if (!s.versions) return down();
      const refused = (['TLSv1.2', 'TLSv1.3'] as const).filter((v) => !s.versions![v].ok);
      if (refused.length) return fail(msg(`서버가 ${refused.join(', ')}를 거절합니다 (${refused.map((v) => s.versions![v].error).join(', ')}).`, `the server refuses ${refused.join(', ')} (${refused.map((v) => s.versions![v].error).join(', ')}).`), minFix);
      return pass();
    },
  },
  {
    id: 'chain-verifies',
    title: msg('서버 인증서가 실습 CA로 검증됨', 'The server certificate verifies against the lab CA'),
    hint: msg('CA 대신 서버 인증서를 배포하거나, 다른 CA로 서명하면 검증이 실패합니다.', 'Distributing the server certificate instead of the CA, or signing with another CA, breaks verification.'),
    judge: (s) => {
      if (!s.reachable) return down();
      if (s.chain.ok) return pass();
      return fail(msg(`체인 검증 실패: ${s.chain.error ?? '?'} (발급자: ${s.peer?.issuer ?? '?'})`, `chain does not verify: ${s.chain.error ?? '?'} (issuer: ${s.peer?.issuer ?? '?'})`), reissue);
    },
  },
  {
    id: 'cert-san',
    title: msg(`인증서 SAN에 ${HOSTNAME}, localhost, 127.0.0.1`, `Certificate SANs include ${HOSTNAME}, localhost, 127.0.0.1`),
    hint: msg('CN에만 이름을 적고 SAN을 빼면 Go 클라이언트(vault CLI 포함)가 거부합니다. curl·OpenSSL은 CN으로 물러나 받아 주므로, 한 클라이언트로만 시험하면 놓칩니다.', 'A name only in the CN, with no SAN, is refused by Go clients (the vault CLI among them); curl and OpenSSL fall back to the CN, so testing with one client alone misses it.'),
    judge: (s) => {
      if (!s.peer) return down();
      const want = [`DNS:${HOSTNAME}`, 'DNS:localhost', 'IP:127.0.0.1'];
      const missing = want.filter((w) => !s.peer!.sans.includes(w));
      if (missing.length) return fail(msg(`SAN에 없는 항목: ${missing.join(', ')} (있는 것: ${s.peer.sans.join(', ') || '없음'})`, `missing SANs: ${missing.join(', ')} (present: ${s.peer.sans.join(', ') || 'none'})`), reissue);
      return pass();
    },
  },
  {
    id: 'san-matches',
    title: msg('접속 주소와 인증서 이름이 일치', 'The address used matches the certificate'),
    hint: msg('SAN에 없는 주소(예: https://10.0.0.5:8200)로 접속하면 검증이 실패합니다: 인증서에 있는 이름으로 접속하세요.', 'An address not in the SANs (e.g. https://10.0.0.5:8200) fails verification: connect by a name the certificate carries.'),
    judge: (s) => {
      if (!s.peer) return down();
      const bad = Object.entries(s.names).filter(([, e]) => e !== undefined);
      if (bad.length) return fail(msg(`이름 불일치: ${bad.map(([n, e]) => `${n} (${e})`).join('; ')}`, `name mismatch: ${bad.map(([n, e]) => `${n} (${e})`).join('; ')}`), reissue);
      return pass();
    },
  },
  {
    id: 'plain-http-refused',
    title: msg('평문 HTTP 요청은 거절', 'Plain HTTP is refused'),
    hint: msg('tls_disable = true로 두면 토큰과 시크릿이 평문으로 오갑니다.', 'With tls_disable = true tokens and secrets travel in clear text.'),
    judge: (s) => {
      if (!s.reachable) return down();
      if (s.plainHttp.vaultAnswered) return fail(msg(`http:// 로 보낸 요청에 Vault가 응답했습니다 (HTTP ${s.plainHttp.status}).`, `Vault answered a plain http:// request (HTTP ${s.plainHttp.status}).`), msg('listener "tcp"에서 tls_disable을 지우고 tls_cert_file, tls_key_file을 두세요.', 'Remove tls_disable from the tcp listener and set tls_cert_file and tls_key_file.'));
      return pass();
    },
  },
  {
    id: 'verified-request',
    title: msg('검증을 켠 요청이 성공 (Node, vault CLI)', 'Verified requests succeed (Node, vault CLI)'),
    hint: msg('검증 오류를 VAULT_SKIP_VERIFY로 덮지 말고 VAULT_CACERT로 CA를 알려 주세요.', 'Do not paper over verification errors with VAULT_SKIP_VERIFY; point VAULT_CACERT at the CA.'),
    judge: (s) => {
      if (!s.reachable) return down();
      if (!s.verified.ok) return fail(msg(`CA로 검증한 HTTPS 요청이 실패합니다: ${s.verified.error ?? `HTTP ${s.verified.status}`}`, `an HTTPS request verified with the CA fails: ${s.verified.error ?? `HTTP ${s.verified.status}`}`), reissue);
      if (!s.cli.ok) return fail(msg(`VAULT_CACERT를 쓴 vault status가 실패합니다: ${s.cli.error ?? ''}`, `vault status with VAULT_CACERT fails: ${s.cli.error ?? ''}`), msg('eval "$(npx lab env tls)"로 VAULT_ADDR와 VAULT_CACERT를 맞추세요.', 'Set VAULT_ADDR and VAULT_CACERT with eval "$(npx lab env tls)".'));
      return pass();
    },
  },
  {
    id: 'no-skip-verify',
    title: msg('VAULT_SKIP_VERIFY를 쓰지 않음', 'VAULT_SKIP_VERIFY is not set'),
    hint: msg('export VAULT_SKIP_VERIFY=true는 잊기 쉽습니다: env | grep SKIP_VERIFY로 확인하세요.', 'An exported VAULT_SKIP_VERIFY=true is easy to forget: check with env | grep SKIP_VERIFY.'),
    judge: (s) => (s.skipVerify.length ? fail(msg(`이 셸에 ${s.skipVerify.join(', ')}가 켜져 있습니다: 인증서 검증이 꺼집니다.`, `${s.skipVerify.join(', ')} is set in this shell: certificate verification is off.`), undefined, [{ kind: 'exec', file: 'unset', args: s.skipVerify }]) : pass()),
  },
  {
    id: 'client-read',
    title: msg(`secret/${SECRET.path}를 TLS로 읽음`, `secret/${SECRET.path} is readable over TLS`),
    hint: msg('KV v2의 API 경로에는 data/ 가 들어갑니다: /v1/secret/data/webapp/config', 'KV v2 API paths contain data/: /v1/secret/data/webapp/config'),
    judge: (s) => {
      if (!s.hasToken) return fail(msg('랩의 토큰이 없습니다.', 'the lab has no token.'), msg("'npx lab start tls'를 다시 실행하세요.", "Run 'npx lab start tls' again."));
      if (s.secret?.username === SECRET.data.username) return pass();
      return fail(msg(`secret/${SECRET.path}가 없습니다.`, `secret/${SECRET.path} does not exist.`), msg('secret/ 에 KV v2가 없다면 첫 줄부터:', 'From the first line if secret/ holds no KV v2 yet:'), [
        vaultLine('secrets', 'enable', '-path=secret', 'kv-v2'),
        vaultLine('kv', 'put', `secret/${SECRET.path}`, `username=${SECRET.data.username}`, `password=${SECRET.data.password}`),
      ]);
    },
  },
  {
    id: 'ingress-passthrough',
    platforms: ['kind'],
    requires: ['ingress'],
    title: msg(`Ingress(443)가 ${HOSTNAME}에 Vault 자신의 인증서를 그대로 넘김 (SSL passthrough)`, `The ingress (443) passes Vault's own ${HOSTNAME} certificate through (SSL passthrough)`),
    hint: msg(
      'Ingress에 ssl-passthrough annotation만 달고 컨트롤러에 --enable-ssl-passthrough를 빠뜨리면, nginx가 TLS를 직접 끝내고 가짜 인증서를 내밉니다.',
      'With the ssl-passthrough annotation on the Ingress but no --enable-ssl-passthrough on the controller, nginx terminates TLS itself and presents its fake certificate.',
    ),
    judge: (s) => {
      const ing = s.ingress;
      if (!ing) {
        return fail(
          msg('이 랩은 Ingress 주소를 모릅니다: LAB_KUBE_CONTEXT 클러스터에는 랩이 ingress-nginx를 설치하지 않습니다.', 'this lab knows no ingress address: on a LAB_KUBE_CONTEXT cluster the lab installs no ingress-nginx.'),
          msg('LAB_KUBE_CONTEXT 없이 랩 자신의 kind 클러스터로 실습하세요: unset LAB_KUBE_CONTEXT && npx lab run tls --platform kind', "Practise on the lab's own kind cluster, without LAB_KUBE_CONTEXT: unset LAB_KUBE_CONTEXT && npx lab run tls --platform kind"),
        );
      }
      if (!ing.listening) {
        return fail(
          msg(`${ing.target}에서 아무도 연결을 받지 않습니다 (${ing.error ?? '?'}): ingress-nginx가 없거나, 80/443 매핑 없이 만든 kind 클러스터입니다.`, `nothing accepts connections on ${ing.target} (${ing.error ?? '?'}): no ingress-nginx, or a kind cluster made without the 80/443 mapping.`),
          msg(
            '컨트롤러를 보세요. 80/443 매핑이 없는 예전 클러스터라면: kind delete cluster --name vault-lab && npx lab run tls --platform kind',
            'See the controller. An old cluster without the 80/443 mapping: kind delete cluster --name vault-lab && npx lab run tls --platform kind',
          ),
          [kubectlLine('-n', 'ingress-nginx', 'get', 'pods')],
        );
      }
      if (!ing.peer) {
        return fail(
          msg(`${ing.target}가 연결은 받았지만 ${ing.servername}의 TLS 핸드셰이크가 끝나지 않았습니다 (${ing.error ?? '?'}): passthrough 뒤의 Vault 서비스에 닿지 못합니다.`, `${ing.target} accepts the connection but no TLS handshake for ${ing.servername} completes (${ing.error ?? '?'}): the passthrough does not reach the Vault service.`),
          msg('Ingress와 vault 서비스의 엔드포인트를 보세요 (npx lab status tls):', "See the Ingress and the vault service's endpoints (npx lab status tls):"),
          [kubectlLine('-n', 'vault', 'get', 'ingress,endpoints')],
        );
      }
      const p = ing.peer;
      if (p.subject === INGRESS_FAKE_CN) {
        return fail(
          msg(
            `ingress-nginx가 TLS를 직접 끝내고 자기 기본 인증서(CN=${INGRESS_FAKE_CN})를 내밀었습니다: passthrough가 꺼져 있습니다. Ingress의 ssl-passthrough annotation은 컨트롤러에 --enable-ssl-passthrough가 없으면 무시됩니다.`,
            `ingress-nginx terminated TLS itself and presented its default certificate (CN=${INGRESS_FAKE_CN}): passthrough is off. The Ingress's ssl-passthrough annotation is ignored unless the controller runs with --enable-ssl-passthrough.`,
          ),
          msg('첫 줄은 컨트롤러에 플래그를 더합니다. 플래그가 이미 있다면 둘째 줄로 Ingress의 annotation을 보세요:', "The first line adds the flag to the controller; if it is there already, the second shows the Ingress's annotation:"),
          [
            kubectlLine('-n', 'ingress-nginx', 'patch', 'deployment', 'ingress-nginx-controller', '--type=json', '-p', PASSTHROUGH_PATCH),
            kubectlLine('-n', 'vault', 'get', 'ingress', 'vault', '-o', 'jsonpath={.metadata.annotations}'),
          ],
        );
      }
      const who = `CN=${p.subject}${p.sans.length ? `, ${p.sans.join(', ')}` : ''}; issuer ${p.issuer}`;
      if (ing.nameError) {
        return fail(
          msg(`${ing.target}가 ${ing.servername}이라는 이름이 없는 인증서를 내밀었습니다 (${who}): Vault가 아닌 다른 서버나 Ingress가 답합니다.`, `${ing.target} presented a certificate not for ${ing.servername} (${who}): another server or Ingress answers, not Vault.`),
          msg(`호스트 이름 ${ing.servername}을 쓰는 Ingress를 찾아 보세요:`, `Find the Ingresses that claim ${ing.servername}:`),
          [kubectlLine('get', 'ingress', '-A')],
        );
      }
      if (!ing.labCa) {
        return fail(
          msg(`${ing.servername} 인증서이지만 실습 CA가 발급한 것이 아닙니다 (${who}): Vault가 아니라 nginx가 다른 TLS 시크릿으로 TLS를 끝냈거나, vault-tls 시크릿이 다른 인증서입니다.`, `a ${ing.servername} certificate, but not issued by the lab CA (${who}): nginx terminated TLS with another TLS secret, or the vault-tls Secret holds another certificate.`),
          msg('Ingress의 spec.tls를 보고, 시크릿은 다시 만드세요: npx lab down tls && npx lab start tls', "See the Ingress's spec.tls, and remake the Secret: npx lab down tls && npx lab start tls"),
          [kubectlLine('-n', 'vault', 'get', 'ingress', 'vault', '-o', 'yaml')],
        );
      }
      return pass();
    },
  },
];

export const checker = defineChecker<State>({ gather, checks });
