/** The production topic's data, shared by its steps and its checks. */
export const CANARY = { path: 'prod/canary', original: 'before-snapshot', changed: 'changed-after-snapshot' };
export const SNAPSHOT = '$LAB_DIR/backup.snap';
export const AUDIT_FILE = '$LAB_DIR/audit.log';
export const PROM_TOKEN_FILE = '$LAB_DIR/prometheus-token.json';
/**
 * The day-to-day admin: exactly the paths this topic's work needs, never `path "*"`. sudo only where OpenBao
 * requires it (audit devices, auth and secret engine mounts, Raft snapshots, orphan tokens). A probe path outside
 * these (root-revoked) must come back "deny".
 */
export const ADMIN_POLICY = `# audit devices
path "sys/audit" { capabilities = ["read", "sudo"] }
path "sys/audit/*" { capabilities = ["create", "update", "delete", "sudo"] }
path "sys/audit-hash/*" { capabilities = ["update"] }
# auth methods and secret engines: enable, tune, list
path "sys/auth" { capabilities = ["read"] }
path "sys/auth/*" { capabilities = ["create", "read", "update", "delete", "sudo"] }
path "sys/mounts" { capabilities = ["read"] }
path "sys/mounts/*" { capabilities = ["create", "read", "update", "delete", "sudo"] }
path "auth/userpass/users/*" { capabilities = ["create", "read", "update", "delete", "list"] }
# policies
path "sys/policy/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "sys/policies/acl/*" { capabilities = ["create", "read", "update", "delete", "list"] }
# tokens for services (Prometheus), looked up and revoked by the admin
path "auth/token/create-orphan" { capabilities = ["create", "update", "sudo"] }
path "auth/token/create" { capabilities = ["create", "update", "sudo"] }
path "auth/token/lookup" { capabilities = ["update"] }
path "auth/token/revoke" { capabilities = ["update"] }
path "sys/capabilities" { capabilities = ["update"] }
# Raft snapshots and state
path "sys/storage/raft/snapshot" { capabilities = ["read", "update", "sudo"] }
path "sys/storage/raft/snapshot-force" { capabilities = ["update", "sudo"] }
path "sys/storage/raft/configuration" { capabilities = ["read"] }
# metrics, and break glass: the generate-root attempt (OpenBao 2.6 serves it only to an authenticated caller)
path "sys/metrics" { capabilities = ["read"] }
path "sys/generate-root-token/*" { capabilities = ["create", "read", "update", "delete", "sudo"] }
path "sys/generate-root/*" { capabilities = ["create", "read", "update", "delete", "sudo"] }
# the production KV area
path "secret/data/prod/*" { capabilities = ["create", "read", "update", "delete"] }
path "secret/metadata/prod/*" { capabilities = ["read", "list", "delete"] }
`;
export const PROMETHEUS_POLICY = `path "sys/metrics" {
  capabilities = ["read"]
}
`;
