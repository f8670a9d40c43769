/**
 * The FAKE cluster's `kubectl`, `helm` and `kind` as programs (see cluster.ts), so that `lab` and a learner's shell run
 * unchanged against it: `node cli.ts <config.json> <tool> <args…>`. shims() writes the three scripts that call it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterConfig } from './cluster.ts';

async function main(argv: string[]): Promise<number> {
  const [cfgFile, tool, ...args] = argv;
  const cfg = JSON.parse(fs.readFileSync(cfgFile!, 'utf8')) as ClusterConfig;
  const out = (s: string) => process.stdout.write(s);
  if (tool === 'kind') {
    if (args[0] === 'get' && args[1] === 'clusters') out('vault-lab\n');
    return 0;
  }
  if (tool === 'helm') return 0;
  const a = args[0] === '--context' ? args.slice(2) : args;
  if (a[0] === 'config' && a[1] === 'get-contexts') {
    out('kind-vault-lab\n');
    return 0;
  }
  const { provideContent } = await import('../../src/engine/catalogue.ts');
  const { catalogue } = await import('../../scenarios/index.ts');
  provideContent({ catalogue, site: () => import('../../site/index.ts') });
  const { LabDir } = await import('../../src/engine/state.ts');
  const { loadTopic } = await import('../../src/engine/catalogue.ts');
  const { createPlatform } = await import('../../src/platforms/index.ts');
  const { FakeCluster, proxy } = await import('./cluster.ts');
  const topic = await loadTopic(cfg.topic);
  const cluster = new FakeCluster(cfg, await createPlatform('local', topic, new LabDir(cfg.topic, cfg.podsHome)));
  if (a[0] === 'port-forward') {
    const [target, ports] = a.slice(1).filter((x, i, all) => !x.startsWith('-') && all[i - 1] !== '-n' && all[i - 1] !== '--address');
    await proxy(Number(ports!.split(':')[0]), cluster.forwardTarget(target!));
    return new Promise(() => undefined);
  }
  // A pod that is there is waited for, as a real kubectl does (the lab's port-forward loop restarts its forward when this
  // returns); the fake's pods are never deleted for good, a `delete pod` restarts the server behind the same forward.
  if (a[0] === 'wait' && a.includes('--for=delete')) {
    setInterval(() => undefined, 1 << 30);
    return new Promise(() => undefined);
  }
  const input = a[0] === 'exec' && (a.includes('-i') || a.includes('-it')) ? fs.readFileSync(0, 'utf8') : undefined;
  const r = await cluster.kubectl(args, input);
  out(r.stdout);
  process.stderr.write(r.stderr);
  return r.exitCode;
}

/** kubectl, helm and kind in `dir`, each calling this program with `config` (a ClusterConfig file). */
export function shims(dir: string, config: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const self = fileURLToPath(import.meta.url);
  for (const tool of ['kubectl', 'helm', 'kind']) {
    fs.writeFileSync(path.join(dir, tool), `#!/bin/sh\n# FAKE ${tool}: test/fake-cluster (no kind cluster can run on the build machine)\nexec '${process.execPath}' '${self}' '${config}' ${tool} "$@"\n`, { mode: 0o755 });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    // Not process.exit(): a large stdout (an audit log) still being written to the pipe would be cut short.
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`fake cluster: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}
