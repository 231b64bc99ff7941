import type { ServerUrl } from '../api/url.js';
import type { SessionStore } from '../auth/types.js';
import type { Context } from '../context.js';
import type { CliError } from '../errors.js';
import { keychainAccount } from '../secrets/accounts.js';
import type { Keychain } from '../secrets/keychain.js';
import type { Secret } from '../secrets/secret.js';
import { isKeychainUnavailable, openKeychainOrNull } from './open.js';

/** The keychain account holding the `pikactl login` session of a server: "session:<server id>". */
export function sessionAccount(server: Pick<ServerUrl, 'id'>): string {
  return keychainAccount('session', server);
}

export interface KeychainSessionStoreOptions {
  /** Told why no keychain could be used (for --debug); the lookup then simply finds nothing. */
  onUnavailable?: (err: CliError) => void;
}

/**
 * Stored login sessions (`pikactl login`) in the OS keychain, as the SessionStore
 * seam of src/auth wants them.
 *
 * Lazy on purpose: the keychain is opened on the first load(), which authenticate()
 * calls only when a command really needs a session and PIKA_SESSION is not set. So
 * `status`, or `unlock` on a server that is already unlocked, never touches it (no
 * D-Bus round trip, no desktop unlock dialog).
 *
 * No keychain (CI, SSH without a session bus, a locked keyring) is not an error
 * here: load() finds nothing and the caller falls through to an inline login.
 */
export function keychainSessionStore(ctx: Pick<Context, 'keychain'>, opts: KeychainSessionStoreOptions = {}): SessionStore {
  let opened: Promise<Keychain | null> | undefined;
  const open = () => (opened ??= openKeychainOrNull(ctx, opts.onUnavailable));
  return {
    async load(server) {
      const keychain = await open();
      if (!keychain) return null;
      try {
        return await keychain.get(sessionAccount(server));
      } catch (err) {
        // The store answered the probe but not this read (e.g. it was locked since): same as no keychain.
        if (!isKeychainUnavailable(err)) throw err;
        opts.onUnavailable?.(err);
        return null;
      }
    },
    async remove(server) {
      const keychain = await open();
      if (keychain) await keychain.delete(sessionAccount(server));
    },
  };
}

/** Stores a session cookie for `server`, replacing any earlier one. */
export async function saveSession(keychain: Keychain, server: Pick<ServerUrl, 'id'>, cookie: Secret): Promise<string> {
  const account = sessionAccount(server);
  await keychain.set(account, cookie);
  return account;
}
