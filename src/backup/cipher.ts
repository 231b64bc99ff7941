import { createDecipheriv, type DecipherChaCha20Poly1305 } from 'node:crypto';
import { hchacha } from '@noble/ciphers/chacha.js';
import { NONCE_BYTES } from './format.js';

/**
 * Streaming XChaCha20-Poly1305 open, in bounded memory. @noble/ciphers only opens a
 * whole buffer at once (a 4 GiB backup would need 4 GiB twice), so the extended nonce
 * is reduced with noble's HChaCha20 (draft-irtf-cfrg-xchacha §2.3: subkey from the key
 * and nonce[0..16], IETF nonce = 4 zero bytes || nonce[16..24]) and the rest is Node's
 * native, streaming ChaCha20-Poly1305. The tag is checked at final(); the plaintext
 * chunks are handed to the caller (inspect drops them, nothing is written).
 */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

function words(b: Uint8Array): Uint32Array {
  const out = new Uint32Array(b.length / 4);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}

function bytes(w: Uint32Array): Buffer {
  const out = Buffer.alloc(w.length * 4);
  for (let i = 0; i < w.length; i++) out.writeUInt32LE(w[i], i * 4);
  return out;
}

export function xchachaSubkey(key: Uint8Array, nonce24: Uint8Array): { subkey: Buffer; nonce12: Buffer } {
  const out = new Uint32Array(8);
  hchacha(SIGMA, words(key), words(nonce24.subarray(0, 16)), out);
  const nonce12 = Buffer.alloc(12);
  Buffer.from(nonce24.subarray(16, 24)).copy(nonce12, 4);
  return { subkey: bytes(out), nonce12 };
}

/**
 * Feed the encrypted payload (nonce || ciphertext || tag) in any chunking; `finish()`
 * returns true when the tag matches. Holds at most 24 + 16 bytes beyond the chunk in hand.
 */
export class StreamingOpen {
  private head = Buffer.alloc(0);
  private decipher?: DecipherChaCha20Poly1305;
  /** The last 16 bytes seen so far: they may be the tag. */
  private tail = Buffer.alloc(0);

  constructor(
    private readonly key: Uint8Array,
    private readonly onPlain: (chunk: Buffer) => void = () => {},
  ) {}

  update(chunk: Uint8Array): void {
    let c = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.decipher) {
      const need = NONCE_BYTES - this.head.length;
      this.head = Buffer.concat([this.head, c.subarray(0, need)]);
      c = c.subarray(need);
      if (this.head.length < NONCE_BYTES) return;
      const { subkey, nonce12 } = xchachaSubkey(this.key, this.head);
      this.decipher = createDecipheriv('chacha20-poly1305', subkey, nonce12, { authTagLength: 16 });
      subkey.fill(0);
    }
    const all = this.tail.length ? Buffer.concat([this.tail, c]) : c;
    const keep = Math.min(16, all.length);
    const body = all.subarray(0, all.length - keep);
    this.tail = Buffer.from(all.subarray(all.length - keep));
    if (body.length) this.onPlain(this.decipher.update(body));
  }

  finish(): boolean {
    if (!this.decipher || this.tail.length < 16) return false;
    this.decipher.setAuthTag(this.tail);
    try {
      this.onPlain(this.decipher.final());
      return true;
    } catch {
      return false;
    }
  }
}
