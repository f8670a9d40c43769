/**
 * `lab <solve|reset|hint> --help` names each topic's steps by the number `lab hint` shows. Steps that need a capability
 * exist only where the platform offers it, and the numbers follow (findStep): vso on kind used to be listed as one run of
 * seven, ESO's four then VSO's three as 5–7, while a learner with VSO's chart has install as step 1.
 */
import { describe, expect, it } from 'vitest';
import { stepHelp } from '../../src/cli/args.ts';
import { findStep } from '../../src/engine/runner.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import type { Capability, Platform } from '../../src/engine/types.ts';

const platform = (name: 'local' | 'kind', caps: Capability[]): Pick<Platform, 'name' | Capability> =>
  ({ name, ...Object.fromEntries(caps.map((c) => [c, c === 'eso' ? { runs: 'cluster', namespace: 'vault', deployment: 'x' } : true])) }) as Pick<Platform, 'name' | Capability>;

describe('step numbers in help follow the platform\'s capabilities', () => {
  it('vso on kind: one line with ESO, one with VSO\'s chart, each numbered from 1 as lab hint numbers them', async () => {
    const lines = await stepHelp(['vso'], 'en');
    expect(lines).toContain('  vso (kind, with ESO): 1 by-hand, 2 secret-store, 3 external-secret, 4 drift');
    expect(lines).toContain('  vso (kind, with VSO): 1 install, 2 auth, 3 static-secret');
    const vso = await loadTopic('vso');
    expect(findStep(vso, '1', platform('kind', ['vsoChart'])).id).toBe('install');
    expect(findStep(vso, '1', platform('kind', ['eso'])).id).toBe('by-hand');
  });

  it('every number every help line shows is the step findStep gives for that number on such a platform', async () => {
    const lines = (await stepHelp([], 'en')).filter((l) => /^ {2}\S+ \(/.test(l) || /^ {2}\S+: /.test(l));
    expect(lines.length).toBeGreaterThan(8);
    for (const l of lines) {
      const m = /^ {2}(\S+)(?: \(([^)]*)\))?: (.*)$/.exec(l)!;
      const [name, where = '', list] = [m[1]!, m[2], m[3]!];
      const topic = await loadTopic(name);
      const plat = where.includes('kind') || (!where.includes('local') && topic.platforms[0] === 'kind') ? 'kind' : 'local';
      const caps: Capability[] = [];
      if (where.includes('ESO')) caps.push('eso');
      if (where.includes('VSO')) caps.push('vsoChart');
      if (where.includes('ingress-nginx')) caps.push('ingress');
      for (const entry of list.split(', ')) {
        const [n, id] = entry.split(' ');
        expect(findStep(topic, n!, platform(plat, caps)).id, l).toBe(id);
      }
    }
  });
});
