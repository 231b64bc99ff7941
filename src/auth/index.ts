export { authenticate, loginInline, discoverStrategy } from './authenticate.js';
export { withSession, type WithSessionOptions } from './with-login.js';
export { hasSettingsManage, SETTINGS_MANAGE } from './capability.js';
export type { AuthSession, SecretSource, SessionStore, SessionSource } from './types.js';
