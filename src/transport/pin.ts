import { createHash } from 'node:crypto';
import { usageError } from '../errors.js';

/**
 * Normalises a SHA-256 certificate fingerprint to the form Pika's
 * `GET /api/v1/tls/status` reports (`fingerprint_sha256`): 64 upper-case hex
 * digits, no separators. Accepts what operators paste: "AB:CD:…", "ab cd …", and
 * `openssl x509 -fingerprint -sha256` output ("sha256 Fingerprint=AB:CD:…").
 * `flag` names the option in the error (--pin, --expect-fingerprint).
 */
export function normalizePin(text: string, flag = '--pin'): string {
  const stripped = text
    .trim()
    .replace(/^sha-?256\s*(fingerprint)?\s*[:=]?\s*/i, '')
    .replace(/[\s:]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(stripped)) {
    throw usageError(
      `${flag} must be a SHA-256 certificate fingerprint: 64 hex digits (colons and spaces allowed)`,
      "See it in Pika's web UI (Settings → TLS), with `openssl x509 -noout -fingerprint -sha256 -in server.crt`, or run `pikactl trust --server URL`.",
    );
  }
  return stripped;
}

/** "AB:CD:…", the form `openssl x509 -fingerprint -sha256` prints. */
export function colonFingerprint(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** Upper-case hex SHA-256 of a DER certificate: the format of Pika's fingerprint_sha256. */
export function certFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}
