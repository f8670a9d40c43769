export type Lang = 'ko' | 'en';
/** Every user-facing sentence exists in both languages; Korean is the default. */
export interface Msg {
  ko: string;
  en: string;
}
export const msg = (ko: string, en: string): Msg => ({ ko, en });
export const tr = (m: Msg, lang: Lang): string => m[lang];
export function parseLang(v: string | undefined): Lang | undefined {
  if (v === undefined) return undefined;
  const s = v.toLowerCase();
  if (s === 'ko' || s.startsWith('ko_') || s.startsWith('ko-')) return 'ko';
  if (s === 'en' || s.startsWith('en_') || s.startsWith('en-')) return 'en';
  return undefined;
}
