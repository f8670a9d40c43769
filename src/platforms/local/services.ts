/** Extra local servers a topic may need, registered lazily by name (see Needs). */
import { registerLocalService } from './local.ts';

registerLocalService('ldap', async () => (await import('./ldap.ts')).ldapService);
registerLocalService('mariadb', async () => (await import('./mariadb.ts')).mariadbService);
registerLocalService('transit', async () => (await import('./transit.ts')).transitService);
registerLocalService('kube', async () => (await import('./kube.ts')).kubeService);
registerLocalService('eso', async () => (await import('./kube.ts')).esoService);
