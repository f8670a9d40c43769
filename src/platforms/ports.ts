import net from 'node:net';
import fs from 'node:fs';
import { LabError, Exit, PortHeldError } from '../engine/errors.ts';
import { msg, type Msg } from '../engine/i18n.ts';
import { poll } from '../engine/poll.ts';

/** Each topic gets its own block of 20 loopback ports above LAB_PORT_BASE (default 18200). */
export const TOPIC_SLOTS = ['vault-k8s', 'ha-failover', 'ldap', 'tls', 'mcp', 'production', 'k8s-auth', 'vso'];

/**
 * The kind platform's port-forwards sit in blocks of their own above the local ones: a kind lab and a local lab of the
 * same topic (another lab home, another checkout) must not both want 127.0.0.1:<base> (issue 19, defect 9).
 */
export function portBase(topic: string, platform: 'local' | 'kind' = 'local'): number {
  const base = Number(process.env.LAB_PORT_BASE ?? 18200);
  if (!Number.isInteger(base) || base < 1024 || base > 65000) {
    throw new LabError(msg(`LAB_PORT_BASE 값이 잘못되었습니다: ${process.env.LAB_PORT_BASE}`, `invalid LAB_PORT_BASE: ${process.env.LAB_PORT_BASE}`), { exitCode: Exit.usage });
  }
  const slot = TOPIC_SLOTS.indexOf(topic);
  const local = slot < 0 ? TOPIC_SLOTS.length : slot;
  return base + (platform === 'kind' ? TOPIC_SLOTS.length + 1 + local : local) * 20;
}

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * Who holds a TCP port (Linux /proc scan; undefined elsewhere or without permission): the process listening on it,
 * else one whose connection has it as its local end (an outgoing connection handed that port, or a client that
 * connected to its own port while nothing listened there). A socket in TIME_WAIT belongs to no process.
 */
export function portOwner(port: number): { pid: number; command: string; listening: boolean } | undefined {
  try {
    const listen = new Set<string>();
    const other = new Set<string>();
    for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!fs.existsSync(f)) continue;
      for (const line of fs.readFileSync(f, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        const local = cols[1];
        if (!local || parseInt(local.split(':')[1] ?? '', 16) !== port || !cols[9] || cols[9] === '0') continue;
        (cols[3] === '0A' ? listen : other).add(cols[9]);
      }
    }
    const listening = listen.size > 0;
    const inodes = listening ? listen : other;
    if (!inodes.size) return undefined;
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let fds: string[];
      try {
        fds = fs.readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
          if (m && inodes.has(m[1]!)) {
            const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
            return { pid: Number(pid), command, listening };
          }
        } catch {
          /* raced */
        }
      }
    }
  } catch {
    /* not Linux */
  }
  return undefined;
}

/** Sockets on this local port exist and all are in TIME_WAIT (state 06 in /proc/net/tcp). */
export function onlyTimeWait(port: number): boolean {
  const states: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of fs.readFileSync(f, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1] && parseInt(cols[1].split(':')[1] ?? '', 16) === port) states.push(cols[3] ?? '');
      }
    } catch {
      /* not Linux */
    }
  }
  return states.length > 0 && states.every((st) => st === '06');
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  // A server that was just killed may hold its port for a moment while its threads exit: allow it a short grace.
  if (await poll(() => portFree(port), { timeoutMs: 2000, everyMs: 100 })) return;
  // A port inside the kernel's ephemeral range may be the local end of someone's closed outgoing connection: TIME_WAIT
  // holds it for up to 60 s and no process owns it. Wait that out rather than fail.
  const timeWaitOnly = () => !portOwner(port) && onlyTimeWait(port);
  if (timeWaitOnly() && (await poll(async () => (await portFree(port)) || !timeWaitOnly(), { timeoutMs: 65_000, everyMs: 500 })) && (await portFree(port))) return;
  throw portHeld(port, what);
}

/** Who holds a port, in words: "pid N: command", and whether it is a connection's local end rather than a listener. */
export function portHolder(port: number): Msg {
  const owner = portOwner(port);
  if (!owner) return msg('알 수 없는 프로세스', 'unknown process');
  const who = `pid ${owner.pid}: ${owner.command.replace(/\s+/g, ' ').trim().slice(0, 120)}`;
  return owner.listening ? msg(who, who) : msg(`${who} (이 포트를 로컬 쪽으로 쓰는 연결)`, `${who} (a connection whose local end is this port)`);
}

/** The one-line error for a port the lab needs and someone else holds, with its holder; `fix` says what to do then. */
export function portHeld(port: number, what: string, fix?: Msg): PortHeldError {
  const who = portHolder(port);
  return new PortHeldError(port, msg(`포트 ${port} (${what})를 이미 다른 프로세스가 쓰고 있습니다 — ${who.ko}`, `port ${port} (${what}) is already in use — ${who.en}`), {
    hint: fix
      ? msg(`그 프로세스를 멈추거나 LAB_PORT_BASE로 다른 포트 대역을 고르세요: ${fix.ko}.`, `Stop that process, or choose another port range with LAB_PORT_BASE: ${fix.en}.`)
      : msg('그 프로세스를 멈추거나, LAB_PORT_BASE로 다른 포트 대역을 고르세요 (예: LAB_PORT_BASE=19200).', 'Stop that process, or choose another port range with LAB_PORT_BASE (e.g. LAB_PORT_BASE=19200).'),
  });
}

