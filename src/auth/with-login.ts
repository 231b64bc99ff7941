import { ApiError, type PikaClient } from '../api/types.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import { GLOBAL_ENV, type GlobalOptions } from '../globals.js';
import { authenticate, loginInline } from './authenticate.js';
import type { SecretReader } from '../secrets/reader.js';
import type { Login, InlineLogin, LoginStore } from './types.js';
import { targetFlags } from '../output/target-flags.js';

export interface WithLoginOptions {
  /**
   * fn may be run a second time after a fresh login. Only for calls whose first
   * attempt certainly had no effect or is idempotent (a 307 comes from the auth
   * layer, before the handler, but commands that change state still opt in explicitly).
   */
  retrySafe?: boolean;
  loginStore?: LoginStore;
  /** "unlock", "rotate"…: prefixes the error message. */
  action?: string;
}

const isExpired = (err: unknown): err is ApiError => err instanceof ApiError && err.kind === 'unauthenticated';

/**
 * Authenticates, runs fn, and always closes the session (inline logins are logged
 * out). If the server says the session is missing or expired mid-command, says so;
 * on a TTY and for retry-safe work it offers to log in again (as the same user) and
 * retries fn once; a re-login that replaces a stored session is stored in its place.
 * Otherwise it throws the auth CliError (exit 4) with the next step.
 */
export async function withLogin<T>(
  ctx: Deps,
  g: GlobalOptions,
  client: PikaClient,
  secrets: SecretReader,
  fn: (login: Login) => Promise<T>,
  opts: WithLoginOptions = {},
): Promise<T> {
  let login = await authenticate(ctx, g, client, secrets, opts.loginStore);
  try {
    try {
      return await fn(login);
    } catch (err) {
      if (!isExpired(err)) throw err;
      ctx.io.stderr.write(`Session expired: ${client.server.id} no longer accepts the ${describe(login)}.\n`);
      if (login.source === 'stored' && opts.loginStore) {
        await opts.loginStore.remove(client.server).catch(() => {});
      }
      const mayRetry = opts.retrySafe === true && ctx.io.canPrompt();
      if (!mayRetry || !(await ctx.io.prompter().confirm(`Log in to ${client.server.id} again and retry?`, true))) {
        throw expiredError(client, login, opts, err);
      }
      await login.close();
      const expired = login;
      // The user of the expired session (stored with it, or the one this command logged in as) is not asked again.
      const inline = await loginInline(ctx, { ...g, user: g.user ?? expired.user }, client, secrets);
      login = inline;
      if (expired.source === 'stored' && opts.loginStore?.save)
        await replaceStored(ctx, client, opts.loginStore, inline);
      try {
        return await fn(login);
      } catch (again) {
        if (isExpired(again)) throw expiredError(client, login, opts, again);
        throw again;
      }
    }
  } finally {
    await login.close();
  }
}

/**
 * The expired session came from `pikactl login`: the new one takes its place in the
 * store (later commands and `whoami` use it), so it is not logged out at the end.
 * A store that cannot take it leaves it an inline session, logged out as usual.
 */
async function replaceStored(ctx: Deps, client: PikaClient, store: LoginStore, login: InlineLogin): Promise<void> {
  try {
    await store.save!(client.server, login.cookie, login.user);
    login.keep();
    ctx.io.stderr.write(
      `Logged in to ${client.server.id} again as ${login.user}; the new session replaces the stored one.\n`,
    );
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    ctx.io.stderr.write(
      `${ctx.io.style.yellow('Warning:')} the new session could not be stored (${why}); it is logged out when this command ends. Run pikactl login ${targetFlags(client.server)} to store one.\n`,
    );
  }
}

function describe(login: Login): string {
  if (login.source === 'env') return `session in ${GLOBAL_ENV.session}`;
  if (login.source === 'stored') return 'stored session (pikactl login)';
  return `session of "${login.user ?? '?'}"`;
}

function expiredError(client: PikaClient, login: Login, opts: WithLoginOptions, cause: ApiError): CliError {
  const s = client.server.id;
  const relogin = `--user NAME --password-from SPEC`;
  let hint: string;
  if (opts.retrySafe !== true) {
    hint = `This step changes state, so it was not retried. Check the state with \`pikactl status ${targetFlags(client.server)}\`, then run the command again (log in with ${relogin}).`;
  } else if (login.source === 'env') {
    hint = `${GLOBAL_ENV.session} holds an expired or invalid session: unset it or refresh it, or log in with ${relogin}.`;
  } else if (login.source === 'stored') {
    hint = `The stale stored session was removed. Log in again with \`pikactl login ${targetFlags(client.server)}\`, or pass ${relogin}.`;
  } else {
    hint = `Run the command again; on a terminal pikactl offers to log in again.`;
  }
  return new CliError(`${opts.action ? `${opts.action} failed: ` : ''}session expired or not valid on ${s}`, {
    code: 'session_expired',
    hint,
    cause,
    details: { source: login.source },
  });
}
