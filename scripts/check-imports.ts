/**
 * The import graph's rules (ARCHITECTURE.md, "Import rules"), checked on every static and dynamic import of the
 * project's own TypeScript. Exits 1 with one line per violation. Type-only imports count: a type circle is still a
 * circle for a reader.
 *
 *   1. no circles;
 *   2. src/ (the engine) imports nothing from labs/, scenarios/, checkers/ or site/ — content is handed to it;
 *   3. labs/ (topic data) imports only src/; checkers/ import no scenarios/ and scenarios/ no checkers/ except
 *      through the catalogue (scenarios/index.ts);
 *   4. platforms are behind one interface: src/engine imports no platform, and no platform imports another (what they
 *      share lives in src/platforms/*.ts);
 *   5. layers (LAYERS, lowest first): a file imports only files of its own layer or a lower one. The core imports
 *      nothing else of the project.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const dirs = ['src', 'labs', 'scenarios', 'checkers', 'site', 'bin'];

function files(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|js)$/.test(d.name) && !d.name.endsWith('.d.ts'))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
    .filter((f) => !f.includes('node_modules') && !f.startsWith(path.join('site', 'out')));
}

export function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.normalize(path.join(path.dirname(file), s)));
}

const top = (f: string) => f.split(path.sep)[0]!;

const under = (...dirs: string[]) => (f: string) => dirs.some((d) => f.startsWith(path.join(...d.split('/')) + path.sep));
const oneOf = (...files: string[]) => (f: string) => files.some((x) => f === path.join(...x.split('/')));

/** The layer order, lowest first (ARCHITECTURE.md, "Import rules"); the first that matches a file is its layer. */
export const LAYERS: { name: string; has: (f: string) => boolean }[] = [
  { name: 'core', has: oneOf('src/engine/errors.ts', 'src/engine/i18n.ts', 'src/engine/redact.ts', 'src/engine/paths.ts', 'src/engine/poll.ts', 'src/exec.ts') },
  { name: 'engine', has: under('src/engine', 'src/vault', 'src/tls') },
  { name: 'services', has: under('src/services') },
  { name: 'platforms', has: under('src/platforms') },
  { name: 'commands', has: under('src/chaos', 'src/mcp', 'src/cli') },
  { name: 'content', has: under('labs', 'scenarios', 'checkers', 'site') },
  { name: 'bin', has: under('bin') },
];

/** A file's layer (its index in LAYERS), or undefined for a file no layer names (a new folder must be placed). */
export function layerOf(f: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.has(f));
  return i < 0 ? undefined : i;
}

export function violations(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const f of graph.keys()) if (layerOf(f) === undefined) out.push(`${f}: in no layer; place its folder in LAYERS (rule 5)`);
  for (const [from, all] of graph) {
    for (const to of new Set(all)) {
      const a = top(from);
      const b = top(to);
      if (a === 'src' && ['labs', 'scenarios', 'checkers', 'site'].includes(b)) out.push(`${from} → ${to}: the engine must not import content (rule 2)`);
      if (a === 'labs' && b !== 'src' && b !== 'labs') out.push(`${from} → ${to}: topic data imports only src/ (rule 3)`);
      if (a === 'checkers' && b === 'scenarios') out.push(`${from} → ${to}: a checker must not import steps (rule 3)`);
      const plat = (f: string) => (f.startsWith(path.join('src', 'platforms') + path.sep) ? f.split(path.sep)[2] : undefined);
      const pa = plat(from);
      const pb = plat(to);
      if (from.startsWith(path.join('src', 'engine') + path.sep) && pb !== undefined && pb.endsWith('.ts') === false) out.push(`${from} → ${to}: the engine must not import a platform (rule 4)`);
      if (pa && pb && pa !== pb && !pa.endsWith('.ts') && !pb.endsWith('.ts')) out.push(`${from} → ${to}: one platform must not import another (rule 4)`);
      if (a === 'scenarios' && b === 'checkers' && from !== path.join('scenarios', 'index.ts')) out.push(`${from} → ${to}: steps must not import checks; the catalogue pairs them (rule 3)`);
      const la = layerOf(from);
      const lb = layerOf(to);
      if (la !== undefined && lb !== undefined && lb > la) out.push(`${from} → ${to}: the ${LAYERS[la]!.name} layer must not import the ${LAYERS[lb]!.name} layer above it (rule 5)`);
    }
  }
  // Circles: depth-first search, each cycle reported once by its smallest member.
  const seen = new Set<string>();
  const onStack: string[] = [];
  const reported = new Set<string>();
  const visit = (f: string) => {
    if (onStack.includes(f)) {
      const cycle = onStack.slice(onStack.indexOf(f));
      const key = [...cycle].sort().join('|');
      if (!reported.has(key)) {
        reported.add(key);
        out.push(`circle: ${[...cycle, f].join(' → ')} (rule 1)`);
      }
      return;
    }
    if (seen.has(f)) return;
    seen.add(f);
    onStack.push(f);
    for (const t of graph.get(f) ?? []) if (graph.has(t)) visit(t);
    onStack.pop();
  };
  for (const f of graph.keys()) visit(f);
  return out;
}

/** The project's import graph: each file of src, labs, scenarios, checkers, site and bin → the files it imports. */
export function projectGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of dirs.flatMap(files)) graph.set(f, importsOf(f));
  return graph;
}

if (import.meta.main) {
  const graph = projectGraph();
  const v = violations(graph);
  for (const line of v) console.log(line);
  console.log(v.length ? `import rules: ${v.length} violation(s) in ${graph.size} files` : `import rules: ok (${graph.size} files)`);
  process.exit(v.length ? 1 : 0);
}
