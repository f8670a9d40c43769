/**
 * Secrets never reach a terminal, a log or the site. Every known secret value is registered here when it is
 * read or created, and every output path runs through redact().
 */
const known = new Set<string>();
/**
 * Text the lab itself shows a learner as lines to paste (every command of the open topic, rendered). A value that
 * occurs in it as a whole word (the demo secret `static-password`, the rotated `rotated-password-2`) is the lesson's
 * own text, not a secret: masking it would turn a runnable `vault kv put … username=static-user` into one that
 * stores `****`.
 */
let publicText = '';

// Vault (hvs./hvb./hvr.) and OpenBao (s./b./r.) service, batch and recovery tokens.
const TOKEN_RE = /\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{20,}/g;

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) known.add(value);
}

export function declarePublic(text: string): void {
  publicText = text;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isPublic = (s: string): boolean => publicText.includes(s) && new RegExp(`(?<![\\w.-])${escapeRe(s)}(?![\\w-])`).test(publicText);

export function redact(text: string): string {
  let out = text.replace(TOKEN_RE, (m) => `${m.slice(0, m.indexOf('.') + 1)}****`);
  for (const s of known) {
    if (out.includes(s) && !isPublic(s)) out = out.split(s).join('****');
  }
  return out;
}

export function looksLikeToken(value: string): boolean {
  return new RegExp(`^${TOKEN_RE.source}$`).test(value);
}

/** Only for tests that register values per case. */
export function forgetSecrets(): void {
  known.clear();
}
