import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import type { GlobalOptions } from '../globals.js';
import { GLOBAL_ENV } from '../globals.js';
import { openInvocation, singleTarget, type Target } from './shared/invocation.js';
import { mapApiErrors } from './shared/api-errors.js';
import { CliError, ExitCode } from '../errors.js';
import { writeJson } from '../output/json.js';
import type { ServerInfo, Identity } from '../api/types.js';
import { serverText } from '../output/server-text.js';
import { hasSettingsManage } from '../auth/capability.js';
import { targetFlags } from '../output/target-flags.js';

const CI_INSTEAD =
  `In CI and on machines without a keychain, skip \`pikactl login\`: export ${GLOBAL_ENV.session} with a session cookie, ` +
  'or let each command log in inline with --user NAME --password-from SPEC (it logs out again when done).';

const SOURCES = `Commands find a session in this order: ${GLOBAL_ENV.session}, the session stored by
\`pikactl login\`, then an inline login (--user, --password-from, --totp-from).`;

/** `login`'s declaration (no options of its own: it uses the global login flags). */
function declareLogin(program: Command) {
  return typed(program)
    .command('login')
    .description(summary('login'))
    .addHelpText(
      'after',
      `
Uses the global login flags: -u/--user NAME, --password-from SPEC, --totp-from
SPEC (asked on a terminal when the account has 2FA) and --strategy NAME. The
session cookie goes to the keychain entry "session:<server>" and never to a
file. Prints who is logged in and whether the user holds settings.manage (needed
by init, unlock, lock and rotate).
${SOURCES}
A stored session the server no longer accepts (307) is removed. On a terminal,
a command that meets it offers to log in again as the same user; the new
session replaces the stored one.

Without a usable keychain, login fails (exit 1). In CI, use ${GLOBAL_ENV.session},
or let each command log in inline with --user NAME --password-from SPEC (it logs
out again when done).
Exit codes: 0 logged in, 1 no keychain, 4 bad credentials, 7 unreachable.

Examples:
  pikactl login --server https://pika.example:8080 --user admin
  pikactl login --user admin --password-from cmd:"pass show pika/admin"`,
    );
}

function declareLogout(program: Command) {
  return typed(program)
    .command('logout')
    .description(summary('logout'))
    .addHelpText(
      'after',
      '\nThe keychain entry is deleted even when the server cannot be reached (you are\ntold so).\nExample:\n  pikactl logout --server https://pika.example:8080',
    );
}

function declareWhoami(program: Command) {
  return typed(program)
    .command('whoami')
    .description(summary('whoami'))
    .addHelpText(
      'after',
      `
Looks at the session other commands would use without logging in:
${GLOBAL_ENV.session}, else the one stored by \`pikactl login\`.
Exit codes: 0 logged in (whatever the capabilities), 4 not logged in or the
session is no longer valid.`,
    );
}

export type LoginOptions = OptionsOf<typeof declareLogin>;
export type LogoutOptions = OptionsOf<typeof declareLogout>;
export type WhoamiOptions = OptionsOf<typeof declareWhoami>;

/** The run functions of `login`, `logout` and `whoami`, each replaceable (parse tests). */
export interface LoginRuns {
  login: RunCommand<LoginOptions>;
  logout: RunCommand<LogoutOptions>;
  whoami: RunCommand<WhoamiOptions>;
}

export function registerLogin(program: Command, app: App, override: Partial<LoginRuns> = {}): void {
  const runs: LoginRuns = { login: runLogin, logout: runLogout, whoami: runWhoami, ...override };
  app.action(declareLogin(program), (opts, g, args) => runs.login(app, g, opts, args));
  app.action(declareLogout(program), (opts, g, args) => runs.logout(app, g, opts, args));
  app.action(declareWhoami(program), (opts, g, args) => runs.whoami(app, g, opts, args));
}

export const runLogin: RunCommand<LoginOptions> = async (app, g) => {
  const { ctx } = app;
  const [{ requireKeychain }, { saveLogin, sessionAccount, decodeStoredLogin }, { loginInline }] = await Promise.all([
    import('../keychain/open.js'),
    import('../keychain/login-store.js'),
    import('../auth/index.js'),
  ]);
  const inv = await openInvocation(app, g);
  try {
    const t = singleTarget(inv, 'login');
    // Before the password is asked for: without a keychain there is nowhere to keep the session.
    const kc = await requireKeychain(ctx, 'pikactl login', CI_INSTEAD);
    return await mapApiErrors(t.server, 'login', async () => {
      const oldValue = await kc.get(sessionAccount(t.server));
      const old = oldValue ? decodeStoredLogin(oldValue).cookie : null;
      const merged: GlobalOptions = { ...g, user: g.user ?? inv.conn.user };
      const inline = await loginInline(ctx, merged, t.client, inv.secrets);
      // The session outlives this command: it goes to the keychain, with its user name (a re-login after a 307 reuses it).
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
      // The session this one replaces: end it on the server too, best effort.
      if (old && !old.equals(cookie)) {
        t.client.setSession(old);
        await t.client.logout().catch(() => {});
        t.client.setSession(cookie);
      }
      if (ctx.env[GLOBAL_ENV.session]?.trim()) {
        ctx.io.stderr.write(`Note: ${GLOBAL_ENV.session} is set, and commands use it before the stored session.\n`);
      }
      report(app, g, t, me, info, { entry: sessionAccount(t.server), backend: kc.backend, action: 'logged_in' });
      return ExitCode.OK;
    });
  } finally {
    await inv.close();
  }
};

