/** The ldap topic's data, shared by its steps (scenarios/ldap.ts) and its checks (checkers/ldap.ts). */
export const POLICIES: Record<string, string> = {
  'dev-policy': `# developers: their own KV area
path "secret/data/dev/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "secret/metadata/dev/*" {
  capabilities = ["list"]
}
`,
  'admin-policy': `# admins: manage policies and auth methods (nobody else may)
path "sys/policies/acl" {
  capabilities = ["list"]
}
path "sys/policies/acl/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "sys/auth" {
  capabilities = ["read"]
}
path "secret/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
`,
  'alice-specific-policy': `# alice only: her personal KV area
path "secret/data/alice/*" {
  capabilities = ["create", "read", "update"]
}
`,
};

export const GROUP_POLICY: Record<string, string> = { developers: 'dev-policy', admins: 'admin-policy' };
export const USER_POLICY: Record<string, string> = { alice: 'alice-specific-policy' };
/** A path only admin-policy opens: alice must be refused, bob allowed. */
export const ADMIN_ONLY_PATH = 'sys/policies/acl';
