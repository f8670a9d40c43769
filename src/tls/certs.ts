/** A lab CA and server certificates, made with the openssl CLI (through the exec seam). */
import fs from 'node:fs';
import path from 'node:path';
import { run } from '../exec.ts';

export interface CertPaths {
  ca: string;
  caKey: string;
  cert: string;
  key: string;
}

export async function ensureCa(dir: string, cn = 'vault-lab CA'): Promise<{ ca: string; caKey: string }> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = path.join(dir, 'ca.crt');
  const caKey = path.join(dir, 'ca.key');
  if (!fs.existsSync(ca) || !fs.existsSync(caKey)) {
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', ca, '-days', '825', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    fs.chmodSync(caKey, 0o600);
  }
  return { ca, caKey };
}

/** A server certificate for `name` signed by the lab CA, with DNS and IP SANs. Reused when present. */
export async function ensureServerCert(dir: string, name: string, sans: { dns: string[]; ip: string[] }, ca: { ca: string; caKey: string }): Promise<CertPaths> {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  if (!fs.existsSync(cert) || !fs.existsSync(key)) {
    const csr = path.join(dir, `${name}.csr`);
    const ext = path.join(dir, `${name}.ext`);
    const altNames = [...sans.dns.map((d) => `DNS:${d}`), ...sans.ip.map((i) => `IP:${i}`)].join(',');
    fs.writeFileSync(ext, `subjectAltName=${altNames}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n`);
    await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${sans.dns[0] ?? name}`]);
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.ca, '-CAkey', ca.caKey, '-CAcreateserial', '-out', cert, '-days', '397', '-extfile', ext]);
    fs.chmodSync(key, 0o600);
    fs.rmSync(csr, { force: true });
  }
  return { ca: ca.ca, caKey: ca.caKey, cert, key };
}

/** A client certificate (CN, optional O — Kubernetes reads them as user and group) signed by the lab CA. */
export async function ensureClientCert(dir: string, name: string, subject: { cn: string; o?: string }, ca: { ca: string; caKey: string }): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  if (!fs.existsSync(cert) || !fs.existsSync(key)) {
    const csr = path.join(dir, `${name}.csr`);
    const ext = path.join(dir, `${name}.ext`);
    fs.writeFileSync(ext, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
    await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `${subject.o ? `/O=${subject.o}` : ''}/CN=${subject.cn}`]);
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.ca, '-CAkey', ca.caKey, '-CAcreateserial', '-out', cert, '-days', '397', '-extfile', ext]);
    fs.chmodSync(key, 0o600);
    fs.rmSync(csr, { force: true });
  }
  return { cert, key };
}
