/** The ldap topic's directory: OpenLDAP with alice (developers) and bob (admins); see directory.ts. */
import type { ServiceModule } from '../types.ts';
import { ldapKube } from './kube.ts';

declare module '../../engine/types.ts' {
  interface ServiceNeeds {
    ldap?: boolean;
  }
}

export const ldap: ServiceModule = {
  ports: ['ldap'],
  env: ['LDAP_URL', 'LDAP_BIND_DN', 'LDAP_USER_DN', 'LDAP_GROUP_DN'],
  labels: { 'LDAP bind password (0600)': 'LDAP bind 비밀번호 (0600)' },
  local: async () => (await import('./local.ts')).ldapLocal,
  kube: ldapKube,
};
