import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { StreamingOpen } from '../../src/backup/cipher.js';
import { buildHeader, containerKey, parseHeader, SEAL_OVERHEAD } from '../../src/backup/format.js';

/** The streaming open against the one-shot XChaCha20-Poly1305 of @noble/ciphers (what the sandbox and Pika's layout use). */
describe('backup container crypto', () => {
  const key = containerKey('pw');
  const nonce = randomBytes(24);
  const plain = randomBytes(70_001);
  const sealed = Buffer.concat([nonce, xchacha20poly1305(key, nonce).encrypt(plain)]);

  it('opens nonce || ciphertext || tag in any chunking, giving the plaintext back', () => {
    expect(sealed.length).toBe(plain.length + SEAL_OVERHEAD);
    for (const step of [1, 7, 16, 24, 25, 4096, sealed.length]) {
      const parts: Buffer[] = [];
      const o = new StreamingOpen(key, (c) => parts.push(c));
      for (let i = 0; i < sealed.length; i += step) o.update(sealed.subarray(i, i + step));
      expect(o.finish(), `chunks of ${step}`).toBe(true);
      expect(Buffer.concat(parts).equals(plain)).toBe(true);
    }
  });

  it('refuses a wrong password, a flipped byte and a cut-off tag', () => {
    const wrong = new StreamingOpen(containerKey('other'));
    wrong.update(sealed);
    expect(wrong.finish()).toBe(false);
    const flipped = Buffer.from(sealed);
    flipped[1000] ^= 1;
    const f = new StreamingOpen(key);
    f.update(flipped);
    expect(f.finish()).toBe(false);
    const cut = new StreamingOpen(key);
    cut.update(sealed.subarray(0, 30));
    expect(cut.finish()).toBe(false);
  });

  it('reads and writes the 25-byte header (magic, flag, sizes big-endian)', () => {
    const h = buildHeader({ encrypted: true, payloadSize: 123_456, dbVersion: 2n ** 40n + 5n });
    expect(h.subarray(0, 8).toString('latin1')).toBe('PIKABW\x00\x01');
    expect(parseHeader(h)).toEqual({
      version: 1,
      encrypted: true,
      reservedFlags: 0,
      payloadSize: 123_456,
      dbVersion: 2n ** 40n + 5n,
    });
    const big = Buffer.from(h);
    big.writeBigUInt64BE(2n ** 32n + 1n, 9);
    expect(() => parseHeader(big)).toThrow(/exceeds/);
    const v2 = Buffer.from(h);
    v2[7] = 2;
    expect(() => parseHeader(v2)).toThrow(/version 2/);
  });
});
