import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AEAD_FAILURE,
  deriveKey,
  hasVerifierMagic,
  open,
  OpenError,
  seal,
  verifierPlaintext,
} from '../../src/sandbox/crypto.js';
import { isGatedPath } from '../../src/sandbox/lockgate.js';
import { Limiter, resolveRateLimit } from '../../src/sandbox/ratelimit.js';
import { base32Encode, totpCode, verifyTotp } from '../../src/sandbox/totp.js';
import { queryEscape, setCookie } from '../../src/sandbox/http.js';

describe('sandbox crypto', () => {
  it('derives the key as SHA-256 of the passphrase', () => {
    const want = createHash('sha256').update('correct-horse').digest();
    expect(Buffer.from(deriveKey('correct-horse')).equals(want)).toBe(true);
  });

  it('seals with a 24-byte nonce and opens only under the same key', () => {
    const k = deriveKey('a');
    const sealed = seal(k, Buffer.from('hello'));
    expect(sealed.length).toBe(24 + 5 + 16);
    expect(Buffer.from(open(k, sealed)).toString()).toBe('hello');
    expect(() => open(deriveKey('b'), sealed)).toThrow(OpenError);
    expect(() => open(deriveKey('b'), sealed)).toThrow(AEAD_FAILURE);
    const tampered = Uint8Array.from(sealed);
    tampered[30] ^= 1;
    expect(() => open(k, tampered)).toThrow(AEAD_FAILURE);
    // Fresh nonce every time.
    expect(Buffer.from(seal(k, Buffer.from('hello'))).equals(Buffer.from(sealed))).toBe(false);
  });

  it('verifier plaintexts carry the v1 magic and differ per call', () => {
    const a = verifierPlaintext();
    expect(Buffer.from(a).toString('latin1').startsWith('PIKA_KEY_VERIFIER_v1|')).toBe(true);
    expect(hasVerifierMagic(a)).toBe(true);
    expect(hasVerifierMagic(Buffer.from('nope'))).toBe(false);
    expect(Buffer.from(a).equals(Buffer.from(verifierPlaintext()))).toBe(false);
  });
});

describe('TOTP (RFC 6238, SHA-1)', () => {
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  it('matches the RFC test vectors', () => {
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(totpCode(secret, 59_000, 8)).toBe('94287082');
    expect(totpCode(secret, 1_111_111_109_000, 8)).toBe('07081804');
    expect(totpCode(secret, 1_234_567_890_000, 8)).toBe('89005924');
    expect(totpCode(secret, 59_000)).toBe('287082');
  });
  it('accepts one step either side, not two', () => {
    const t = 1_700_000_000_000;
    expect(verifyTotp(secret, totpCode(secret, t), t)).toBe(true);
    expect(verifyTotp(secret, totpCode(secret, t - 30_000), t)).toBe(true);
    expect(verifyTotp(secret, totpCode(secret, t + 30_000), t)).toBe(true);
    expect(verifyTotp(secret, totpCode(secret, t - 60_000), t)).toBe(false);
    expect(verifyTotp(secret, 'abcdef', t)).toBe(false);
  });
});

describe('rate limiter', () => {
  it('backs off 1 s, 2 s, 4 s … from the soft threshold, capped at 15 s', () => {
    const l = new Limiter(resolveRateLimit());
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((c) => l.backoff(c))).toEqual([
      0, 0, 0, 1000, 2000, 4000, 8000, 15000, 15000,
    ]);
    expect(new Limiter(resolveRateLimit({ delayScale: 0.01 })).backoff(4)).toBe(20);
  });

  it('rejects at the hard threshold with Retry-After until the oldest failure leaves the window', () => {
    let now = 1_000_000;
    const l = new Limiter(resolveRateLimit({ soft: 0, hard: 2, windowMs: 60_000 }), () => now);
    const keys = [{ key: 'ip:x', hard: 2 }];
    l.fail(keys);
    now += 10_000;
    l.fail(keys);
    expect(l.check(keys)).toEqual({ kind: 'reject', retryAfterSec: 50 });
    now += 50_001;
    expect(l.check(keys)).toMatchObject({ kind: 'go' });
  });

  it('defaults match upstream: soft 3, hard 30, 15 min, username hard 15', () => {
    expect(resolveRateLimit()).toEqual({ soft: 3, hard: 30, windowMs: 900_000, delayScale: 1, usernameHard: 15 });
  });
});

describe('lock gate paths', () => {
  it('gates /api/v1/ and /data/ except the allowlist', () => {
    for (const p of [
      '/api/v1/settings',
      '/api/v1/key/lock',
      '/api/v1/key/initialize',
      '/api/v1/key/rotate',
      '/data/x',
      '/api/v1/tls/status',
    ]) {
      expect(isGatedPath(p), p).toBe(true);
    }
    for (const p of [
      '/api/v1/info',
      '/api/v1/key/status',
      '/api/v1/key/unlock',
      '/api/v1/me',
      '/api/v1/me/preferences',
      '/api/v1/meh',
      '/login/info',
      '/logout',
      '/healthz',
      '/',
      '/api/v1',
    ]) {
      expect(isGatedPath(p), p).toBe(false);
    }
  });
});

describe('http helpers', () => {
  it('escapes like Go url.QueryEscape', () => {
    expect(queryEscape("/a b/c?x=1&y=(2)!*'~")).toBe('%2Fa+b%2Fc%3Fx%3D1%26y%3D%282%29%21%2A%27~');
  });
  it('writes delete cookies as Max-Age=0', () => {
    expect(setCookie({ name: 's', value: '', maxAge: -1, httpOnly: true })).toBe(
      's=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax',
    );
  });
});
