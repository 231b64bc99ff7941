import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError, ExitCode } from '../../src/errors.js';
import { resolveRecoveryKeys, type ReadSpec } from '../../src/recovery/keys.js';
import { keychainAccount, type KeychainKind } from '../../src/keychain/accounts.js';
import { Secret } from '../../src/secrets/secret.js';
import { MemoryKeychain, testContext } from '../support/context.js';

const SERVER = parseServerUrl('https://pika.example:8443');
const A = 'key-before-rotation-1';
const B = 'key-after-rotation-2';

function kc(entries: Partial<Record<KeychainKind, string>>): MemoryKeychain {
  const k = new MemoryKeychain();
  for (const [kind, v] of Object.entries(entries)) k.entries.set(keychainAccount(kind as KeychainKind, SERVER), v!);
  return k;
}
const flags: ReadSpec = async (spec) => new Secret(spec === 'env:OLD' ? A : B, spec);
const never: ReadSpec = async () => {
  throw new Error('no secret may be read');
};
const values = (r: Awaited<ReturnType<typeof resolveRecoveryKeys>>) => ({
  old: r.keys.old?.reveal(),
  new: r.keys.new?.reveal(),
});

describe('resolveRecoveryKeys: keychain defaults', () => {
  const cases: Array<[string, Partial<Record<KeychainKind, string>>, { old?: string; new?: string }]> = [
    [
      'a failed rotate --save-to-keychain: live is old, pending is new',
      { 'server-key': A, 'server-key-pending': B },
      { old: A, new: B },
    ],
    [
      'a confirmed rotation: previous is old, live is new',
      { 'server-key': B, 'server-key-previous': A },
      { old: A, new: B },
    ],
    [
      'pending wins over an older previous entry',
      { 'server-key': A, 'server-key-pending': B, 'server-key-previous': 'older-key-0' },
      { old: A, new: B },
    ],
    ['only the live entry: it is the key before the rotation', { 'server-key': A }, { old: A, new: undefined }],
    [
      'pending equal to live (a promotion that crashed before deleting pending): previous is old',
      { 'server-key': B, 'server-key-pending': B, 'server-key-previous': A },
      { old: A, new: B },
    ],
  ];
  it.each(cases)('%s', async (_n, entries, want) => {
    const ctx = testContext({ keychain: kc(entries) });
    const r = await resolveRecoveryKeys(ctx, SERVER, {}, never, { planOnly: false });
    expect(values(r)).toEqual(want);
    expect(r.held).toEqual({ old: want.old !== undefined, new: want.new !== undefined });
    expect(r.sources.old).toMatch(/^keychain:server-key/);
  });

  it('flags win; a keychain value equal to a flagged key is not used for the other role', async () => {
    const ctx = testContext({ keychain: kc({ 'server-key': B }) });
    const r = await resolveRecoveryKeys(ctx, SERVER, { new: 'env:NEW' }, flags, { planOnly: false });
    expect(values(r)).toEqual({ old: undefined, new: B });
  });

  it('no keychain here (headless): the flags alone, never an error', async () => {
    const ctx = testContext({ keychain: null });
    const r = await resolveRecoveryKeys(ctx, SERVER, { old: 'env:OLD' }, flags, { planOnly: false });
    expect(r.held).toEqual({ old: true, new: false });
  });

  it('--plan reads no secret: held comes from the flags and the keychain only', async () => {
    const ctx = testContext({ keychain: kc({ 'server-key': A, 'server-key-pending': B }) });
    const r = await resolveRecoveryKeys(ctx, SERVER, { old: 'cmd:op read x' }, never, { planOnly: true });
    expect(r.held).toEqual({ old: true, new: true });
    expect(r.keys).toEqual({});
  });

  it('the same key for both roles is a usage error', async () => {
    const ctx = testContext({ keychain: null });
    const same: ReadSpec = async (spec) => new Secret(A, spec);
    const err = await resolveRecoveryKeys(ctx, SERVER, { old: 'env:X', new: 'env:Y' }, same, { planOnly: false }).catch(
      (e: unknown) => e,
    );
    expect((err as CliError).exitCode).toBe(ExitCode.USAGE);
  });

  it('nothing at all: without a terminal names both flags; on a terminal two empty answers are refused', async () => {
    const none = await resolveRecoveryKeys(testContext({ keychain: null }), SERVER, {}, never, {
      planOnly: false,
    }).catch((e: unknown) => e);
    expect((none as CliError).hint).toMatch(/--old-key-from.*--new-key-from/);
    const tty = testContext({ keychain: null, tty: true, answers: [{ answer: '' }, { answer: '' }] });
    const empty = await resolveRecoveryKeys(tty, SERVER, {}, never, { planOnly: false }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(CliError);
    expect((empty as CliError).message).toContain('at least one');
  });
});
