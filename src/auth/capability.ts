import type { ServerInfo } from '../api/types.js';

export const SETTINGS_MANAGE = 'settings.manage';

/** What the web UI checks before offering key actions: superadmin, or the settings.manage capability. */
export function hasSettingsManage(info: ServerInfo): boolean {
  return info.is_superadmin === true || (Array.isArray(info.permissions) && info.permissions.includes(SETTINGS_MANAGE));
}
