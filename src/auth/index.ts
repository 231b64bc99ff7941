export { authenticate, loginInline, discoverStrategy } from './authenticate.js';
export { withLogin, type WithLoginOptions } from './with-login.js';
export { hasSettingsManage, SETTINGS_MANAGE } from './capability.js';
export type { Login, LoginStore, LoginSource } from './types.js';
