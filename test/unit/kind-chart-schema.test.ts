/**
 * Every key the lab puts in the hashicorp/vault values exists, with the right type, in the chart's own
 * values.schema.json of 0.31.0 (test/fixtures/vault-helm-0.31.0, copied from hashicorp/vault-helm at tag v0.31.0,
 * commit da81d965d3968a19a3da9286f0993da5cd0866de). A misspelt key is ignored by helm without a word; this catches it.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helmValues, splitImage, transitHelmValues } from '../../src/platforms/kind/config.ts';
import { loadAll, loadTopic } from '../../src/engine/catalogue.ts';
import type { VaultSpec } from '../../src/engine/types.ts';
import { nonEmpty } from '../non-empty.ts';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
}
const schema = JSON.parse(fs.readFileSync(new URL('../fixtures/vault-helm-0.31.0/values.schema.json', import.meta.url), 'utf8')) as Schema;

/** Keys the templates read that the schema leaves out (it does not forbid extra keys): each checked in the template. */
const templateOnly: Record<string, Schema> = {
  // templates/server-service.yaml: `{{- if .Values.server.service.type}} type: …`; values.yaml has it commented out.
  'server.service.type': { type: 'string' },
};

const typeOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v);

/** Paths of values the schema does not know, or whose type it does not allow. */
function problems(value: unknown, s: Schema, at: string): string[] {
  const allowed = s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
  const t = typeOf(value);
  if (allowed && !allowed.includes(t) && !(t === 'integer' && allowed.includes('number'))) return [`${at}: ${t}, schema says ${allowed.join('|')}`];
  if (t === 'object' && s.properties) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
      const sub = s.properties![k] ?? templateOnly[`${at}.${k}`.replace(/^[^.]*\./, '')];
      return sub ? problems(v, sub, `${at}.${k}`) : [`${at}.${k}: not in the chart`];
    });
  }
  if (t === 'array' && s.items) return (value as unknown[]).flatMap((v, i) => problems(v, s.items!, `${at}[${i}]`));
  return [];
}

describe('helm values against the real vault-helm 0.31.0 values.schema.json', () => {
  it('the walker itself catches a misspelt key, a wrong type, and a wrong item shape', () => {
    expect(problems({ server: { extraSecretEnvironmentVars: 'x' } }, schema, '')).toEqual(['.server.extraSecretEnvironmentVars: string, schema says array']);
    expect(problems({ server: { ingres: { enabled: true } } }, schema, '')).toEqual(['.server.ingres: not in the chart']);
    expect(problems({ server: { ha: { replicas: '3' } } }, schema, '')).toEqual(['.server.ha.replicas: string, schema says integer']);
  });

  it('every topic, with 3 and with 1 schedulable node, and the transit release', async () => {
    const specs: [string, VaultSpec][] = [];
    // Every topic generates for kind (tls, ldap, mcp and production as a plan).
    for (const topic of await loadAll()) specs.push([topic.id, topic.needs.vault]);
    expect(specs.map(([id]) => id)).toEqual(expect.arrayContaining(['ha-failover', 'production', 'tls']));
    for (const [id, spec] of nonEmpty(specs)) {
      for (const n of [1, 3]) expect(problems(helmValues(spec, { schedulableNodes: n }), schema, id)).toEqual([]);
    }
    expect(problems(transitHelmValues(), schema, 'transit')).toEqual([]);
  });

  it('the server image is pinned to the chart default and LAB_VAULT_IMAGE overrides it', async () => {
    const spec = (await loadTopic('ha-failover')).needs.vault;
    const image = (v: Record<string, unknown>) => (v.server as { image: unknown }).image;
    expect(image(helmValues(spec))).toEqual({ repository: 'hashicorp/vault', tag: '1.20.4', pullPolicy: 'IfNotPresent' });
    expect(image(helmValues(spec, { image: 'registry.local:5000/hashicorp/vault:1.21.1' }))).toEqual({ repository: 'registry.local:5000/hashicorp/vault', tag: '1.21.1', pullPolicy: 'IfNotPresent' });
    expect(() => splitImage('registry.local:5000/vault')).toThrow(/no tag/);
  });
});
