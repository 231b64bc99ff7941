import type { Env } from '../deps.js';
import { GLOBAL_ENV } from '../globals.js';
import { Secret } from '../secrets/secret.js';
import { decodeStoredLogin } from '../keychain/login-store.js';

/** PIKA_SESSION as a cookie value ("pika_session=…" is accepted too), or undefined when unset. */
export function sessionFromEnv(env: Env, cookieName: string): Secret | undefined {
  const raw = env[GLOBAL_ENV.session]?.trim();
  if (!raw) return undefined;
  const prefix = `${cookieName}=`;
  // A value copied out of the keychain entry `pikactl login` wrote holds the cookie in JSON: take the cookie.
  return decodeStoredLogin(
    new Secret(raw.startsWith(prefix) ? raw.slice(prefix.length) : raw, `env:${GLOBAL_ENV.session}`),
  ).cookie;
}
