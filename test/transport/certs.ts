import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { makeSelfSigned, writeCertFiles } from '../../src/sandbox/certs.js';

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** Upper-case hex SHA-256 of the DER, as Pika's /api/v1/tls/status reports it. */
  fingerprint: string;
}

/** The dirs the certificates of this test file were written to, removed when the file ends. */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A certificate shaped like Pika's auto-generated one: self-signed ECDSA P-256
 * leaf (CA:FALSE), O=Pika Self-Signed, CN=localhost, SANs localhost/127.0.0.1/::1.
 * `san` replaces the SANs (for a hostname-mismatch certificate).
 */
export async function makeLeafCert(name: string, san = 'DNS:localhost,IP:127.0.0.1,IP:::1'): Promise<TestCert> {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-cert-'));
  dirs.push(dir);
  const made = await makeSelfSigned({ subject: '/O=Pika Self-Signed/CN=localhost', sans: san.split(','), days: 30 });
  const files = await writeCertFiles(join(dir, name), made);
  // Computed here, not by the sandbox's fingerprintSha256(): the tests check pikactl against it.
  const fingerprint = createHash('sha256').update(new X509Certificate(made.certPem).raw).digest('hex').toUpperCase();
  return { ...files, cert: made.certPem, key: made.keyPem, fingerprint };
}
