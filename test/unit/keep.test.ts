/** The lab's own copy of kept outputs (issue 14): pure parts and the files it writes. */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileState, Keeper, keptFiles, makeRoom } from '../../src/engine/keep.ts';
import { LabDir } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { renderLocal } from '../../src/platforms/local/local.ts';
import { renderKind } from '../../src/platforms/kind/exec-plan.ts';
import type { Cmd } from '../../src/engine/types.ts';
import { nonEmpty } from '../non-empty.ts';

const tmpLab = () => {
  const lab = new LabDir('t', fs.mkdtempSync(path.join(os.tmpdir(), 'keep-')));
  lab.ensure();
  return lab;
};
const KEYS = JSON.stringify({ unseal_keys_b64: ['a2V5'], root_token: 's.abc' });

describe('fileState', () => {
  it('tells missing, empty, unreadable and valid apart', () => {
    expect(fileState(undefined, 'cluster-keys.json')).toBe('missing');
    expect(fileState('  \n', 'cluster-keys.json')).toBe('empty');
    expect(fileState('{"unseal', 'cluster-keys.json')).toBe('invalid');
    expect(fileState('{}', 'cluster-keys.json')).toBe('invalid');
    expect(fileState(KEYS, 'cluster-keys.json')).toBe('ok');
    expect(fileState('abc', 'plain.txt')).toBe('ok');
  });
});

describe('Keeper', () => {
  it('keeps each distinct valid version once, 0600 in a 0700 folder, and restores the newest', () => {
    const lab = tmpLab();
    lab.writeSecret('cluster-keys.json', KEYS);
    const k = new Keeper(lab);
    expect(k.snapshot('cluster-keys.json')).toBe(true);
    expect(k.snapshot('cluster-keys.json')).toBe(false);
    expect((fs.statSync(lab.path('.keep')).mode & 0o777).toString(8)).toBe('700');
    for (const f of nonEmpty(fs.readdirSync(lab.path('.keep')))) expect((fs.statSync(lab.path('.keep', f)).mode & 0o777).toString(8)).toBe('600');
    fs.writeFileSync(lab.path('cluster-keys.json'), '');
    expect(k.snapshot('cluster-keys.json')).toBe(false);
    expect(k.restore('cluster-keys.json')).toEqual({});
    expect(fs.readFileSync(lab.path('cluster-keys.json'), 'utf8')).toBe(KEYS);
  });

  it('moves an unreadable file aside instead of destroying it', () => {
    const lab = tmpLab();
    lab.writeSecret('cluster-keys.json', KEYS);
    new Keeper(lab).snapshot('cluster-keys.json');
    fs.writeFileSync(lab.path('cluster-keys.json'), '{"half');
    const r = new Keeper(lab).restore('cluster-keys.json');
    expect(r?.movedAside).toMatch(/^cluster-keys\.json\.unreadable-/);
    expect(fs.readFileSync(lab.path(r!.movedAside!), 'utf8')).toBe('{"half');
    expect(fs.readFileSync(lab.path('cluster-keys.json'), 'utf8')).toBe(KEYS);
  });

  it('makeRoom: an old valid output goes into the history, an unreadable one aside, an empty one away; nothing lost', () => {
    const lab = tmpLab();
    lab.writeSecret('cluster-keys.json', KEYS);
    expect(makeRoom(lab, 'cluster-keys.json')).toBe('.keep/');
    expect(fs.existsSync(lab.path('cluster-keys.json'))).toBe(false);
    expect(new Keeper(lab).latest('cluster-keys.json')?.text).toBe(KEYS);
    fs.writeFileSync(lab.path('cluster-keys.json'), '{"half');
    const aside = makeRoom(lab, 'cluster-keys.json');
    expect(aside).toMatch(/^cluster-keys\.json\.unreadable-/);
    expect(fs.readFileSync(lab.path(aside!), 'utf8')).toBe('{"half');
    fs.writeFileSync(lab.path('cluster-keys.json'), '');
    expect(makeRoom(lab, 'cluster-keys.json')).toBeUndefined();
    expect(fs.existsSync(lab.path('cluster-keys.json'))).toBe(false);
  });
});

describe('which outputs are kept, and how the learner types them', () => {
  it('every topic that initialises Vault by a lesson command keeps cluster-keys.json as an init output', async () => {
    for (const id of ['vault-k8s', 'ha-failover', 'ldap', 'tls', 'mcp', 'production']) {
      expect(keptFiles(await loadTopic(id)), id).toContainEqual({ name: 'cluster-keys.json', init: true });
    }
  });

  it('a kept output is rendered with noclobber in a subshell, on both platforms', () => {
    const c: Cmd = { kind: 'vault', args: ['operator', 'init', '-format=json'], stdout: '$LAB_DIR/cluster-keys.json', keep: true };
    expect(renderLocal(c, {}, 'vault-k8s')).toBe('(set -o noclobber; vault operator init -format=json > "$LAB_DIR/cluster-keys.json")');
    expect(renderKind(c)).toBe('(set -o noclobber; kubectl --context "$LAB_KUBE_CONTEXT" exec vault-0 -n vault -- vault operator init -format=json > "$LAB_DIR/cluster-keys.json")');
  });
});

describe('lab.json and progress.json are checked against their shape, and a bad file is left as it is', () => {
  it('a lab.json with a string pid is refused with exit 3, untouched', async () => {
    const { recordProblem, progressProblem } = await import('../../src/engine/state.ts');
    const good = { schema: 1, topic: 't', platform: 'local', createdAt: 'x', ports: { base: 1 }, processes: {}, facts: {} };
    expect(recordProblem(good)).toBeUndefined();
    expect(recordProblem({ ...good, processes: { a: { name: 'a', pid: '12', command: 'c', log: 'l' } } })).toMatch(/process 'a'/);
    expect(recordProblem({ ...good, ports: { base: 'x' } })).toMatch(/ports/);
    expect(progressProblem({ steps: { a: { doneAt: 1 } } })).toMatch(/steps/);
    expect(progressProblem({ steps: {}, observations: {} })).toBeUndefined();
    const lab = tmpLab();
    const text = JSON.stringify({ ...good, processes: { a: { pid: 'x' } } });
    fs.writeFileSync(lab.path('lab.json'), text);
    expect(() => lab.record()).toThrow(/wrong shape/);
    expect(fs.readFileSync(lab.path('lab.json'), 'utf8')).toBe(text);
  });
});
