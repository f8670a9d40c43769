import { describe, expect, it } from 'vitest';
import { displayWidth, Reporter, terminalWidth, wrap } from '../../src/engine/reporter.ts';
import { nodeTable, roleOf, type NodeRow } from '../../src/cli/dashboard.ts';
import { optionError } from '../../src/cli/main.ts';
import { staleNames } from '../../src/cli/shell.ts';
import { judgeAll } from '../../src/engine/runner.ts';
import { msg } from '../../src/engine/i18n.ts';
import { fail, pass } from '../../src/engine/verdict.ts';
import { parseArgs } from 'node:util';
import { nonEmpty } from '../non-empty.ts';

describe('prose wrapped to the terminal, never inside a word', () => {
  const ko = '키 3개로 vault-0 을 unseal 하세요. 다른 노드보다 먼저 해야 합니다. retry_join 은 리더가 unseal 된 뒤 합류시킵니다.';

  it('Hangul counts two columns', () => {
    expect(displayWidth('vault')).toBe(5);
    expect(displayWidth('키 3개')).toBe(6);
    expect(displayWidth('\u001b[32m✓\u001b[39m')).toBe(1);
  });

  it('every line fits, and joining the lines gives back every word intact', () => {
    for (const width of [20, 40, 80]) {
      const lines = wrap(ko, width);
      for (const l of nonEmpty(lines)) expect(displayWidth(l)).toBeLessThanOrEqual(width);
      expect(lines.join(' ')).toBe(ko);
    }
  });

  it('a word longer than the width stays whole on its own line', () => {
    const long = 'see $LAB_DIR/some/very/long/path/that/cannot/break.json now';
    const lines = wrap(long, 20);
    expect(lines).toContain('$LAB_DIR/some/very/long/path/that/cannot/break.json');
    expect(lines.join(' ')).toBe(long);
  });

  it('width: the terminal when stdout is one, else $COLUMNS, else no wrapping', () => {
    expect(terminalWidth({ isTTY: true, columns: 72 }, {})).toBe(72);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: '60' })).toBe(60);
    expect(terminalWidth({}, {})).toBeUndefined();
    expect(wrap('a b', undefined)).toEqual(['a b']);
  });
});

describe('option errors speak the learner\'s language (no raw parseArgs text)', () => {
  const options = { json: { type: 'boolean' as const }, interval: { type: 'string' as const }, watch: { type: 'boolean' as const, short: 'w' } };
  const err = (args: string[]) => {
    try {
      parseArgs({ args, options, strict: true, allowPositionals: true });
    } catch (e) {
      return optionError(e, options);
    }
    throw new Error('parseArgs accepted bad input');
  };

  it('an unknown option names the nearest real one', () => {
    const m = err(['--jsn']);
    expect(m.ko).toBe("알 수 없는 옵션입니다: '--jsn'. 혹시 '--json' 인가요?");
    expect(m.en).toBe("unknown option '--jsn'. Did you mean '--json'?");
    expect(m.en).not.toMatch(/positional/);
  });

  it('a missing or unwanted value', () => {
    expect(err(['--interval']).en).toBe("'--interval' needs a value.");
    expect(err(['--json=1']).ko).toBe("'--json' 옵션은 값을 받지 않습니다.");
  });
});

describe('lab env unsets what the previous lab exported', () => {
  const ldap = { LAB_DIR: '/l/ldap', VAULT_ADDR: 'http://127.0.0.1:1', BAO_ADDR: 'http://127.0.0.1:1', VAULT_ADDR_0: 'http://127.0.0.1:1', LDAP_URL: 'ldap://x', PATH: '/bin:$PATH' };

  it('ha-failover\'s per-node addresses and CA, not the user\'s own variables', () => {
    const shell = { VAULT_ADDR: 'https://127.0.0.1:2', VAULT_ADDR_1: 'a', VAULT_ADDR_2: 'b', VAULT_CACERT: '/ha/ca.crt', BAO_CACERT: '/ha/ca.crt', VAULT_FORMAT: 'json', EDITOR: 'vi', KUBECONFIG: '/home/me/.kube/config' };
    expect(staleNames(shell, ldap)).toEqual(['BAO_CACERT', 'VAULT_ADDR_1', 'VAULT_ADDR_2', 'VAULT_CACERT']);
  });

  it('whatever the previous `lab env` recorded in LAB_ENV_VARS (a KUBECONFIG it set included)', () => {
    const shell = { LAB_ENV_VARS: 'KUBECONFIG LAB_KUBE_CONTEXT VAULT_ADDR', KUBECONFIG: '/lab/k8s/kubeconfig', LAB_KUBE_CONTEXT: 'kind-x' };
    expect(staleNames(shell, ldap)).toEqual(['KUBECONFIG', 'LAB_KUBE_CONTEXT']);
  });
});

describe('consequences fold under their first cause', () => {
  type S = { a: boolean; b: boolean };
  const checks = [
    { id: 'a', title: msg('A', 'A'), judge: (s: S) => (s.a ? pass() : fail(msg('a', 'no a'), msg('fix a', 'fix a'))) },
    { id: 'b', title: msg('B', 'B'), judge: (s: S) => (s.b ? pass() : { ...fail(msg('b', 'no b'), msg('fix b', 'fix b')), after: 'a' }) },
    { id: 'c', title: msg('C', 'C'), judge: (s: S) => (s.a ? pass() : fail(msg('a', 'no a'), msg('fix a', 'fix a'))) },
  ];

  it('named cause or the same reason again: folded; a cause that passes: shown in full', () => {
    const r = judgeAll(checks, { a: false, b: false }, 'en', () => '');
    expect(r.map((x) => x.after)).toEqual([undefined, 'a', 'a']);
    const r2 = judgeAll(checks, { a: true, b: false }, 'en', () => '');
    expect(r2.find((x) => x.id === 'b')!.after).toBeUndefined();
  });
});

describe('the node table (watch, status)', () => {
  const report = (lang: 'ko' | 'en') => new Reporter({ lang, color: false, verbose: false, stdout: { write: () => undefined }, stderr: { write: () => undefined } });
  const rows: NodeRow[] = [
    { name: 'vault-0', up: true, initialized: true, sealed: true, active: false, keys: '2/3', voter: true, term: 3 },
    { name: 'vault-1', up: true, initialized: true, sealed: false, active: true, voter: true, term: 4 },
    { name: 'vault-2', up: false, initialized: false, sealed: true, active: false },
  ];

  it('roles as the learner passes through them: sealed k/n, leader, standby, down, not initialised', () => {
    expect(rows.map((r) => roleOf(r).en)).toEqual(['sealed 2/3', 'leader (active)', 'down']);
    expect(roleOf({ name: 'v', up: true, initialized: false, sealed: true, active: false }).ko).toBe('초기화 전');
    expect(roleOf({ name: 'v', up: true, initialized: true, sealed: false, active: true }, false).en).toBe('unsealed');
  });

  it('columns line up in Korean too (Hangul is two columns wide)', () => {
    const lines = nodeTable(report('ko'), rows);
    expect(lines[0]).toMatch(/^노드\s+역할\s+sealed\s+voter\s+term$/);
    const sealedCol = displayWidth(lines[0]!.slice(0, lines[0]!.indexOf('sealed')));
    expect(displayWidth(lines[1]!.slice(0, lines[1]!.indexOf('yes')))).toBe(sealedCol);
    expect(displayWidth(lines[2]!.slice(0, lines[2]!.indexOf('no')))).toBe(sealedCol);
  });
});
