import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** Upper-case hex SHA-256 of the DER, as Pika's /api/v1/tls/status reports it. */
  fingerprint: string;
}

/**
 * A certificate shaped like Pika's auto-generated one: self-signed ECDSA P-256
 * leaf (CA:FALSE), O=Pika Self-Signed, CN=localhost, SANs localhost/127.0.0.1/::1.
 * `san` replaces the SANs (for a hostname-mismatch certificate).
 */
export function makeLeafCert(name: string, san = 'DNS:localhost,IP:127.0.0.1,IP:::1'): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-cert-'));
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/O=Pika Self-Signed/CN=localhost',
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-days',
      '30',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile, 'utf8');
  const der = new X509Certificate(cert).raw;
  return {
    certFile,
    keyFile,
    cert,
    key: readFileSync(keyFile, 'utf8'),
    fingerprint: createHash('sha256').update(der).digest('hex').toUpperCase(),
  };
}
