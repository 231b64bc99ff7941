import { createHash, randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

/**
 * Pika's at-rest crypto, as upstream does it (service/keyops.go): the passphrase is
 * hashed with SHA-256 into a 32-byte XChaCha20-Poly1305 key; a sealed value is the
 * 24-byte random nonce followed by ciphertext and tag.
 */
export const VERIFIER_MAGIC = Buffer.from('PIKA_KEY_VERIFIER_v1|', 'utf8');
const NONCE_BYTES = 24;

/** Go's AEAD error text, so messages read like upstream's. */
export const AEAD_FAILURE = 'chacha20poly1305: message authentication failed';

export class OpenError extends Error {}

export function deriveKey(passphrase: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(passphrase, 'utf8').digest());
}

export function seal(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const ct = xchacha20poly1305(key, nonce).encrypt(plaintext);
  const out = new Uint8Array(NONCE_BYTES + ct.length);
  out.set(nonce, 0);
  out.set(ct, NONCE_BYTES);
  return out;
}

export function open(key: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (sealed.length < NONCE_BYTES + 16) throw new OpenError('chacha20poly1305: ciphertext too short');
  try {
    return xchacha20poly1305(key, sealed.subarray(0, NONCE_BYTES)).decrypt(sealed.subarray(NONCE_BYTES));
  } catch {
    throw new OpenError(AEAD_FAILURE);
  }
}

/** A fresh verifier plaintext: the magic prefix and 16 random bytes (unique per install). */
export function verifierPlaintext(): Uint8Array {
  return new Uint8Array(Buffer.concat([VERIFIER_MAGIC, randomBytes(16)]));
}

export function hasVerifierMagic(plain: Uint8Array): boolean {
  return Buffer.from(plain).subarray(0, VERIFIER_MAGIC.length).equals(VERIFIER_MAGIC);
}

export const b64 = {
  encode: (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64'),
  decode: (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64')),
};
