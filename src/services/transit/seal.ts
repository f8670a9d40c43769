/** Where the production topic's transit seal lives: its Vault's port and the token file in the lab folder. */
import type { LabDir } from '../../engine/state.ts';

export const TRANSIT_KEY = 'autounseal';
export const TRANSIT_TOKEN_SECRET = 'transit-token';

export const transitAddr = (port: number): string => `https://127.0.0.1:${port}`;

/** `port`: the transit service's 'api' port (LocalPlatform.hostFor('transit').port('api')). */
export function transitSealOf(p: { port: number; lab: LabDir }): { addr: string; keyName: string; mountPath: string; tokenFile: string; caFile: string } {
  return { addr: transitAddr(p.port), keyName: TRANSIT_KEY, mountPath: 'transit/', tokenFile: p.lab.path(TRANSIT_TOKEN_SECRET), caFile: p.lab.path('tls', 'ca.crt') };
}
