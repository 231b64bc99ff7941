import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, makeSelfSigned, TlsSetupError, writeCertFiles } from '../../src/sandbox/certs.js';

const saved = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR };
const dirs: string[] = [];
afterEach(() => {
  process.env.PATH = saved.PATH;
  if (saved.TMPDIR === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved.TMPDIR;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'pikactl-certs-test-'));
  dirs.push(d);
  return d;
};

describe('certs (the one openssl helper)', () => {
  it('a CA signs a leaf with the SANs; the work files are gone afterwards', async () => {
    const scratch = temp();
    process.env.TMPDIR = scratch; // os.tmpdir() reads it on each call: the helper's work dirs land here
    const ca = await makeCa({ subject: '/CN=test CA', days: 2 });
    const leaf = await makeLeaf(ca, { subject: '/CN=localhost', sans: ['DNS:localhost', 'IP:::1'], days: 2 });
    expect(readdirSync(scratch)).toEqual([]);

    const caX = new X509Certificate(ca.certPem);
    const leafX = new X509Certificate(leaf.certPem);
    expect(caX.ca).toBe(true);
    expect(leafX.ca).toBe(false);
    expect(leafX.checkIssued(caX)).toBe(true);
    expect(leafX.verify(caX.publicKey)).toBe(true);
    expect(leafX.subjectAltName).toBe('DNS:localhost, IP Address:0:0:0:0:0:0:0:1');
    expect(leafX.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(leaf.keyPem).toContain('PRIVATE KEY');
  });

  it('a self-signed leaf (CA:FALSE) written as <base>.crt/.key, both 0600 even over a stale temp file, none left', async () => {
    const m = await makeSelfSigned({ subject: '/O=Pika Self-Signed/CN=localhost', sans: ['DNS:localhost'], days: 3 });
    const x = new X509Certificate(m.certPem);
    expect(x.ca).toBe(false);
    expect(x.subject).toBe('O=Pika Self-Signed\nCN=localhost');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(Date.parse(x.validTo) - Date.parse(x.validFrom)).toBe(3 * 86_400_000);

    const dir = temp();
    writeFileSync(join(dir, 'server.key.tmp'), 'left by a crash', { mode: 0o644 });
    const files = await writeCertFiles(join(dir, 'server'), m);
    expect(files).toEqual({ certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') });
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(files.certFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['server.crt', 'server.key']);
    expect(readFileSync(files.keyFile, 'utf8')).toBe(m.keyPem);
  });

  it('says which certificate needs openssl when it is not on PATH', async () => {
    process.env.PATH = '/nonexistent-dir';
    const err = await makeCa({ subject: '/CN=x', days: 1, purpose: 'the test CA' }).catch((e) => e);
    expect(err).toBeInstanceOf(TlsSetupError);
    expect(err.message).toBe('openssl not found: making the test CA needs the openssl command on PATH');
  });

  it('says what openssl answered when it fails', async () => {
    const err = await makeSelfSigned({ subject: 'no-slash', days: 1, purpose: 'a bad one' }).catch((e) => e);
    expect(err).toBeInstanceOf(TlsSetupError);
    expect(err.message).toMatch(/^openssl failed to make a bad one: .+/);
  });
});
