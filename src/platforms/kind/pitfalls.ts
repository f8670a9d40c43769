/**
 * The kind path's known pitfalls, judged on what the Kubernetes API (and `kubectl logs`) returns for a live cluster.
 * Pure: `lab doctor --platform kind` gathers a ClusterSnapshot with kubectl, these functions judge it.
 * Only the fields read here are typed; everything comes straight from `kubectl get … -o json`.
 */
import { X509Certificate } from 'node:crypto';
import { msg, type Msg } from '../../engine/i18n.ts';
import { INGRESS_NGINX, SSL_PASSTHROUGH_FLAG } from './names.ts';

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Container {
  name?: string;
  args?: string[];
  env?: { name?: string; value?: string }[];
}
export interface PodObj {
  metadata?: Meta;
  spec?: { containers?: Container[] };
  status?: {
    phase?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: { name?: string; ready?: boolean }[];
  };
}
export interface ClusterSnapshot {
  /** Pods of the Vault release (app.kubernetes.io/name=vault, component=server). */
  pods: PodObj[];
  /** The chart's ConfigMap vault-config (data["extraconfig-from-values.hcl"]). */
  config?: { data?: Record<string, string> };
  /** Secret vault-tls, base64 data as the API returns it. */
  tlsSecret?: { data?: Record<string, string> };
  ingresses: { metadata?: Meta }[];
  /** Deployment ingress-nginx-controller, if any. */
  ingressController?: { spec?: { template?: { spec?: { containers?: Container[] } } } };
  /** `kubectl logs <pod>` per Vault pod. */
  logs: Record<string, string>;
  /** The lab left ingress-nginx out on purpose: its own cluster from a node image built here (KindPlatform.withIngress). */
  ingressLeftOut?: boolean;
}

export type PitfallStatus = 'ok' | 'info' | 'warn';
export interface PitfallResult {
  status: PitfallStatus;
  why?: Msg;
  fix?: Msg;
}
export interface Pitfall {
  id: string;
  title: Msg;
  judge: (s: ClusterSnapshot) => PitfallResult;
}

const OK: PitfallResult = { status: 'ok' };
const name = (p: PodObj) => p.metadata?.name ?? '?';
const hcl = (s: ClusterSnapshot) => s.config?.data?.['extraconfig-from-values.hcl'] ?? '';
const listener = (s: ClusterSnapshot) => /listener\s+"tcp"\s*\{([\s\S]*?)\n\s*\}/.exec(hcl(s))?.[1];
/** Vault's listener: TLS is on unless tls_disable is true/1 (a quoted "true" counts too). */
const listenerTls = (s: ClusterSnapshot): boolean | undefined => {
  const l = listener(s);
  if (l === undefined) return undefined;
  return !/^\s*tls_disable\s*=\s*"?(1|true)"?\s*$/m.test(l);
};
const b64 = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8'));

