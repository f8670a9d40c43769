/** ACL policies as data: enough HCL to compare what a policy grants, for judges and for a step's done-ness. */

/** ACL path globbing as Vault does it for a trailing `*` and `+` segments. */
export function pathMatches(pattern: string, path: string): boolean {
  const re = new RegExp(`^${pattern.split('/').map((seg) => (seg === '+' ? '[^/]+' : seg.replace(/[.*?^${}()|[\]\\]/g, '\\$&'))).join('/').replace(/\\\*$/, '.*')}$`);
  return re.test(path);
}

export interface PolicyPath {
  path: string;
  capabilities: string[];
}

/** `path "…" { capabilities = [ … ] }` blocks of an HCL policy. */
export function policyPaths(hcl: string): PolicyPath[] {
  const out: PolicyPath[] = [];
  const re = /path\s+"([^"]+)"\s*\{([^}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(hcl)) !== null) {
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(m[2] ?? '')?.[1] ?? '';
    out.push({ path: m[1]!, capabilities: [...caps.matchAll(/"([^"]+)"/g)].map((c) => c[1]!) });
  }
  return out;
}

const canonical = (hcl: string): string =>
  JSON.stringify(
    policyPaths(hcl)
      .map((p) => ({ path: p.path, capabilities: [...new Set(p.capabilities)].sort() }))
      .sort((a, b) => a.path.localeCompare(b.path)),
  );

/**
 * The same grants (paths and capabilities, in any order or layout): a step that writes a policy is done when the live
 * one grants exactly what the step writes, so a widened path or a wrong capability makes `lab run` write it again.
 */
export function samePolicy(live: string | undefined, want: string): boolean {
  return live !== undefined && canonical(live) === canonical(want);
}
