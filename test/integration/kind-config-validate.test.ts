/**
 * The generated kind cluster config, loaded and validated by kind's own code (v0.31.0: pkg/internal/apis/config,
 * built by test/tools/kind-validate/build.sh into ~/.cache/vault-lab/bin; skipped where it is not built).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { run } from '../../src/exec.ts';
import { kindClusterConfig, toYaml } from '../../src/platforms/kind/config.ts';

const home = useTempLabHome('kind-validate-test-');
const validator = path.join(os.homedir(), '.cache', 'vault-lab', 'bin', 'kind-validate-v0.31.0');

describe.skipIf(!fs.existsSync(validator))("kind's own validator", () => {
  const check = async (config: unknown) => {
    const f = path.join(home, `cluster-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(f, toYaml(config));
    return run(validator, [f], { reject: false });
  };

  it('accepts the lab cluster config: an ingress-ready control plane with three mappings, three workers', async () => {
    const r = await check(kindClusterConfig());
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['control-plane labels=map[ingress-ready:true] ports=3', 'worker labels=map[] ports=0', 'worker labels=map[] ports=0', 'worker labels=map[] ports=0']);
  });

  it('refuses what it should (a doubled host port), so its acceptance means something', async () => {
    const c = kindClusterConfig() as { nodes: { extraPortMappings?: unknown[] }[] };
    c.nodes[0]!.extraPortMappings!.push(c.nodes[0]!.extraPortMappings![0]);
    const r = await check(c);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('port mapping with same listen address, port and protocol already configured');
  });
});