export const pitfalls: Pitfall[] = [
  {
    id: 'anti-affinity-pending',
    title: msg('HA Pod가 anti-affinity 때문에 Pending', 'HA pods Pending from the required anti-affinity'),
    judge: (s) => {
      const stuck = s.pods.filter((p) => p.status?.phase === 'Pending' && (p.status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False' && /anti-affinity/.test(c.message ?? '')));
      if (!stuck.length) return OK;
      return {
        status: 'warn',
        why: msg(`${stuck.map(name).join(', ')}가 스케줄되지 않습니다: 차트의 required pod anti-affinity는 복제본마다 다른 노드가 필요합니다.`, `${stuck.map(name).join(', ')} cannot be scheduled: the chart's required pod anti-affinity needs one node per replica.`),
        fix: msg('워커 노드를 복제본 수(3)만큼 두세요 (kind 설정의 role: worker 3개). 노드를 늘릴 수 없으면 values에 server.affinity: ""를 두고 다시 helm upgrade 하세요.', 'Give the cluster as many workers as replicas (three role: worker nodes in the kind config), or set server.affinity: "" in the values and helm upgrade again.'),
      };
    },
  },
  {
    id: 'sealed-not-ready',
    title: msg('봉인된 Pod는 0/1 Ready (정상)', 'sealed pods are 0/1 Ready (by design)'),
    judge: (s) => {
      const notReady = s.pods.filter((p) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).some((c) => c.name === 'vault' && !c.ready));
      if (!notReady.length) return OK;
      // Vault's kubernetes service registration keeps these labels on its own pod.
      const sealed = notReady.filter((p) => p.metadata?.labels?.['vault-sealed'] === 'true');
      const other = notReady.filter((p) => p.metadata?.labels?.['vault-sealed'] !== 'true');
      if (!other.length) {
        return {
          status: 'info',
          why: msg(`${sealed.map(name).join(', ')}: Running이지만 0/1 Ready입니다. 준비성 프로브(readiness probe)가 vault status를 쓰므로 봉인(sealed) 상태에서는 원래 그렇습니다.`, `${sealed.map(name).join(', ')}: Running but 0/1 Ready. The readiness probe runs vault status, so a sealed pod is never Ready.`),
          fix: msg('고장이 아닙니다. init과 unseal을 마치면 1/1이 됩니다 (npx lab hint).', 'Nothing is broken: it turns 1/1 after init and unseal (npx lab hint).'),
        };
      }
      return {
        status: 'warn',
        why: msg(`${other.map(name).join(', ')}: 봉인이 풀렸는데도(또는 상태 라벨이 없는데) Ready가 아닙니다.`, `${other.map(name).join(', ')}: not Ready although not sealed (or without Vault's status labels).`),
        fix: msg('kubectl describe pod로 readiness probe 실패 이유를 보세요. 흔한 원인: tlsDisable과 listener의 TLS 설정 불일치.', 'See the readiness probe failure in kubectl describe pod. A common cause: tlsDisable not matching the listener.'),
      };
    },
  },
  {
    id: 'tls-disable-mismatch',
    title: msg('global.tlsDisable과 listener의 TLS가 일치', 'global.tlsDisable matches the listener'),
    judge: (s) => {
      const tls = listenerTls(s);
      if (tls === undefined) return OK;
      // The chart sets VAULT_ADDR from global.tlsDisable (templates/server-statefulset.yaml, "vault.scheme").
      const wrong = s.pods.filter((p) => {
        const addr = p.spec?.containers?.find((c) => c.name === 'vault')?.env?.find((e) => e.name === 'VAULT_ADDR')?.value;
        return addr !== undefined && addr.startsWith('https://') !== tls;
      });
      if (!wrong.length) return OK;
      return {
        status: 'warn',
        why: msg(
          `listener는 TLS ${tls ? '켬' : '끔'}인데 ${wrong.map(name).join(', ')}의 VAULT_ADDR은 ${tls ? 'http' : 'https'}입니다 (global.tlsDisable: ${tls}). Pod 안의 vault status와 readiness probe가 실패합니다.`,
          `the listener has TLS ${tls ? 'on' : 'off'} but VAULT_ADDR of ${wrong.map(name).join(', ')} is ${tls ? 'http' : 'https'} (global.tlsDisable: ${tls}). vault status in the pod and the readiness probe fail.`,
        ),
        fix: msg(`values의 global.tlsDisable을 ${!tls}로 맞추고 helm upgrade 하세요.`, `Set global.tlsDisable: ${!tls} in the values and helm upgrade.`),
      };
    },
  },
  {
    id: 'cert-internal-sans',
    title: msg('인증서가 vault-internal 이름을 포함', 'the certificate covers the vault-internal names'),
    judge: (s) => {
      const pem = b64(s.tlsSecret?.data?.['tls.crt']);
      if (!pem) return OK;
      // Every retry_join leader without leader_tls_servername is dialled by its own name.
      const joins = [...hcl(s).matchAll(/retry_join\s*\{([^}]*)\}/g)].map((m) => m[1]!).filter((j) => !/leader_tls_servername/.test(j));
      const hosts = joins.map((j) => /leader_api_addr\s*=\s*"https?:\/\/([^:/"]+)/.exec(j)?.[1]).filter((h): h is string => Boolean(h));
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch {
        return { status: 'warn', why: msg('vault-tls의 tls.crt가 PEM 인증서가 아닙니다.', 'tls.crt in vault-tls is not a PEM certificate.'), fix: msg('kubectl create secret generic vault-tls --from-file=tls.crt=… 로 다시 만드세요.', 'Recreate it with kubectl create secret generic vault-tls --from-file=tls.crt=…') };
      }
      const missing = hosts.filter((h) => cert.checkHost(h) === undefined);
      if (!missing.length) return OK;
      return {
        status: 'warn',
        why: msg(`인증서의 SAN에 ${missing.join(', ')}가 없습니다 (있는 것: ${cert.subjectAltName ?? '없음'}). retry_join이 TLS 검증에서 실패합니다.`, `the certificate's SANs lack ${missing.join(', ')} (it has: ${cert.subjectAltName ?? 'none'}). retry_join fails TLS verification.`),
        fix: msg('SAN에 *.vault-internal (또는 vault-0.vault-internal … 각각)을 넣어 인증서를 다시 만들고 Secret을 바꾸세요. 다른 방법: retry_join에 leader_tls_servername.', 'Reissue the certificate with *.vault-internal (or each vault-N.vault-internal) in its SANs and replace the Secret; or set leader_tls_servername in retry_join.'),
      };
    },
  },
  {
    id: 'tls-secret-ca',
    title: msg('TLS Secret에 ca.crt가 있음', 'the TLS secret has ca.crt'),
    judge: (s) => {
      if (!s.tlsSecret || !/leader_ca_cert_file\s*=\s*"[^"]*ca\.crt"/.test(hcl(s))) return OK;
      if (s.tlsSecret.data?.['ca.crt']) return OK;
      return {
        status: 'warn',
        why: msg('vault-tls Secret에 ca.crt가 없는데 retry_join의 leader_ca_cert_file이 그것을 씁니다. kubectl create secret tls는 ca.crt를 만들지 않습니다.', 'the vault-tls Secret has no ca.crt, yet retry_join\'s leader_ca_cert_file reads it. kubectl create secret tls makes none.'),
        fix: msg('kubectl create secret generic vault-tls --from-file=tls.crt=… --from-file=tls.key=… --from-file=ca.crt=… 로 다시 만드세요.', 'Recreate it: kubectl create secret generic vault-tls --from-file=tls.crt=… --from-file=tls.key=… --from-file=ca.crt=…'),
      };
    },
  },
  {
    id: 'join-before-leader-unsealed',
    title: msg('리더의 봉인이 풀리기 전에 join', 'joining before the leader is unsealed'),
    judge: (s) => {
      const waiting: string[] = [];
      for (const [pod, log] of Object.entries(s.logs)) {
        // The last join outcome in the log decides: retry_join tries every 2 s (recorded from OpenBao 2.6.2, same messages as Vault).
        const events = [...log.matchAll(/failed to get raft challenge: [^\n]*\n((?:\s+[|\w=].*\n?)*)|successfully joined the raft cluster|waiting for unseal keys to be supplied|returning from raft join as the node is initialized/g)];
        const last = events.at(-1);
        if (last?.[0].startsWith('failed to get raft challenge') && /Vault is sealed/.test(last[1] ?? '')) waiting.push(pod);
      }
      if (!waiting.length) return OK;
      return {
        status: 'warn',
        why: msg(`${waiting.join(', ')}: 리더가 아직 봉인(sealed) 상태라 raft challenge를 받지 못하고 있습니다 (503 Vault is sealed).`, `${waiting.join(', ')}: the leader is still sealed, so the raft challenge fails (503 Vault is sealed).`),
        fix: msg('순서: 리더(vault-0)를 먼저 unseal → 팔로워가 join (retry_join이 알아서 다시 시도) → 팔로워 unseal.', 'Order: unseal the leader (vault-0) first → the follower joins (retry_join retries by itself) → unseal the follower.'),
      };
    },
  },
  {
    id: 'passthrough-flag',
    title: msg('ssl-passthrough 주석에는 컨트롤러의 --enable-ssl-passthrough가 필요', 'the ssl-passthrough annotation needs --enable-ssl-passthrough on the controller'),
    judge: (s) => {
      const pass = s.ingresses.filter((i) => i.metadata?.annotations?.['nginx.ingress.kubernetes.io/ssl-passthrough'] === 'true');
      if (!pass.length) return OK;
      const args = s.ingressController?.spec?.template?.spec?.containers?.find((c) => c.name === INGRESS_NGINX.container)?.args ?? [];
      if (args.some((a) => a === SSL_PASSTHROUGH_FLAG || a === `${SSL_PASSTHROUGH_FLAG}=true`)) return OK;
      const names = pass.map((i) => i.metadata?.name ?? '?').join(', ');
      if (!s.ingressController && s.ingressLeftOut) {
        return {
          status: 'info',
          why: msg(`Ingress ${names}는 쓰이지 않습니다: 이 클러스터(여기서 만든 노드 이미지)에는 ingress-nginx를 설치하지 않았습니다 (컨트롤러 이미지는 레지스트리에만 있음). Vault는 port-forward로 접속합니다.`, `Ingress ${names} is not served: ingress-nginx was left out of this cluster (a node image built here; the controller image comes only from a registry). Vault is reached by port-forward.`),
        };
      }
      return {
        status: 'warn',
        why: s.ingressController
          ? msg(`Ingress ${names}에 ssl-passthrough 주석이 있지만 ingress-nginx 컨트롤러에 ${SSL_PASSTHROUGH_FLAG}가 없어 주석이 무시됩니다 (nginx가 TLS를 끊고 자기 인증서를 내밉니다).`, `Ingress ${names} asks for ssl-passthrough, but the ingress-nginx controller runs without ${SSL_PASSTHROUGH_FLAG}: the annotation is ignored (nginx terminates TLS with its own certificate).`)
          : msg(`Ingress ${names}에 ssl-passthrough 주석이 있지만 ${INGRESS_NGINX.namespace}에 ${INGRESS_NGINX.deployment}가 없습니다.`, `Ingress ${names} asks for ssl-passthrough, but there is no ${INGRESS_NGINX.deployment} in ${INGRESS_NGINX.namespace}.`),
        fix: msg(`컨트롤러 Deployment의 args에 ${SSL_PASSTHROUGH_FLAG}를 더하세요 (npx lab run <topic> --platform kind --dry-run의 ingress-nginx-patch.yaml).`, `Add ${SSL_PASSTHROUGH_FLAG} to the controller Deployment's args (ingress-nginx-patch.yaml from npx lab run <topic> --platform kind --dry-run).`),
      };
    },
  },
];

export function judgePitfalls(s: ClusterSnapshot): ({ id: string; title: Msg } & PitfallResult)[] {
  return pitfalls.map((p) => ({ id: p.id, title: p.title, ...p.judge(s) }));
}
