/** The k8s-auth topic's data, shared by its steps (scenarios/k8s-auth.ts), its checks and the vso topic. */
/** What the lab teaches: a dedicated ServiceAccount for the app, a Vault-only audience. */
export const K8S = {
  host: 'https://kubernetes.default.svc',
  role: 'webapp',
  policy: 'webapp',
  sa: 'webapp',
  namespace: 'default',
  audience: 'vault',
  secretApiPath: 'secret/data/webapp/config',
  vaultSa: { name: 'vault', namespace: 'vault' },
  binding: 'vault-server-binding',
  /** ServiceAccounts `lab check` makes to prove the role refuses what it should: another SA, another namespace. */
  probes: { otherSa: { namespace: 'default', name: 'lab-probe' }, otherNs: { namespace: 'lab-probe', name: 'webapp' } },
  probeLabel: { 'app.kubernetes.io/managed-by': 'vault-lab' },
  /** The file audit device: where the lab sees the learner's own logins (its own requests carry x-vault-lab). */
  auditFile: '$LAB_DIR/audit.log',
} as const;
