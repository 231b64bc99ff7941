import { createHash, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSelfSigned, TlsSetupError, writeCertFiles } from './certs.js';

/** A certificate and key the HTTPS listener serves. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  certFile?: string;
  keyFile?: string;
}

const UNSPECIFIED = new Set(['', '0.0.0.0', '::', '[::]']);

/**
 * Pika's auto-managed certificate, made the same way: a self-signed ECDSA P-256 leaf
 * (not a CA), 3650 days, O=Pika Self-Signed, CN=localhost, SANs localhost, 127.0.0.1,
 * ::1 and the bind host when it is a real name. Written to <data>/tls/server.{crt,key}
 * (dir 0700, files 0600) and reused when present; made by certs.ts (openssl).
 */
export async function ensureSelfSigned(dataDir: string, host?: string): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  if ((await exists(certFile)) && (await exists(keyFile))) return loadTls(certFile, keyFile);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const sans = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
  const h = host?.replace(/^\[|\]$/g, '') ?? '';
  if (!UNSPECIFIED.has(h) && h !== 'localhost' && h !== '127.0.0.1' && h !== '::1') {
    sans.push(/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`);
  }
  const subject = '/O=Pika Self-Signed/CN=localhost';
  const made = await makeSelfSigned({ subject, sans, days: 3650, purpose: 'a self-signed certificate' });
  await writeCertFiles(join(dir, 'server'), made);
  return loadTls(certFile, keyFile);
}

export async function loadTls(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const read = (f: string) =>
    readFile(f, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new TlsSetupError(`cannot read ${f}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
  const [certPem, keyPem] = await Promise.all([read(certFile), read(keyFile)]);
  try {
    new X509Certificate(certPem);
  } catch (err) {
    throw new TlsSetupError(`${certFile} is not a PEM certificate: ${(err as Error).message}`);
  }
  return { certPem, keyPem, certFile, keyFile };
}

/** SHA-256 of the DER, upper-case hex without separators (Pika's fingerprint_sha256). */
export function fingerprintSha256(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex').toUpperCase();
}

/** Go's pkix.Name.String(): most specific first, comma-joined. */
function goName(lines: string): string {
  return lines.split('\n').filter(Boolean).reverse().join(',');
}

function sanList(cert: X509Certificate, kind: 'DNS' | 'IP Address'): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith(`${kind}:`))
    .map((s) => s.slice(kind.length + 1))
    .map((v) => (kind === 'IP Address' && v.includes(':') ? new URL(`http://[${v}]`).hostname.slice(1, -1) : v));
}

/** The `certificate` object of GET /api/v1/tls/status. */
export function certificateStatus(m: TlsMaterial, now = Date.now()): Record<string, unknown> {
  const cert = new X509Certificate(m.certPem);
  const notAfter = new Date(cert.validTo);
  return {
    loaded: true,
    cert_file: m.certFile ?? '',
    key_file: m.keyFile ?? '',
    subject: goName(cert.subject),
    issuer: goName(cert.issuer),
    dns_names: sanList(cert, 'DNS'),
    ip_addresses: sanList(cert, 'IP Address'),
    not_before: new Date(cert.validFrom).toISOString(),
    not_after: notAfter.toISOString(),
    days_remaining: Math.floor((notAfter.getTime() - now) / 86_400_000),
    fingerprint_sha256: fingerprintSha256(m.certPem),
    // Not checkIssued(): OpenSSL wants keyCertSign for that, and a Pika leaf has none.
    self_signed: cert.subject === cert.issuer && cert.verify(cert.publicKey),
  };
}

async function exists(f: string): Promise<boolean> {
  return stat(f).then(
    () => true,
    () => false,
  );
}
