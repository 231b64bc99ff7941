import type { Identity, PikaClient, ServerInfo } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import type { Keychain } from '../keychain/keychain.js';
import { decodeStoredLogin, saveLogin, sessionAccount } from '../keychain/login-store.js';
import type { SecretReader } from '../secrets/reader.js';
import { loginInline } from './authenticate.js';

/** `pikactl login` and `logout`: a session stored in the keychain, and ended again. */

/** One server and its client (an invocation's Target, seen from here). */
export interface LoginTarget {
  server: ServerUrl;
  client: PikaClient;
}

/**
 * Logs in inline and stores the session (with its user name: a re-login after a 307 reuses
 * it) in `kc`. The session it replaces is ended on the server, best effort; a session this
 * run made but could not store is ended too (nobody would hold it).
 */
export async function storeLogin(
  ctx: Deps,
  g: GlobalOptions,
  t: LoginTarget,
  secrets: SecretReader,
  kc: Keychain,
): Promise<{ me: Identity; info: ServerInfo; entry: string }> {
  const entry = sessionAccount(t.server);
  const oldValue = await kc.get(entry);
  const old = oldValue ? decodeStoredLogin(oldValue).cookie : null;
  const inline = await loginInline(ctx, g, t.client, secrets);
  // The session outlives this command: it goes to the keychain.
  inline.keep();
  const cookie = inline.cookie;
  if (cookie.isEmpty()) throw new CliError(`login to ${t.server.id} gave no session cookie`, { code: 'auth' });
  let me: Identity;
  let info: ServerInfo;
  try {
    me = await t.client.me(ctx.signal);
    info = await t.client.info(ctx.signal);
    await saveLogin(kc, t.server, cookie, inline.user);
  } catch (err) {
    await t.client.logout().catch(() => {}); // a session nobody holds should not outlive the command
    throw err;
  }
  if (old && !old.equals(cookie)) {
    t.client.setSession(old);
    await t.client.logout().catch(() => {});
    t.client.setSession(cookie);
  }
  return { me, info, entry };
}

/** What `logout` did: nothing stored, or the entry deleted (and whether the server ended the session). */
export type LogoutResult =
  | { action: 'none'; entry: string }
  | { action: 'logged_out'; entry: string; notRevoked?: string };

/**
 * Ends the stored session: revoke first, delete second (the other order would lose the cookie
 * of a session still alive). The entry is deleted even when the server cannot be told.
 */
export async function endStoredLogin(ctx: Pick<Deps, 'signal'>, t: LoginTarget, kc: Keychain): Promise<LogoutResult> {
  const { ApiError } = await import('../api/types.js');
  const entry = sessionAccount(t.server);
  const value = await kc.get(entry);
  const stored = value ? decodeStoredLogin(value).cookie : null;
  if (!stored) return { action: 'none', entry };
  t.client.setSession(stored);
  let notRevoked: string | undefined;
  try {
    await t.client.logout(ctx.signal);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // An expired or unknown session has nothing left to revoke.
    if (err.kind !== 'unauthenticated') notRevoked = err.serverMessage ?? err.message;
  }
  t.client.setSession(undefined);
  await kc.delete(entry);
  return { action: 'logged_out', entry, ...(notRevoked !== undefined ? { notRevoked } : {}) };
}
