import { describe, expect, it } from 'vitest';
import { cleanServerText } from '../../src/api/classify.js';
import { ApiError } from '../../src/api/types.js';
import { certainlyNotApplied } from '../../src/keychain/staging.js';
import { Secret } from '../../src/secrets/secret.js';
import { SourceReader } from '../../src/secrets/reader.js';
import { testContext } from '../support/context.js';

describe('secrets in server text', () => {
  it('are cut out even when they contain white space the message folding would change', () => {
    const key = new Secret('two  spaces\tand a tab', 'env:K');
    const text = cleanServerText('invalid key "two  spaces\tand a tab"\n given', [key]);
    expect(text).toBe('invalid key "[redacted]" given');
  });
});

describe('a pending keychain entry is discarded only when the server certainly refused', () => {
  const err = (kind: ApiError['kind'], status?: number) =>
    new ApiError('x', { kind, method: 'POST', path: '/api/v1/key/rotate', status });
  it('a 413 refusal proves nothing was applied; a response too large to read does not', () => {
    expect(certainlyNotApplied(err('too_large', 413))).toBe(true);
    expect(certainlyNotApplied(err('too_large', 200))).toBe(false);
    expect(certainlyNotApplied(err('server_error', 500))).toBe(false);
    expect(certainlyNotApplied(err('wrong_key', 403))).toBe(true);
  });
});

describe('cmd: children', () => {
  it('never inherit an env: secret of the same invocation, even one read later', async () => {
    const ctx = testContext({ env: { NEW_KEY: 'the-new-key-value', PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const reader = new SourceReader(ctx, { secretEnvNames: ['NEW_KEY'] });
    const seen = await reader.read({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, expanded by the shell
      spec: 'cmd:printf %s "${NEW_KEY:-absent}"',
      flag: '--key-from',
      label: 'server key',
    });
    expect(seen.reveal()).toBe('absent');
    const later = await reader.read({ spec: 'env:NEW_KEY', flag: '--new-key-from', label: 'new server key' });
    expect(later.reveal()).toBe('the-new-key-value');
  });
});
