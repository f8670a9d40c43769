/**
 * Secrets never reach a terminal, a log or the site. Every known secret value is registered here when it is
 * read or created, and every output path runs through redact().
 */
const known = new Set<string>();

// Vault (hvs./hvb./hvr.) and OpenBao (s./b./r.) service, batch and recovery tokens.
const TOKEN_RE = /\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{20,}/g;

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) known.add(value);
}

export function redact(text: string): string {
  let out = text.replace(TOKEN_RE, (m) => `${m.slice(0, m.indexOf('.') + 1)}****`);
  for (const s of known) {
    if (out.includes(s)) out = out.split(s).join('****');
  }
  return out;
}

export function looksLikeToken(value: string): boolean {
  return new RegExp(`^${TOKEN_RE.source}$`).test(value);
}
