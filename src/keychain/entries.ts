import { randomBytes } from 'node:crypto';
import { platform } from 'node:os';
import type { Env } from '../deps.js';
import type { ServerUrl } from '../api/url.js';
import { CliError, usageError } from '../errors.js';
import {
  isKeychainKind,
  KEYCHAIN_KINDS,
  keychainAccount,
  parseKeychainAccount,
  type KeychainKind,
} from './accounts.js';
import type { Keychain } from './keychain.js';
import { Secret } from '../secrets/secret.js';
import { renderTable } from '../output/table.js';

/** One row of `pikactl keychain list`: names only, never values. */
export interface EntryRow {
  account: string;
  /** null for entries pikactl did not name (e.g. `keychain set --name my-password`). */
  kind: KeychainKind | null;
  server: string | null;
}

/** Grouped by server, in the order of KEYCHAIN_KINDS (live key first); other names last. */
export function entryRows(accounts: string[]): EntryRow[] {
  const rank = (r: EntryRow) => (r.kind ? KEYCHAIN_KINDS.indexOf(r.kind) : KEYCHAIN_KINDS.length);
  return accounts
    .map((account): EntryRow => {
      const parsed = parseKeychainAccount(account);
      return { account, kind: parsed?.kind ?? null, server: parsed?.serverId ?? null };
    })
    .sort((a, b) => {
      if ((a.server === null) !== (b.server === null)) return a.server === null ? 1 : -1;
      return (a.server ?? '').localeCompare(b.server ?? '') || rank(a) - rank(b) || a.account.localeCompare(b.account);
    });
}

/** A plain table for humans. */
export function renderEntries(rows: EntryRow[]): string {
  const cells = rows.map((r) => (r.kind ? [r.kind, r.server ?? ''] : ['(other)', r.account]));
  return `${renderTable([{ header: 'KIND' }, { header: 'SERVER / NAME' }], cells).lines.join('\n')}\n`;
}

/**
 * What `--name NAME` / `--kind KIND` mean: a kind (server-key, session, …) is that
 * entry of the current server; anything else is the account name itself. The server
 * is asked for only when needed, so a named entry works without one.
 */
export async function resolveEntryName(
  opts: { name?: string; kind?: KeychainKind },
  server: () => Promise<ServerUrl>,
): Promise<{ account: string; kind: KeychainKind | null }> {
  if (opts.name !== undefined && opts.kind !== undefined) throw usageError('give either --name or --kind, not both');
  if (opts.name !== undefined) {
    const name = opts.name.trim();
    if (name === '') throw usageError('--name needs an entry name', 'See `pikactl keychain list`.');
    if (isKeychainKind(name)) return { account: keychainAccount(name, await server()), kind: name };
    return { account: name, kind: parseKeychainAccount(name)?.kind ?? null };
  }
  const kind = opts.kind ?? 'server-key';
  return { account: keychainAccount(kind, await server()), kind };
}

/** The account of the round trip in `keychain test`: unique, and plainly not a real entry. */
const selftestAccount = () => `pikactl-selftest:${randomBytes(6).toString('hex')}`;

/**
 * `pikactl keychain test`: store, read back and delete a throwaway entry. Each step
 * that fails is named; a leftover test entry is named too so it can be removed.
 */
export async function roundTrip(keychain: Keychain): Promise<{ account: string }> {
  const account = selftestAccount();
  const value = new Secret(randomBytes(16).toString('hex'), 'keychain test');
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw failed(
        `${name} failed: ${err instanceof Error ? err.message : String(err)}`,
        err instanceof CliError ? err.hint : undefined,
        err,
      );
    }
  };
  await step('storing a test entry', () => keychain.set(account, value));
  const back = await step('reading the test entry back', () => keychain.get(account));
  if (!back?.equals(value))
    throw failed(`the test entry "${account}" read back ${back ? 'a different value' : 'nothing'}`, leftover(account));
  const deleted = await step('deleting the test entry', () => keychain.delete(account));
  const gone = (await step('reading the deleted test entry', () => keychain.get(account))) === null;
  if (!deleted || !gone) throw failed(`the test entry "${account}" could not be deleted`, leftover(account));
  return { account };
}

const leftover = (account: string) => `Remove it in your keychain app (service "pikactl", account "${account}").`;

function failed(message: string, hint?: string, cause?: unknown): CliError {
  return new CliError(`keychain test: ${message}`, { code: 'keychain_unavailable', hint, cause });
}

/**
 * `keychain test` failed: on Linux, find the first missing piece of the Secret Service
 * chain and throw that instead (the library's own error stays as the cause); elsewhere,
 * or when every piece looks present, the original error.
 */
export async function explainUnavailable(env: Env, err: unknown): Promise<never> {
  // Only a failure of the Secret Service itself (its errors name it) is worth diagnosing.
  if (
    err instanceof CliError &&
    err.code === 'keychain_unavailable' &&
    platform() === 'linux' &&
    /Secret Service|D-Bus/i.test(err.message)
  ) {
    const { diagnoseSecretService } = await import('./diagnose-linux.js');
    const piece = await diagnoseSecretService(env);
    if (piece)
      throw new CliError(piece.message, { code: piece.code, hint: piece.hint, details: piece.details, cause: err });
  }
  throw err;
}
