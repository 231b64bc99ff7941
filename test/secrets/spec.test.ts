import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { describeSpec, isSecretSpec, parseSecretSpec, validateSecretSpecs } from '../../src/secrets/spec.js';
import {
  KEYCHAIN_ACCOUNT_DOCS,
  KEYCHAIN_KINDS,
  KEYCHAIN_SERVICE,
  keychainAccount,
  parseKeychainAccount,
} from '../../src/keychain/accounts.js';
import { parseServerUrl } from '../../src/api/url.js';

function rejection(text: string, flag = '--key-from'): CliError {
  try {
    parseSecretSpec(text, flag);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('parseSecretSpec', () => {
  it.each([
    ['prompt', { kind: 'prompt' }],
    ['-', { kind: 'stdin' }],
    ['file:/etc/pika/key', { kind: 'file', path: '/etc/pika/key' }],
    ['file:~/key', { kind: 'file', path: '~/key' }],
    ['file:C:\\keys\\pika.txt', { kind: 'file', path: 'C:\\keys\\pika.txt' }],
    ['env:PIKA_KEY', { kind: 'env', name: 'PIKA_KEY' }],
    ['env:_x1', { kind: 'env', name: '_x1' }],
    ['keychain', { kind: 'keychain' }],
    ['keychain:server-key:https://pika.example', { kind: 'keychain', account: 'server-key:https://pika.example' }],
    ['keychain:server-key-previous', { kind: 'keychain', account: 'server-key-previous' }],
    ['cmd:op read op://ops/pika/key', { kind: 'cmd', command: 'op read op://ops/pika/key' }],
    ['cmd:pass show pika/key | head -1', { kind: 'cmd', command: 'pass show pika/key | head -1' }],
  ])('%s', (text, spec) => {
    expect(parseSecretSpec(text, '--key-from')).toEqual(spec);
    expect(isSecretSpec(text)).toBe(true);
  });

  it.each([
    'correct-horse-battery-staple',
    'hunter2',
    'Prompt',
    ' prompt',
    '--',
    'stdin',
    'FILE:/x',
    'password:hunter2',
    'http://pika.example',
    '',
  ])('rejects %j as a usage error that lists the sources', (text) => {
    const err = rejection(text);
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('usage');
    expect(err.message).toContain('--key-from');
    expect(err.message).toMatch(/never takes a secret on the command line/);
    for (const form of ['prompt', 'file:PATH', 'env:NAME', 'keychain:NAME', 'cmd:COMMAND'])
      expect(err.message).toContain(form);
    expect(isSecretSpec(text)).toBe(false);
  });

  it.each([
    'Tr0ub4dor&3-unique-canary',
    'env:hunter2 is my password!',
    'env:',
    'file:',
    'cmd:   ',
    'keychain:',
    'weird:canary-in-prefix',
  ])('never echoes the rejected text %j (it may be a passphrase)', (text) => {
    const err = rejection(text);
    expect(err.exitCode).toBe(2);
    const everything = JSON.stringify({ m: err.message, h: err.hint, d: err.details });
    const payload = text.includes(':') ? text.slice(text.indexOf(':') + 1).trim() : text;
    if (payload !== '') expect(everything).not.toContain(payload);
  });

  it('describes sources without values, and cmd: without its arguments', () => {
    expect(describeSpec(parseSecretSpec('cmd:printf %s s3cr3t-in-argv', 'x'))).toBe('cmd:printf');
    expect(describeSpec(parseSecretSpec('env:PIKA_KEY', 'x'))).toBe('env:PIKA_KEY');
    expect(describeSpec(parseSecretSpec('-', 'x'))).toBe('stdin');
  });
});

describe('validateSecretSpecs', () => {
  it('accepts one stdin and unset flags', () => {
    expect(() =>
      validateSecretSpecs([
        { flag: '--key-from', spec: '-' },
        { flag: '--password-from', spec: 'env:P' },
        { flag: '--totp-from' },
      ]),
    ).not.toThrow();
  });
  it('refuses two flags reading stdin', () => {
    try {
      validateSecretSpecs([
        { flag: '--password-from', spec: '-' },
        { flag: '--key-from', spec: '-' },
      ]);
      throw new Error('accepted');
    } catch (err) {
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toMatch(/--password-from and --key-from/);
    }
  });
  it('reports the first malformed flag', () => {
    expect(() => validateSecretSpecs([{ flag: '--totp-from', spec: '123456' }])).toThrow(/--totp-from/);
  });
});

describe('keychain accounts', () => {
  const server = parseServerUrl('https://Pika.Example:8080/pika/');
  it('names entries after the normalised server', () => {
    expect(KEYCHAIN_SERVICE).toBe('pikactl');
    expect(keychainAccount('server-key', server)).toBe('server-key:https://pika.example:8080/pika');
    expect(keychainAccount('session', 'http://127.0.0.1:8080')).toBe('session:http://127.0.0.1:8080');
  });
  it('round-trips every kind', () => {
    for (const kind of KEYCHAIN_KINDS) {
      expect(parseKeychainAccount(keychainAccount(kind, server))).toEqual({ kind, serverId: server.id });
    }
    expect(KEYCHAIN_ACCOUNT_DOCS.map((d) => d.kind)).toEqual([...KEYCHAIN_KINDS]);
  });
  it.each(['server-key', 'server-key:', 'other:https://x', 'server-key:ftp://x', 'my own entry', ':https://x'])(
    'does not parse %j',
    (account) => expect(parseKeychainAccount(account)).toBeNull(),
  );
});
