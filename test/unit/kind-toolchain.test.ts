import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archivesFor, findToolchain } from '../../src/platforms/kind/toolchain.ts';
import { kindPlan } from '../../src/platforms/kind/plan.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';

/** A cache folder as scripts/build-kind.sh and build-kind-services.sh leave it. */
function cache(opts: { services?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kind-toolchain-'));
  const kind = path.join(dir, 'kind');
  fs.mkdirSync(path.join(kind, 'images'), { recursive: true });
  fs.writeFileSync(path.join(kind, 'env'), '');
  fs.writeFileSync(path.join(kind, 'images', 'vault.tar'), 'x');
  if (opts.services) {
    for (const f of ['openldap.tar', 'mariadb.tar']) fs.writeFileSync(path.join(kind, 'images', f), 'x');
    fs.writeFileSync(path.join(kind, 'services-images.txt'), 'vault-lab/openldap:2.5.13\nvault-lab/mariadb:10.11.18\n');
  }
  return dir;
}

describe('the kind toolchain: the service images built here', () => {
  it('names the slapd and MariaDB images the services script built, and no image without its archive', () => {
    const tc = findToolchain({ LAB_CACHE_DIR: cache({ services: true }) });
    expect(tc.images).toEqual({ openldap: 'vault-lab/openldap:2.5.13', mariadb: 'vault-lab/mariadb:10.11.18' });
    const dir = cache({ services: true });
    fs.rmSync(path.join(dir, 'kind', 'images', 'mariadb.tar'));
    expect(findToolchain({ LAB_CACHE_DIR: dir }).images).toEqual({ openldap: 'vault-lab/openldap:2.5.13' });
    expect(findToolchain({ LAB_CACHE_DIR: cache() }).images).toEqual({});
  });

  it('a topic loads only the service archives it needs (the Vault image always)', () => {
    const tc = findToolchain({ LAB_CACHE_DIR: cache({ services: true }) });
    const names = (needs: { ldap?: boolean; mariadb?: boolean }) => archivesFor(tc, needs).map((a) => path.basename(a));
    expect(names({})).toEqual(['vault.tar']);
    expect(names({ ldap: true })).toEqual(['openldap.tar', 'vault.tar']);
    expect(names({ mariadb: true })).toEqual(['mariadb.tar', 'vault.tar']);
  });
});

describe('the lab\'s own cluster on a node image built here', () => {
  it('kind create cluster does not wait for a Ready node that cannot be Ready before the lab\'s CNI (it waited out 120 s)', async () => {
    const needs = (await loadTopic('vault-k8s')).needs;
    const create = (disableDefaultCNI: boolean) => kindPlan(needs, { context: 'kind-vault-lab', ownCluster: true, dir: '/tmp/x', cluster: { workers: 0, disableDefaultCNI } }).steps.map((s) => s.args.join(' '));
    const local = create(true);
    expect(local.find((a) => a.startsWith('create cluster'))).not.toContain('--wait');
    // The nodes are waited for after the CNI step.
    expect(local.findIndex((a) => a.includes('cni.sh'))).toBeLessThan(local.findIndex((a) => a.includes('--for=condition=Ready nodes')));
    expect(create(false).find((a) => a.startsWith('create cluster'))).toContain('--wait 120s');
  });
});
