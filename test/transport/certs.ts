import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { makeSelfSigned, writeCertFiles } from '../../src/sandbox/certs.js';

export interface TestCert {
  /** The work dir of the files: made in a test, it is removed when the test ends; else the caller removes it. */
  dir: string;
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
export async function makeLeafCert(name: string, san = 'DNS:localhost,IP:127.0.0.1,IP:::1'): Promise<TestCert> {
  const dir = mkdtempSync(join(tmpdir(), 'pikactl-cert-'));
  // Not a module-level afterAll: in a shared worker (vitest.config.ts) it would run for the
  // first file that imported this module only, and every later file's keys would stay.
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    // made outside a test (beforeAll): the file's afterAll removes cert.dir
  }
  const made = await makeSelfSigned({ subject: '/O=Pika Self-Signed/CN=localhost', sans: san.split(','), days: 30 });
  const files = await writeCertFiles(join(dir, name), made);
  // Computed here, not by the sandbox's fingerprintSha256(): the tests check pikactl against it.
  const fingerprint = createHash('sha256').update(new X509Certificate(made.certPem).raw).digest('hex').toUpperCase();
  return { dir, ...files, cert: made.certPem, key: made.keyPem, fingerprint };
}
