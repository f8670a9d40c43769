import { VaultApiError, type VaultClient } from './client.ts';
import { envError } from '../engine/errors.ts';
import { msg } from '../engine/i18n.ts';

/** OpenBao serves the attempt at sys/generate-root-token/attempt; Vault at sys/generate-root/attempt. */
export async function generateRootAttempt(c: VaultClient): Promise<{ started: boolean; path: string }> {
  for (const path of ['/sys/generate-root/attempt', '/sys/generate-root-token/attempt']) {
    try {
      // Vault answers at the top level, OpenBao inside data.
      const r = await c.read<{ started?: boolean; data?: { started?: boolean } }>(path);
      return { started: (r.started ?? r.data?.started) === true, path };
    } catch (e) {
      if (!(e instanceof VaultApiError) || (e.status !== 405 && e.status !== 404)) throw e;
    }
  }
  throw envError(msg('generate-root 시도 엔드포인트가 응답하지 않습니다 (Vault/OpenBao 버전 확인).', 'no generate-root attempt endpoint answered (check the Vault/OpenBao version).'));
}
