/**
 * The catalogue: every topic in the study note's order, each paired with its checker. The only module where steps and
 * checks meet; the entry point hands it to the engine (src/ never imports content).
 */
import type { Catalogue } from '../src/engine/catalogue.ts';
import { defineTopic } from '../src/engine/catalogue.ts';

export const catalogue: Catalogue = [
  defineTopic('vso', () => import('./vso.ts'), () => import('../checkers/vso.ts')),
  defineTopic('vault-k8s', () => import('./vault-k8s.ts'), () => import('../checkers/vault-k8s.ts')),
  defineTopic('k8s-auth', () => import('./k8s-auth.ts'), () => import('../checkers/k8s-auth.ts')),
  defineTopic('ha-failover', () => import('./ha-failover.ts'), () => import('../checkers/ha-failover.ts')),
  defineTopic('ldap', () => import('./ldap.ts'), () => import('../checkers/ldap.ts')),
  defineTopic('tls', () => import('./tls.ts'), () => import('../checkers/tls.ts')),
  defineTopic('mcp', () => import('./mcp.ts'), () => import('../checkers/mcp.ts')),
  defineTopic('production', () => import('./production.ts'), () => import('../checkers/production.ts')),
];
