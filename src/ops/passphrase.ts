import type { Secret } from '../secrets/secret.js';

/**
 * Advice, not a gate: Pika accepts any non-empty string and derives the key with
 * one SHA-256, so a short passphrase is cheap to guess from a stolen database.
 */
export function passphraseWarnings(key: Secret): string[] {
  const s = key.reveal();
  const warnings: string[] = [];
  if (s.length < 12)
    warnings.push(`it is short (${s.length} characters; use at least 16, or four or more random words)`);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(s)).length;
  const words = s.split(/[\s\-_.]+/).filter((w) => w.length >= 3).length;
  if (s.length < 20 && classes < 3 && words < 4) warnings.push('it uses few kinds of characters');
  if (/^(.)\1+$/.test(s) || /^(0123|1234|abcd|qwer|pass)/i.test(s)) warnings.push('it follows an easy pattern');
  if (s.trim() !== s) warnings.push('it starts or ends with white space, which is easy to lose when copying');
  return warnings;
}
