/** The import rules of scripts/check-imports.ts, above all the layer order (ARCHITECTURE.md, "Import rules"). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYERS, layerOf, projectGraph, violations } from '../../scripts/check-imports.ts';

const f = (p: string) => path.join(...p.split('/'));
const graphOf = (edges: [string, string[]][]) => new Map(edges.map(([from, to]): [string, string[]] => [f(from), to.map(f)]));

describe('the layer rule', () => {
  it('the project as it is keeps every rule (0 violations), and every file has a layer', () => {
    const graph = projectGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(violations(graph)).toEqual([]);
  });

  it('the core imports nothing else of the project', () => {
    const core = ['src/engine/errors.ts', 'src/engine/i18n.ts', 'src/engine/redact.ts', 'src/engine/paths.ts', 'src/engine/poll.ts', 'src/exec.ts'];
    for (const c of core) expect(LAYERS[layerOf(f(c))!]!.name).toBe('core');
    const v = violations(graphOf([['src/engine/poll.ts', ['src/engine/state.ts']], ['src/exec.ts', ['src/vault/binary.ts', 'src/engine/errors.ts']], ['src/engine/state.ts', []], ['src/vault/binary.ts', []], ['src/engine/errors.ts', []]]));
    expect(v).toEqual([
      `${f('src/engine/poll.ts')} → ${f('src/engine/state.ts')}: the core layer must not import the engine layer above it (rule 5)`,
      `${f('src/exec.ts')} → ${f('src/vault/binary.ts')}: the core layer must not import the engine layer above it (rule 5)`,
    ]);
  });

  it('catches an upward import added to the real graph: a platform reaching into the CLI, a service into a platform', () => {
    const graph = projectGraph();
    graph.set(f('src/platforms/kind/dry-run.ts'), [...graph.get(f('src/platforms/kind/dry-run.ts'))!, f('src/cli/types.ts')]);
    graph.set(f('src/services/ldap/local.ts'), [...graph.get(f('src/services/ldap/local.ts'))!, f('src/platforms/local/local.ts')]);
    const v = violations(graph).filter((line) => line.endsWith('(rule 5)'));
    expect(v).toEqual([
      `${f('src/platforms/kind/dry-run.ts')} → ${f('src/cli/types.ts')}: the platforms layer must not import the commands layer above it (rule 5)`,
      `${f('src/services/ldap/local.ts')} → ${f('src/platforms/local/local.ts')}: the services layer must not import the platforms layer above it (rule 5)`,
    ]);
  });

  it('a file in a folder no layer names is reported, and downward imports pass', () => {
    expect(violations(graphOf([['src/newthing/x.ts', []]]))).toEqual([`${f('src/newthing/x.ts')}: in no layer; place its folder in LAYERS (rule 5)`]);
    expect(violations(graphOf([['bin/lab.js', ['src/cli/main.ts']], ['src/cli/main.ts', ['src/platforms/ports.ts']], ['src/platforms/ports.ts', ['src/services/ports.ts']], ['src/services/ports.ts', ['src/engine/types.ts']], ['src/engine/types.ts', ['src/exec.ts']], ['src/exec.ts', []]]))).toEqual([]);
  });
});