export const runLogout: RunCommand<LogoutOptions> = async (app, g) => {
  const { ctx } = app;
  const [{ requireKeychain }, { sessionAccount, decodeStoredLogin }, { ApiError }] = await Promise.all([
    import('../keychain/open.js'),
    import('../keychain/login-store.js'),
    import('../api/types.js'),
  ]);
  const inv = await openInvocation(app, g);
  try {
    const t = singleTarget(inv, 'logout');
    const kc = await requireKeychain(ctx, 'pikactl logout', 'There is no stored session to end here.');
    const entry = sessionAccount(t.server);
    const value = await kc.get(entry);
    const stored = value ? decodeStoredLogin(value).cookie : null;
    if (!stored) {
      if (g.json) writeJson(ctx.io, { ok: true, server: t.server.id, action: 'none', exit_code: 0 });
      else ctx.io.stdout.write(`No stored session for ${t.server.id}; nothing to do.\n`);
      return ExitCode.OK;
    }
    // Revoke first, delete second: the other order would lose the cookie of a session still alive.
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
    if (g.json) {
      writeJson(ctx.io, {
        ok: true,
        server: t.server.id,
        action: 'logged_out',
        revoked: notRevoked === undefined,
        entry,
        exit_code: 0,
      });
    } else if (notRevoked === undefined) {
      ctx.io.stdout.write(
        `Logged out of ${t.server.id}: the session was ended on the server and removed from the keychain.\n`,
      );
    } else {
      ctx.io.stdout.write(`Removed the stored session for ${t.server.id} from the keychain.\n`);
      ctx.io.stderr.write(
        `${ctx.io.style.yellow('Warning:')} the server could not be told (${notRevoked}); the session stays valid there until it expires.\n`,
      );
    }
    return ExitCode.OK;
  } finally {
    await inv.close();
  }
};

export const runWhoami: RunCommand<WhoamiOptions> = async (app, g) => {
  const { ctx } = app;
  const { findLogin } = await import('../auth/find-login.js');
  const inv = await openInvocation(app, g);
  try {
    const t = singleTarget(inv, 'whoami');
    const found = await findLogin(ctx, g, t.server);
    t.client.setSession(found.secret);
    return await mapApiErrors(t.server, 'whoami', async () => {
      const { me, info } = await identify(t, found.describe, ctx.signal);
      report(app, g, t, me, info, {
        ...(found.entry ? { entry: found.entry } : { source: GLOBAL_ENV.session }),
        action: 'whoami',
      });
      return ExitCode.OK;
    });
  } finally {
    await inv.close();
  }
};

/** /login/me, falling back to /api/v1/info's user (some Pika versions answer /login/me 401 once the access token aged). */
async function identify(
  t: Target,
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

function report(
  app: App,
  g: GlobalOptions,
  t: Target,
  me: Identity,
  info: ServerInfo,
  extra: { entry?: string; backend?: string; source?: string; action: string },
): void {
  const { io } = app.ctx;
  const manage = hasSettingsManage(info);
  const user = typeof info.user === 'string' && info.user !== '' ? info.user : me.subject;
  if (g.json) {
    writeJson(io, {
      ok: true,
      server: t.server.id,
      action: extra.action,
      user,
      subject: me.subject,
      ...(me.name ? { name: me.name } : {}),
      superadmin: info.is_superadmin === true,
      settings_manage: manage,
      ...(extra.entry ? { entry: extra.entry } : {}),
      ...(extra.backend ? { backend: extra.backend } : {}),
      ...(extra.source ? { source: extra.source } : {}),
      exit_code: 0,
    });
    return;
  }
  // The user name is the server's word (info.user or /login/me's subject): rendered safe.
  const who = serverText(user, { max: 100 });
  const where = extra.entry
    ? `keychain entry "${extra.entry}"${extra.backend ? ` (${extra.backend})` : ''}`
    : extra.source;
  if (extra.action === 'logged_in')
    io.stdout.write(`Logged in to ${t.server.id} as ${who}. The session is stored in the ${where}.\n`);
  else io.stdout.write(`${who} on ${t.server.id} (session from the ${where})\n`);
  io.stdout.write(
    `settings.manage: ${manage ? `yes${info.is_superadmin ? ' (superadmin)' : ''}: init, unlock, lock and rotate can use this session` : 'no'}\n`,
  );
  if (!manage)
    io.stderr.write(
      `${io.style.yellow('Note:')} ${who} cannot run key commands; ask an administrator to grant settings.manage.\n`,
    );
}
