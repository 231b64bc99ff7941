import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeLeafCert } from './certs.js';

/**
 * The fixture's work dir (certificate and private key) goes when the test that made it ends.
 * A module-level afterAll would run once per module evaluation: in a shared worker
 * (vitest.config.ts, isolate: false) for the first file that imported the module only, so
 * every later file's certificates stayed in the temp dir.
 */
describe('makeLeafCert cleans up after its test', () => {
  let made: string | undefined;

  it('makes the certificate and key files', async () => {
    const cert = await makeLeafCert('cleanup');
    made = dirname(cert.certFile);
    expect(existsSync(cert.keyFile)).toBe(true);
  });

  it('they are gone once that test ended (runs after it: declaration order)', () => {
    expect(made).toBeDefined();
    expect(existsSync(made as string)).toBe(false);
  });
});
