import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import { keychainAccount } from './accounts.js';
import type { Keychain } from './keychain.js';
import { Secret } from '../secrets/secret.js';
import { isKeychainUnavailable, openKeychainOrNull } from './open.js';

/** The keychain account holding the `pikactl login` session of a server: "session:<server id>". */
export function sessionAccount(server: Pick<ServerUrl, 'id'>): string {
  return keychainAccount('session', server);
}

/** A session `pikactl login` stored: the cookie, and whom it belongs to (absent in entries written before that was kept). */
export interface StoredLogin {
  cookie: Secret;
  user?: string;
}

/** Stored sessions (`pikactl login`, keychain). The seam of src/auth: tests fake it. */
export interface LoginStore {
  load(server: ServerUrl): Promise<StoredLogin | null>;
  remove(server: ServerUrl): Promise<void>;
  /** Replaces the stored session (a re-login after a 307 of the stored one). */
  save?(server: ServerUrl, cookie: Secret, user: string): Promise<void>;
}

export interface KeychainLoginStoreOptions {
  /** Told why no keychain could be used (for --debug); the lookup then simply finds nothing. */
  onUnavailable?: (err: CliError) => void;
}

/**
 * Stored login sessions (`pikactl login`) in the OS keychain, as the LoginStore
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
export function keychainLoginStore(
  ctx: Pick<Deps, 'keychain'>,
  opts: KeychainLoginStoreOptions = {},
): Required<LoginStore> {
  let opened: Promise<Keychain | null> | undefined;
  const open = () => (opened ??= openKeychainOrNull(ctx, opts.onUnavailable));
  return {
    async load(server) {
      const keychain = await open();
      if (!keychain) return null;
      try {
        const value = await keychain.get(sessionAccount(server));
        return value ? decodeStoredLogin(value) : null;
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
    async save(server, cookie, user) {
      const keychain = await open();
      if (!keychain)
        throw new CliError('no keychain is usable here to store the session', { code: 'keychain_unavailable' });
      await saveLogin(keychain, server, cookie, user);
    },
  };
}

/** Stores a session cookie (and whose it is) for `server`, replacing any earlier one. */
export async function saveLogin(
  keychain: Keychain,
  server: Pick<ServerUrl, 'id'>,
  cookie: Secret,
  user?: string,
): Promise<string> {
  const account = sessionAccount(server);
  await keychain.set(account, encodeStoredLogin(cookie, user));
  return account;
}

/**
 * The entry's value: {"pikactl_session":1,"user":…,"cookie":…}. The user name is kept so a
 * re-login after the session expired does not ask for it again. A cookie value never
 * contains a double quote (RFC 6265 cookie-octet), so a value that is not this JSON is
 * an older entry holding the bare cookie, and reads as one.
 */
export function encodeStoredLogin(cookie: Secret, user?: string): Secret {
  return new Secret(
    JSON.stringify({ pikactl_session: 1, ...(user ? { user } : {}), cookie: cookie.reveal() }),
    cookie.source,
  );
}

export function decodeStoredLogin(value: Secret): StoredLogin {
  const raw = value.reveal();
  if (raw.startsWith('{"')) {
    try {
      const o = JSON.parse(raw) as { pikactl_session?: unknown; user?: unknown; cookie?: unknown };
      if (o.pikactl_session === 1 && typeof o.cookie === 'string') {
        return {
          cookie: new Secret(o.cookie, value.source),
          ...(typeof o.user === 'string' && o.user !== '' ? { user: o.user } : {}),
        };
      }
    } catch {
      // Not ours: treat it as a bare cookie, as below.
    }
  }
  return { cookie: value };
}
