import { usageError } from '../errors.js';
import type { Secret } from '../secrets/secret.js';

/**
 * The backup password as the X-Encryption-Password header value: its UTF-8 bytes, sent
 * as they are (Pika hashes the header's raw octets, §12.3; Node writes header strings as
 * Latin-1, so the bytes are carried one per character). Never in the query string.
 */
export function passwordHeader(pw: Secret, flag: string): string {
  const text = pw.reveal();
  if (text === '')
    throw usageError(
      `the backup password from ${flag} is empty`,
      'An empty password means "no encryption"; drop the flag for a plain backup.',
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw usageError(
      `the backup password from ${flag} contains a control character (a line break?)`,
      'HTTP headers cannot carry it; strip the trailing newline or choose another password.',
    );
  return Buffer.from(text, 'utf8').toString('latin1');
}
