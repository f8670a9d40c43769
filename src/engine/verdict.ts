import type { Msg } from './i18n.ts';
import type { Verdict } from './types.ts';

export const pass = (): Verdict => ({ ok: true });
export const fail = (why: Msg, fix: Msg): Verdict => ({ ok: false, why, fix });
