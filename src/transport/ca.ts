import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';

/**
 * Reads a PEM file to trust. Pika's auto-generated certificate is a self-signed
 * leaf (not a CA); OpenSSL accepts it as a trust anchor for exactly that server,
 * which test/transport proves.
 */
export function loadCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(
      `cannot read --cacert file ${path}${code ? ` (${code})` : ''}`,
      "Copy the server's certificate (Pika: <storage>/tls/server.crt) to this machine, or use --pin SHA256.",
    );
  }
  if (/PRIVATE KEY-----/.test(pem)) {
    throw usageError(
      `--cacert file ${path} contains a private key`,
      'Pass the certificate (server.crt), never the key (server.key); remove the key from this machine.',
    );
  }
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  try {
    if (!first) throw new Error('no certificate');
    new X509Certificate(first[0]);
  } catch {
    throw usageError(
      `--cacert file ${path} holds no PEM certificate`,
      'Expected a file starting with -----BEGIN CERTIFICATE-----.',
    );
  }
  return pem;
}
