import type { Identity, ServerInfo } from '../api/types.js';
import type { LogoutResult } from '../auth/login.js';
import type { Style } from '../io/types.js';
import { serverText } from './server-text.js';

/** The reports of `login`, `whoami` and `logout` (pure: the command writes them). */

/** Who is logged in where, and where the session came from. */
export interface LoginReport {
  server: string;
  me: Identity;
  info: ServerInfo;
  action: 'logged_in' | 'whoami';
  /** The user holds settings.manage (auth/capability.ts). */
  manage: boolean;
  entry?: string;
  backend?: string;
  source?: string;
}

const userOf = (r: LoginReport) => (typeof r.info.user === 'string' && r.info.user !== '' ? r.info.user : r.me.subject);

export function loginJson(r: LoginReport): Record<string, unknown> {
  return {
    ok: true,
    server: r.server,
    action: r.action,
    user: userOf(r),
    subject: r.me.subject,
    ...(r.me.name ? { name: r.me.name } : {}),
    superadmin: r.info.is_superadmin === true,
    settings_manage: r.manage,
    ...(r.entry ? { entry: r.entry } : {}),
    ...(r.backend ? { backend: r.backend } : {}),
    ...(r.source ? { source: r.source } : {}),
    exit_code: 0,
  };
}

/** The lines for stdout, and a note (stderr) when the user cannot run key commands. */
export function loginText(r: LoginReport, style: Style): { out: string; note?: string } {
  const { manage } = r;
  // The user name is the server's word (info.user or /login/me's subject): rendered safe.
  const who = serverText(userOf(r), { max: 100 });
  const where = r.entry ? `keychain entry "${r.entry}"${r.backend ? ` (${r.backend})` : ''}` : r.source;
  const first =
    r.action === 'logged_in'
      ? `Logged in to ${r.server} as ${who}. The session is stored in the ${where}.\n`
      : `${who} on ${r.server} (session from the ${where})\n`;
  const out =
    first +
    `settings.manage: ${manage ? `yes${r.info.is_superadmin ? ' (superadmin)' : ''}: init, unlock, lock and rotate can use this session` : 'no'}\n`;
  if (manage) return { out };
  return {
    out,
    note: `${style.yellow('Note:')} ${who} cannot run key commands; ask an administrator to grant settings.manage.\n`,
  };
}

export function logoutJson(server: string, r: LogoutResult): Record<string, unknown> {
  if (r.action === 'none') return { ok: true, server, action: 'none', exit_code: 0 };
  return { ok: true, server, action: 'logged_out', revoked: r.notRevoked === undefined, entry: r.entry, exit_code: 0 };
}

/** What logout did (stdout), and a warning (stderr) when the server was not told. */
export function logoutText(server: string, r: LogoutResult, style: Style): { out: string; warning?: string } {
  if (r.action === 'none') return { out: `No stored session for ${server}; nothing to do.\n` };
  if (r.notRevoked === undefined)
    return {
      out: `Logged out of ${server}: the session was ended on the server and removed from the keychain.\n`,
    };
  return {
    out: `Removed the stored session for ${server} from the keychain.\n`,
    warning: `${style.yellow('Warning:')} the server could not be told (${r.notRevoked}); the session stays valid there until it expires.\n`,
  };
}
