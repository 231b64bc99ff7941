import { apiErrorToCli } from '../api/errors.js';
import { ApiError, type PikaClient } from '../api/types.js';
import type { Deps } from '../deps.js';
import { CliError, usageError } from '../errors.js';
import { GLOBAL_ENV, type GlobalOptions } from '../globals.js';
import type { SecretReader } from '../secrets/reader.js';
import type { Login, InlineLogin, LoginStore } from './types.js';
import { sessionFromEnv } from './env-session.js';

/** Failures where asking the server anything else is pointless. */
const TRANSPORT_KINDS = new Set(['unreachable', 'tls', 'timeout', 'cancelled', 'connection_lost']);

/**
 * Gives `client` a session that can call the key endpoints. Sources, in order:
 * 1. PIKA_SESSION (a cookie value; "pika_session=…" is accepted too),
 * 2. a stored session (`pikactl login`, keychain) when a store is plugged in,
 * 3. an inline login (--user/PIKA_USER or a prompt, --password-from, TOTP step-up),
 *    which close() logs out again.
 * Sessions from 1 and 2 are not validated here: an expired one shows up as a 307
 * on the first protected call, which withLogin() turns into "session expired".
 */
export async function authenticate(
  ctx: Deps,
  g: GlobalOptions,
  client: PikaClient,
  secrets: SecretReader,
  loginStore?: LoginStore,
): Promise<Login> {
  const fromEnv = sessionFromEnv(ctx.env, g.cookieName);
  if (fromEnv) {
    client.setSession(fromEnv);
    return { source: 'env', close: async () => {} };
  }
  if (loginStore) {
    const stored = await loginStore.load(client.server);
    if (stored && !stored.cookie.isEmpty()) {
      client.setSession(stored.cookie);
      return { source: 'stored', ...(stored.user ? { user: stored.user } : {}), close: async () => {} };
    }
  }
  return loginInline(ctx, g, client, secrets);
}

/** Password login (with TOTP step-up). The session is logged out by close() unless keep() was called; errors there are ignored. */
export async function loginInline(
  ctx: Deps,
  g: GlobalOptions,
  client: PikaClient,
  secrets: SecretReader,
): Promise<InlineLogin> {
  const server = client.server;
  const user = await resolveUser(ctx, g, server.id);
  // Discovery first: an unreachable server fails before anyone types a password.
  const strategy = g.strategy ?? (await discoverStrategy(client, ctx.signal));
  const password = await secrets.read({ spec: g.passwordFrom, flag: '--password-from', label: `password for ${user}` });
  let stage: 'password' | 'totp' = 'password';
  let cookie: InlineLogin['cookie'];
  try {
    let result = await client.login(strategy, user, password, ctx.signal);
    if (result.kind === 'totp_required') {
      stage = 'totp';
      const code = await secrets.read({ spec: g.totpFrom, flag: '--totp-from', label: 'TOTP code' });
      result = await client.loginTotp(strategy, result.totpSessionId, code, ctx.signal);
      if (result.kind !== 'session') {
        throw new CliError(`login as "${user}" on ${server.id} asked for a second TOTP step`, { code: 'auth' });
      }
    }
    cookie = result.cookie;
    client.setSession(cookie);
  } catch (err) {
    if (err instanceof ApiError) throw loginError(err, user, strategy, stage, server.id, client);
    throw err;
  }
  let closed = false;
  return {
    source: 'login',
    user,
    cookie,
    keep() {
      closed = true;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.logout();
      } catch {
        // The session dies with its server-side TTL anyway; a failed logout must not fail the command.
      }
      client.setSession(undefined);
    },
  };
}

async function resolveUser(ctx: Deps, g: GlobalOptions, serverId: string): Promise<string> {
  if (g.user !== undefined && g.user.trim() !== '') return g.user.trim();
  if (!ctx.io.canPrompt()) {
    throw usageError(
      `a user name is needed to log in to ${serverId}, but there is no terminal to ask on`,
      `Pass --user NAME (or set ${GLOBAL_ENV.user}) with --password-from SPEC, or provide a session in ${GLOBAL_ENV.session}.`,
    );
  }
  const name = (await ctx.io.prompter().input(`Pika user name for ${serverId}:`)).trim();
  if (name === '') throw usageError('no user name given', 'Pass --user NAME.');
  return name;
}

/** Used when --strategy is absent: /api/v1/info's local_login_name, else the first password strategy of /login/info, else "local". */
export async function discoverStrategy(client: PikaClient, signal?: AbortSignal): Promise<string> {
  const rethrowTransport = (err: unknown) => {
    if (err instanceof ApiError && TRANSPORT_KINDS.has(err.kind)) throw apiErrorToCli(err, client.server, 'login');
  };
  try {
    const info = await client.info(signal);
    if (typeof info.local_login_name === 'string' && info.local_login_name !== '') return info.local_login_name;
  } catch (err) {
    rethrowTransport(err);
  }
  try {
    const li = await client.loginInfo(signal);
    const pw = li.strategies.find((s) => s.kind === 'password' && typeof s.name === 'string' && s.name !== '');
    if (pw) return pw.name;
  } catch (err) {
    rethrowTransport(err);
  }
  return 'local';
}

function loginError(
  err: ApiError,
  user: string,
  strategy: string,
  stage: 'password' | 'totp',
  serverId: string,
  client: PikaClient,
): CliError {
  const details = { kind: err.kind, status: err.status, user, strategy };
  if (err.kind === 'invalid_credentials') {
    const expired = err.serverCode === 'invalid_session';
    const message =
      stage === 'totp'
        ? expired
          ? `the TOTP step-up for "${user}" on ${serverId} expired before the code arrived`
          : `the TOTP code for "${user}" on ${serverId} was rejected`
        : `login as "${user}" on ${serverId} was rejected: wrong user name or password`;
    return new CliError(message, {
      code: 'auth',
      hint:
        stage === 'totp'
          ? 'Use a fresh code (they change every 30 s) and log in again.'
          : 'Check the user name and password; repeated failures are rate limited.',
      cause: err,
      details,
    });
  }
  if (err.kind === 'not_found' && stage === 'password') {
    return new CliError(`${serverId} has no password login strategy "${strategy}"`, {
      code: 'auth',
      hint: 'Pass --strategy NAME (the names are listed by GET /login/info), or leave it out to use the server default.',
      cause: err,
      details,
    });
  }
  return apiErrorToCli(err, client.server, `login as "${user}"`);
}
