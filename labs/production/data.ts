/** The production topic's data, shared by its steps and its checks. */
export const CANARY = { path: 'prod/canary', original: 'before-snapshot', changed: 'changed-after-snapshot' };
export const SNAPSHOT = '$LAB_DIR/backup.snap';
export const AUDIT_FILE = '$LAB_DIR/audit.log';
export const PROM_TOKEN_FILE = '$LAB_DIR/prometheus-token.json';
export const ADMIN_POLICY = `path "*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}
`;
export const PROMETHEUS_POLICY = `path "sys/metrics" {
  capabilities = ["read"]
}
`;
