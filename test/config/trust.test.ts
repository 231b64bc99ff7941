import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { agreedFingerprint, type Presented } from '../../src/config/trust.js';
import type { CertInfo } from '../../src/config/tls-probe.js';
import { CliError } from '../../src/errors.js';

/** One context holds one pin: the replicas' certificates must agree (fetching them is test/commands/trust.test.ts, over real TLS). */

const A = 'AA'.repeat(32);
const B = 'BB'.repeat(32);
const presented = (server: string, fingerprintSha256: string): Presented => ({
  server: parseServerUrl(server),
  cert: { ...fakeCert(), fingerprintSha256 },
});
// Only the fingerprint matters here; the rest is a plausible CertInfo.
const fakeCert = (): CertInfo => ({
  subject: 'CN=pika',
  issuer: 'CN=pika',
  dnsNames: ['pika'],
  ipAddresses: [],
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  daysRemaining: 30,
  selfSigned: true,
  fingerprintSha256: '',
  fingerprintColons: '',
  verified: false,
});

function thrown(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected a CliError');
}

describe('agreedFingerprint', () => {
  it('one fingerprint for every server is the pin', () => {
    expect(agreedFingerprint('prod', [presented('https://a:1', A), presented('https://b:1', A)])).toBe(A);
  });

  it('replicas presenting different certificates: one context cannot pin both (exit 1, both named)', () => {
    const err = thrown(() => agreedFingerprint('prod', [presented('https://a:1', A), presented('https://b:1', B)]));
    expect(err.message).toBe('the servers of prod present different certificates; one context holds one pin');
    expect(err.exitCode).toBe(1);
    expect(err.details).toEqual({ fingerprints: { 'https://a:1': A, 'https://b:1': B } });
  });
});
