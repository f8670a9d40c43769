/** The mcp topic's MariaDB: databases db1 and db2 and the vaultadmin account Vault's database engine uses. */
import type { ServiceModule } from '../types.ts';
import { mariadbKube } from './kube.ts';

declare module '../../engine/types.ts' {
  interface ServiceNeeds {
    mariadb?: boolean;
  }
}

export const mariadb: ServiceModule = {
  ports: ['mysql'],
  env: ['MARIADB_HOST', 'MARIADB_PORT', 'MARIADB_SOCKET', 'MARIADB_ADMIN_FILE'],
  labels: { 'mariadb admin (0600)': 'mariadb 관리자 (0600)', 'mariadb as root': 'mariadb root 접속' },
  local: async () => (await import('./local.ts')).mariadbLocal,
  kube: mariadbKube,
};
