import type { Identity, PikaClient, ServerInfo } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import { sessionFromEnv } from './env-session.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import { GLOBAL_ENV, type GlobalOptions } from '../globals.js';
import type { Secret } from '../secrets/secret.js';
import { openKeychainOrNull } from '../keychain/open.js';
import { decodeStoredLogin, sessionAccount } from '../keychain/login-store.js';
import { targetFlags } from '../output/target-flags.js';

export interface FoundLogin {
  secret: Secret;
  /** The keychain entry, when the session came from `pikactl login`. */
  entry?: string;
  /** For messages: "the session in PIKA_SESSION", "the stored session (keychain entry …)". */
  describe: string;
}

/**
 * The session a command would use without logging in: PIKA_SESSION, else the one
 * `pikactl login` stored (the same order as authenticate()). None → exit 4, saying
 * why (no keychain here is part of the answer, not an error of its own).
 */
export async function findLogin(
  ctx: Deps,
  g: Pick<GlobalOptions, 'cookieName'>,
  server: ServerUrl,
): Promise<FoundLogin> {
  const fromEnv = sessionFromEnv(ctx.env, g.cookieName);
  if (fromEnv) return { secret: fromEnv, describe: `the session in ${GLOBAL_ENV.session}` };
  let why = '';
  const kc = await openKeychainOrNull(ctx, (err) => (why = `, and no keychain is usable here (${err.message})`));
  const entry = sessionAccount(server);
  const value = kc ? await kc.get(entry) : null;
  const stored = value ? decodeStoredLogin(value).cookie : null;
  if (stored && !stored.isEmpty())
    return { secret: stored, entry, describe: `the stored session (keychain entry "${entry}")` };
  throw new CliError(
    `not logged in to ${server.id}: ${GLOBAL_ENV.session} is not set${kc ? ` and there is no stored session "${entry}"` : why}`,
    {
      code: 'auth',
      hint: `Log in with: pikactl login ${targetFlags(server)}   (in CI: set ${GLOBAL_ENV.session}, or pass --user and --password-from to each command)`,
    },
  );
}

/**
 * Who the session belongs to: /login/me, falling back to /api/v1/info's user (some Pika
 * versions answer /login/me 401 once the access token aged). `describe` names the session.
 */
export async function identify(
  t: { server: ServerUrl; client: PikaClient },
  describe: string,
  signal?: AbortSignal,
): Promise<{ me: Identity; info: ServerInfo }> {
  const { ApiError } = await import('../api/types.js');
  const info = await t.client.info(signal);
  try {
    return { me: await t.client.me(signal), info };
  } catch (err) {
    if (!(err instanceof ApiError && err.kind === 'unauthenticated')) throw err;
    if (typeof info.user === 'string' && info.user !== '') return { me: { subject: info.user }, info };
    throw new CliError(`not logged in to ${t.server.id}: the server does not accept ${describe}`, {
      code: 'session_expired',
      hint: `It has expired or was ended. Log in again: pikactl login ${targetFlags(t.server)}`,
      cause: err,
    });
  }
}
