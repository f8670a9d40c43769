/** lab doctor's port-range verdict, judged from an injected kernel reading (no /proc of this machine involved). */
import { afterEach, describe, expect, it } from 'vitest';
import { judgePortRange, labPortRange, readPortSysctls } from '../../src/platforms/ports.ts';

const linux = (range: string, reserved = '') => (f: string) => {
  if (f.endsWith('ip_local_port_range')) return `${range}\n`;
  if (f.endsWith('ip_local_reserved_ports')) return `${reserved}\n`;
  throw new Error(`unexpected read ${f}`);
};

describe('the lab port range against the ephemeral range', () => {
  const saved = process.env.LAB_PORT_BASE;
  afterEach(() => {
    if (saved === undefined) delete process.env.LAB_PORT_BASE;
    else process.env.LAB_PORT_BASE = saved;
  });

  it('the range is every topic block from LAB_PORT_BASE (default 18200), the local ones and the kind port-forward ones', () => {
    delete process.env.LAB_PORT_BASE;
    expect(labPortRange()).toEqual([18200, 18559]);
    process.env.LAB_PORT_BASE = '40000';
    expect(labPortRange()).toEqual([40000, 40359]);
  });

  it('reads both sysctls; nothing to judge without /proc', () => {
    expect(readPortSysctls(linux('32768\t60999', '18200-19199,28200-29199,30000'))).toEqual({ ephemeral: [32768, 60999], reserved: [[18200, 19199], [28200, 29199], [30000, 30000]] });
    const none = readPortSysctls(() => {
      throw new Error('ENOENT');
    });
    expect(none.ephemeral).toBeUndefined();
    expect(judgePortRange([18200, 18379], none)).toBeUndefined();
  });

  it('below the ephemeral range: ok', () => {
    const v = judgePortRange([18200, 18379], readPortSysctls(linux('32768 60999')))!;
    expect(v.ok).toBe(true);
    expect(v.exposed).toEqual([]);
  });

  it('a machine whose ephemeral range starts at 10000 (some distributions, containers): the default overlaps and is said', () => {
    const v = judgePortRange([18200, 18379], readPortSysctls(linux('10000 65000', '8080')))!;
    expect(v.ok).toBe(false);
    expect(v.exposed).toEqual([[18200, 18379]]);
    expect(v.text.en).toMatch(/overlap the ephemeral port range 10000-65000 and are not reserved/);
    // The fix keeps what was reserved already (sysctl -w replaces the list).
    expect(v.hint!.en).toContain('net.ipv4.ip_local_reserved_ports=8080,18200-18379');
  });

  it('inside the range but reserved (what .ci/run does): ok; partly reserved: the gap is named', () => {
    const full = judgePortRange([40000, 40179], readPortSysctls(linux('32768 60999', '39000-40500')))!;
    expect(full.ok).toBe(true);
    expect(full.text.en).toMatch(/reserved/);
    const part = judgePortRange([40000, 40179], readPortSysctls(linux('32768 60999', '40000-40049,40100-40119')))!;
    expect(part.ok).toBe(false);
    expect(part.exposed).toEqual([[40050, 40099], [40120, 40179]]);
    expect(part.text.en).toContain('(40050-40099,40120-40179)');
  });

  it('a range that straddles the ephemeral start: only the overlap counts', () => {
    const v = judgePortRange([32700, 32879], readPortSysctls(linux('32768 60999')))!;
    expect(v.exposed).toEqual([[32768, 32879]]);
  });
});
