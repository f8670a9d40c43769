import net from 'node:net';
import fs from 'node:fs';
import { LabError, Exit } from '../engine/errors.ts';
import { msg } from '../engine/i18n.ts';

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

/** Who listens on a TCP port (Linux /proc scan; undefined elsewhere or without permission). */
export function portOwner(port: number): { pid: number; command: string } | undefined {
  try {
    const inodes = new Set<string>();
    for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!fs.existsSync(f)) continue;
      for (const line of fs.readFileSync(f, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        const local = cols[1];
        if (!local || cols[3] !== '0A') continue; // LISTEN
        if (parseInt(local.split(':')[1] ?? '', 16) === port && cols[9]) inodes.add(cols[9]);
      }
    }
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
            return { pid: Number(pid), command };
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
  for (let i = 0; i < 20; i++) {
    if (await portFree(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (await portFree(port)) return;
  // A port inside the kernel's ephemeral range may be the local end of someone's closed outgoing connection: TIME_WAIT
  // holds it for up to 60 s and no process owns it. Wait that out rather than fail.
  for (let waited = 0; waited < 65_000 && !portOwner(port) && onlyTimeWait(port); waited += 500) {
    await new Promise((r) => setTimeout(r, 500));
    if (await portFree(port)) return;
  }
  const owner = portOwner(port);
  const who = owner ? `pid ${owner.pid}: ${owner.command.slice(0, 120)}` : 'unknown process';
  throw new LabError(msg(`포트 ${port} (${what})를 이미 다른 프로세스가 쓰고 있습니다 — ${who}`, `port ${port} (${what}) is already in use — ${who}`), {
    exitCode: Exit.environment,
    hint: msg(
      '그 프로세스를 멈추거나, LAB_PORT_BASE로 다른 포트 대역을 고르세요 (예: LAB_PORT_BASE=19200).',
      'Stop that process, or choose another port range with LAB_PORT_BASE (e.g. LAB_PORT_BASE=19200).',
    ),
  });
}
