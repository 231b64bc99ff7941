import type { Presented, StoredPin } from '../config/trust.js';
import type { TrustTarget } from '../config/trust-target.js';
import { certJson } from './contexts.js';

/** The texts and JSON of `pikactl trust` (pure; the certificate itself is renderCert in contexts.ts). */

/** trust --json: the pin, what it replaces, and each server's certificate. */
export function trustJson(
  target: Pick<TrustTarget, 'name' | 'pin'>,
  fp: string,
  presented: Presented[],
  changed: boolean,
): Record<string, unknown> {
  return {
    ok: true,
    context: target.name,
    pinned: true,
    changed,
    fingerprint_sha256: fp,
    ...(target.pin && target.pin !== fp ? { previous_pin: target.pin } : {}),
    servers: presented.map((p) => ({ server: p.server.id, certificate: certJson(p.cert) })),
  };
}

export function alreadyPinnedText(context: string): string {
  return `Context ${context} already pins this certificate. Nothing to do.\n`;
}

/** Before the comparison (stderr): a pin that would be optional, and a pin that would be replaced. */
export function beforePinText(context: string, fp: string, presented: Presented[], previous?: string): string {
  let text = '';
  if (presented.every((p) => p.cert.verified)) {
    text +=
      'A normal connection already trusts this certificate; a pin is optional (it also refuses a renewed certificate until you trust again).\n';
  }
  if (previous) {
    text +=
      `Context ${context} pins ${previous}, but the server now presents ${fp}.\n` +
      'Replace the pin only if the certificate was changed on purpose (regenerated or renewed); otherwise someone may be intercepting the connection.\n';
  }
  return text;
}

/** What the operator compares the fingerprint with, before typing "yes". */
export const COMPARE_FINGERPRINT_TEXT =
  'Compare the SHA-256 fingerprint above with the one the server shows, obtained by a route you trust:\n' +
  "  - the TLS page in Pika's web UI settings (GET /api/v1/tls/status, fingerprint_sha256), or\n" +
  '  - on the server host: openssl x509 -noout -fingerprint -sha256 -in <storage>/tls/server.crt\n' +
  '    (<storage> is PIKA_STORAGE_BW_PATH, default data/pika)\n';

/** After the pin was written. */
export function pinnedText(context: string, fp: string, stored: StoredPin): string {
  let text = stored.created
    ? `Created context ${context} for ${stored.servers.join(', ')} with pin SHA-256 ${fp} (${stored.file}).\n`
    : `Pinned SHA-256 ${fp} in context ${context} (${stored.file}).\n`;
  if (stored.madeCurrent) text += `Current context is now ${context}.\n`;
  if (stored.wasInsecure) text += 'Turned off "insecure" for this context: the pin now decides.\n';
  return (
    text +
    `pikactl now accepts exactly this certificate for ${context}. If the server's certificate changes, connections fail\n` +
    `(exit 7) naming both fingerprints; check the new one on the server, then run: pikactl trust --context ${context}\n`
  );
}
