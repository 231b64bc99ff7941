import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_STRING, serverJsonText, serverText } from '../../src/output/server-text.js';
import { Redactor, containsSecret, withRedactor } from '../../src/secrets/redact.js';
import { Secret } from '../../src/secrets/secret.js';

const ESC = '\x1b';

describe('serverText: control characters', () => {
  it('escapes ESC, CSI, OSC, BEL, DEL and the 8-bit CSI', () => {
    const hostile = `${ESC}]2;pwned\x07${ESC}[2J${ESC}[32mUnlocked${ESC}[0m\x9b31m\x7f\x00`;
    const out = serverText(hostile);
    expect(out).toBe('\\x1b]2;pwned\\x07\\x1b[2J\\x1b[32mUnlocked\\x1b[0m\\x9b31m\\x7f\\x00');
    expect(out).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('escapes bidi overrides, isolates, zero-width and tag characters', () => {
    const out = serverText('a\u202eb\u2066c\u200bd\ufeffe\u{e0041}f\u00adg');
    // U+FEFF counts as white space in JavaScript: on one line it becomes a space, on several it is escaped.
    expect(out).toBe('a\\u202eb\\u2066c\\u200bd e\\u{e0041}f\\xadg');
    expect(serverText('d\ufeffe', { multiline: true })).toBe('d\\ufeffe');
  });

  it('folds white space to one line unless multi-line, where only newline and tab survive', () => {
    expect(serverText('one\ntwo\r\n\tthree  ')).toBe('one two three');
    expect(serverText('one\ntwo\r\n\tthree\x0b\x0c', { multiline: true })).toBe('one\ntwo\n\tthree\\x0b\\x0c');
  });

  it('caps at 300 shown characters, escapes included, and bounds a 900 KB field', () => {
    const big = 'v'.repeat(900_000);
    const out = serverText(big);
    expect([...out]).toHaveLength(301);
    expect(out.endsWith('…')).toBe(true);
    const escapes = serverText(ESC.repeat(1000));
    expect(escapes.length).toBeLessThanOrEqual(301);
    expect(escapes).toMatch(/^(\\x1b)+…$/);
  });

  it('--json keeps the raw characters (JSON escapes them) but caps at 4 KiB', () => {
    expect(serverJsonText(`a${ESC}b`)).toBe(`a${ESC}b`);
    const out = serverJsonText('x'.repeat(900_000));
    expect(out).toHaveLength(MAX_JSON_STRING + 1);
  });
});

describe('one redactor', () => {
  const key = 'tr"ust\\me now';
  const sha = createHash('sha256').update(key).digest();
  const forms = {
    raw: key,
    jsonEscaped: JSON.stringify(key).slice(1, -1),
    doubleEscaped: JSON.stringify(JSON.stringify(key)).slice(3, -3),
    respaced: 'tr"ust\\me\n\t  now',
    collapsed: 'tr"ust\\menow',
    urlEncoded: encodeURIComponent(key),
    formEncoded: encodeURIComponent(key).replace(/%20/g, '+'),
    unicodeEscaped: 'tr\\u0022ust\\u005cme now',
    hex: sha.toString('hex'),
    hexUpper: sha.toString('hex').toUpperCase(),
    base64: sha.toString('base64'),
    base64url: sha.toString('base64url'),
  };

  for (const [name, form] of Object.entries(forms)) {
    it(`cuts out the ${name} form of a secret of the run, in any field`, () => {
      const r = new Redactor();
      withRedactor(r, () => {
        new Secret(key, 'test'); // registers itself with the run's redactor
        const out = serverText(`request ${form} echoed`);
        expect(out).toBe('request [redacted] echoed');
        expect(containsSecret(`x${form}x`)).toBe(true);
      });
    });
  }

  it('knows only the secrets of its own run', () => {
    const a = new Redactor();
    const b = new Redactor();
    withRedactor(a, () => new Secret('alpha-secret', 'test'));
    withRedactor(b, () => expect(serverText('alpha-secret')).toBe('alpha-secret'));
    withRedactor(a, () => expect(serverText('alpha-secret')).toBe('[redacted]'));
    expect(serverText('alpha-secret')).toBe('alpha-secret');
  });

  it('leaves very short secrets alone rather than shredding every word', () => {
    withRedactor(new Redactor(), () => {
      new Secret('ab', 'test');
      expect(serverText('table')).toBe('table');
    });
  });
});
