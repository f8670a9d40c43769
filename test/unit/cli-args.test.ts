import { describe, expect, it } from 'vitest';
import { withFlag } from '../../src/vault/cli-args.ts';

describe('withFlag puts a flag after the command path', () => {
  it.each([
    [['status'], ['status', '-x']],
    [['operator', 'unseal', 'KEY'], ['operator', 'unseal', '-x', 'KEY']],
    [['operator', 'raft', 'join', '-leader-ca-cert=@ca', 'https://a'], ['operator', 'raft', 'join', '-x', '-leader-ca-cert=@ca', 'https://a']],
    [['operator', 'raft', 'autopilot', 'set-config', '-a=1'], ['operator', 'raft', 'autopilot', 'set-config', '-x', '-a=1']],
    [['kv', 'put', 'secret/a', 'v=1'], ['kv', 'put', '-x', 'secret/a', 'v=1']],
    [['policy', 'write', 'webapp', '-'], ['policy', 'write', '-x', 'webapp', '-']],
    [['write', 'auth/ldap/config', 'url=x'], ['write', '-x', 'auth/ldap/config', 'url=x']],
  ])('%j', (args, want) => {
    expect(withFlag(args, '-x')).toEqual(want);
  });
});
