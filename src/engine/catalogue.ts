/** The topics, as data. Scenario modules are small; their checkers load only when a check runs. */
import type { Topic } from './types.ts';
import { usageError } from './errors.ts';
import { msg } from './i18n.ts';

const loaders: Record<string, () => Promise<{ topic: Topic }>> = {
  vso: () => import('../../scenarios/vso.ts'),
  'vault-k8s': () => import('../../scenarios/vault-k8s.ts'),
  'k8s-auth': () => import('../../scenarios/k8s-auth.ts'),
  'ha-failover': () => import('../../scenarios/ha-failover.ts'),
  ldap: () => import('../../scenarios/ldap.ts'),
  tls: () => import('../../scenarios/tls.ts'),
  mcp: () => import('../../scenarios/mcp.ts'),
  production: () => import('../../scenarios/production.ts'),
};

/** In the seed's order. */
export const topicIds = Object.keys(loaders);

export async function loadTopic(id: string): Promise<Topic> {
  const load = loaders[id];
  if (!load) throw unknownTopic(id);
  return (await load()).topic;
}

/** Topics whose scenario exists (a topic may be listed before its scenario lands). */
export async function loadAll(): Promise<Topic[]> {
  const out: Topic[] = [];
  for (const id of topicIds) {
    try {
      out.push(await loadTopic(id));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    }
  }
  return out;
}

export function suggest(input: string, options: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = distance(input.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best !== undefined && (bestD <= Math.max(2, Math.floor(best.length / 3)) || best.includes(input) || input.includes(best)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function unknownTopic(id: string) {
  const s = suggest(id, topicIds);
  return usageError(
    msg(`알 수 없는 주제입니다: '${id}'.${s ? ` 혹시 '${s}' 인가요?` : ''}`, `unknown topic '${id}'.${s ? ` Did you mean '${s}'?` : ''}`),
    msg(`주제 목록: ${topicIds.join(', ')} (npx lab list)`, `topics: ${topicIds.join(', ')} (npx lab list)`),
  );
}
