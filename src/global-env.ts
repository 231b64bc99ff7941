/** The env var behind each global flag; shown in --help and `pikactl help environment`. */
export const GLOBAL_ENV = {
  server: 'PIKA_SERVER',
  context: 'PIKACTL_CONTEXT',
  cacert: 'PIKA_CACERT',
  pin: 'PIKA_TLS_PIN',
  insecure: 'PIKA_INSECURE',
  allowHttp: 'PIKA_ALLOW_HTTP',
  proxy: 'PIKA_PROXY',
  timeout: 'PIKA_TIMEOUT',
  user: 'PIKA_USER',
  passwordFrom: 'PIKA_PASSWORD_FROM',
  totpFrom: 'PIKA_TOTP_FROM',
  strategy: 'PIKA_LOGIN_STRATEGY',
  cookieName: 'PIKA_SESSION_COOKIE',
  session: 'PIKA_SESSION',
} as const;

export const DEFAULT_TIMEOUT = '30s';