/** The loopback ports the lab listens on: every topic's block of 20 above LAB_PORT_BASE and the one after them, local and kind. */
export function labPortRange(base = portBase(TOPIC_SLOTS[0]!)): [number, number] {
  // The local blocks, then the kind platform's port-forward blocks above them (see portBase).
  return [base, base + 2 * (TOPIC_SLOTS.length + 1) * 20 - 1];
}

/** What the kernel says about local ports: the range outgoing connections are handed, and the ports kept out of it. */
export interface PortSysctls {
  /** net.ipv4.ip_local_port_range, e.g. [32768, 60999]; undefined where there is no /proc (macOS). */
  ephemeral: [number, number] | undefined;
  /** net.ipv4.ip_local_reserved_ports, as ranges. */
  reserved: [number, number][];
}

export function parsePortList(text: string): [number, number][] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [a, b] = s.split('-').map(Number);
      return [a!, b ?? a!] as [number, number];
    })
    .filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b));
}

export function readPortSysctls(read: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): PortSysctls {
  let ephemeral: [number, number] | undefined;
  let reserved: [number, number][] = [];
  try {
    const [lo, hi] = read('/proc/sys/net/ipv4/ip_local_port_range').trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi)) ephemeral = [lo!, hi!];
    reserved = parsePortList(read('/proc/sys/net/ipv4/ip_local_reserved_ports'));
  } catch {
    /* not Linux */
  }
  return { ephemeral, reserved };
}

export interface PortRangeVerdict {
  ok: boolean;
  /** The lab's ports that an outgoing connection may be handed (inside the ephemeral range and not reserved). */
  exposed: [number, number][];
  text: Msg;
  hint?: Msg;
}

/**
 * Judged from a reading (pure): a lab port inside the ephemeral range and not reserved can be taken by any outgoing
 * connection, or by a client connecting to that very port while its server is down, and a restarted server then
 * cannot listen on it.
 */
export function judgePortRange(range: [number, number], s: PortSysctls): PortRangeVerdict | undefined {
  if (!s.ephemeral) return undefined;
  const [lo, hi] = range;
  const [elo, ehi] = s.ephemeral;
  const shown = `${lo}-${hi}`;
  if (hi < elo || lo > ehi) {
    return { ok: true, exposed: [], text: msg(`랩 포트 ${shown}: 임시(ephemeral) 포트 대역 ${elo}-${ehi} 밖`, `lab ports ${shown}: outside the ephemeral port range ${elo}-${ehi}`) };
  }
  // The overlap, minus the reserved ranges.
  const exposed: [number, number][] = [];
  let from = Math.max(lo, elo);
  const to = Math.min(hi, ehi);
  for (const [a, b] of [...s.reserved].sort((x, y) => x[0] - y[0])) {
    if (b < from || a > to) continue;
    if (a > from) exposed.push([from, a - 1]);
    from = Math.max(from, b + 1);
  }
  if (from <= to) exposed.push([from, to]);
  if (!exposed.length) {
    return { ok: true, exposed, text: msg(`랩 포트 ${shown}: 임시 포트 대역 ${elo}-${ehi} 안이지만 예약됨 (ip_local_reserved_ports)`, `lab ports ${shown}: inside the ephemeral range ${elo}-${ehi}, but reserved (ip_local_reserved_ports)`) };
  }
  const list = exposed.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
  const below = elo - (hi - lo + 1) - 1;
  // sysctl -w replaces the list: keep what is reserved already.
  const reserve = [...s.reserved.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)), shown].join(',');
  return {
    ok: false,
    exposed,
    text: msg(
      `랩 포트 ${shown}: 임시(ephemeral) 포트 대역 ${elo}-${ehi} 안에 있고 예약되지 않았습니다 (${list}) — 다시 시작한 서버가 자기 포트를 나가는 연결에 빼앗길 수 있습니다`,
      `lab ports ${shown} overlap the ephemeral port range ${elo}-${ehi} and are not reserved (${list}): a restarted server can find its port taken by an outgoing connection`,
    ),
    hint: msg(
      `LAB_PORT_BASE=${Math.min(18200, Math.max(1024, below))}처럼 대역 아래를 고르거나, 예약하세요: sudo sysctl -w net.ipv4.ip_local_reserved_ports=${reserve}`,
      `choose a base below it (e.g. LAB_PORT_BASE=${Math.min(18200, Math.max(1024, below))}) or reserve them: sudo sysctl -w net.ipv4.ip_local_reserved_ports=${reserve}`,
    ),
  };
}
