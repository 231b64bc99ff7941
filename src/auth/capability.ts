import type { ServerInfo } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import { CliError, ExitCode } from '../errors.js';

export const SETTINGS_MANAGE = 'settings.manage';

/** What the web UI checks before offering key actions: superadmin, or the settings.manage capability. */
export function hasSettingsManage(info: ServerInfo): boolean {
  return info.is_superadmin === true || (Array.isArray(info.permissions) && info.permissions.includes(SETTINGS_MANAGE));
}

/**
 * Fails early (exit 4) when the session's user cannot call the key endpoints, so
 * the operator is told before typing a key. `info` must come from GET /api/v1/info
 * sent with the session cookie.
 */
export function requireSettingsManage(info: ServerInfo, server?: ServerUrl): void {
  if (hasSettingsManage(info)) return;
  const where = server ? ` on ${server.id}` : '';
  if (typeof info.user !== 'string' || info.user === '') {
    throw new CliError(`not logged in${where}: the server sees an anonymous request`, {
      code: 'session_expired',
      exitCode: ExitCode.AUTH,
      hint: 'Log in with --user NAME --password-from SPEC (or PIKA_SESSION, or `pikactl login`).',
    });
  }
  throw new CliError(`user "${info.user}" lacks the ${SETTINGS_MANAGE} capability${where}`, {
    code: 'not_permitted',
    exitCode: ExitCode.AUTH,
    hint: `Ask an administrator to grant ${SETTINGS_MANAGE} (Users → Permissions), or log in as a superadmin. API tokens can never hold it.`,
    details: { user: info.user, missing: SETTINGS_MANAGE },
  });
}
