import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import type { GlobalOptions } from '../globals.js';
import { GLOBAL_ENV } from '../globals.js';
import { openInvocation, singleTarget } from './shared/invocation.js';
import { mapApiErrors } from './shared/api-errors.js';
import { ExitCode } from '../errors.js';
import { writeJson } from '../output/json.js';
import { loginJson, loginText, logoutJson, logoutText, type LoginReport } from '../output/login.js';
import { hasSettingsManage } from '../auth/capability.js';

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
  const [{ requireKeychain }, { storeLogin }] = await Promise.all([
    import('../keychain/open.js'),
    import('../auth/login.js'),
  ]);
  const inv = await openInvocation(app, g);
  try {
    const t = singleTarget(inv, 'login');
    // Before the password is asked for: without a keychain there is nowhere to keep the session.
    const kc = await requireKeychain(ctx, 'pikactl login', CI_INSTEAD);
    const merged: GlobalOptions = { ...g, user: g.user ?? inv.conn.user };
    const { me, info, entry } = await mapApiErrors(t.server, 'login', () =>
      storeLogin(ctx, merged, t, inv.secrets, kc),
    );
    if (ctx.env[GLOBAL_ENV.session]?.trim()) {
      ctx.io.stderr.write(`Note: ${GLOBAL_ENV.session} is set, and commands use it before the stored session.\n`);
    }
    report(app, g, { server: t.server.id, me, info, entry, backend: kc.backend, action: 'logged_in' });
    return ExitCode.OK;
  } finally {
    await inv.close();
  }
};

export const runLogout: RunCommand<LogoutOptions> = async (app, g) => {
  const { ctx } = app;
  const [{ requireKeychain }, { endStoredLogin }] = await Promise.all([
    import('../keychain/open.js'),
    import('../auth/login.js'),
  ]);
  const inv = await openInvocation(app, g);
  try {
    const t = singleTarget(inv, 'logout');
    const kc = await requireKeychain(ctx, 'pikactl logout', 'There is no stored session to end here.');
    const result = await endStoredLogin(ctx, t, kc);
    if (g.json) writeJson(ctx.io, logoutJson(t.server.id, result));
    else {
      const { out, warning } = logoutText(t.server.id, result, ctx.io.style);
      ctx.io.stdout.write(out);
      if (warning) ctx.io.stderr.write(warning);
    }
    return ExitCode.OK;
  } finally {
    await inv.close();
  }
};

export const runWhoami: RunCommand<WhoamiOptions> = async (app, g) => {
  const { ctx } = app;
  const { findLogin, identify } = await import('../auth/find-login.js');
  const inv = await openInvocation(app, g);
  try {
    const t = singleTarget(inv, 'whoami');
    const found = await findLogin(ctx, g, t.server);
    t.client.setSession(found.secret);
    const { me, info } = await mapApiErrors(t.server, 'whoami', () => identify(t, found.describe, ctx.signal));
    const from = found.entry ? { entry: found.entry } : { source: GLOBAL_ENV.session };
    report(app, g, { server: t.server.id, me, info, ...from, action: 'whoami' });
    return ExitCode.OK;
  } finally {
    await inv.close();
  }
};

/** Who is logged in (login, whoami): JSON, or the lines and a note when key commands are out of reach. */
function report(app: App, g: GlobalOptions, r: Omit<LoginReport, 'manage'>): void {
  const { io } = app.ctx;
  const full = { ...r, manage: hasSettingsManage(r.info) };
  if (g.json) {
    writeJson(io, loginJson(full));
    return;
  }
  const { out, note } = loginText(full, io.style);
  io.stdout.write(out);
  if (note) io.stderr.write(note);
}
