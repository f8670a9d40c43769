/** Where the production topic's transit seal lives, from the platform's own port block and lab folder. */
import type { LabDir } from '../../engine/state.ts';

export const TRANSIT_KEY = 'autounseal';
export const TRANSIT_TOKEN_SECRET = 'transit-token';

interface Place {
  servicePort(offset: number): number;
  lab: LabDir;
}

export const transitPort = (p: Pick<Place, 'servicePort'>): number => p.servicePort(2);
export const transitAddr = (p: Pick<Place, 'servicePort'>): string => `https://127.0.0.1:${transitPort(p)}`;

export function transitSealOf(p: Place): { addr: string; keyName: string; mountPath: string; tokenFile: string; caFile: string } {
  return { addr: transitAddr(p), keyName: TRANSIT_KEY, mountPath: 'transit/', tokenFile: p.lab.path(TRANSIT_TOKEN_SECRET), caFile: p.lab.path('tls', 'ca.crt') };
}
