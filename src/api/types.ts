import type { Secret } from '../secrets/secret.js';
import type { ServerUrl } from './url.js';

export interface KeyStatus {
  initialized: boolean;
  unlocked: boolean;
}

/** GET /api/v1/info (only the fields pikactl uses are typed; the rest is kept). */
export interface ServerInfo {
  name: string;
  version: string;
  user?: string;
  is_superadmin?: boolean;
  permissions?: string[];
  local_login_name?: string;
  encryption_config_invalid?: boolean;
  managed_tls_enabled?: boolean;
  [key: string]: unknown;
}

export interface Identity {
  subject: string;
  name?: string;
  email?: string;
  provider?: string;
  [key: string]: unknown;
}

export interface LoginStrategy {
  name: string;
  kind?: string;
  label?: string;
  url?: string;
  [key: string]: unknown;
}

export interface LoginInfo {
  title?: string;
  strategies: LoginStrategy[];
  [key: string]: unknown;
}

export type LoginResult =
  | { kind: 'session'; cookie: Secret }
  | { kind: 'totp_required'; totpSessionId: Secret; expiresInSeconds?: number };

export interface ClusterStatus {
  enabled?: boolean;
  role?: string;
  is_leader?: boolean;
  leader_addr?: string;
  [key: string]: unknown;
}

/**
 * How a failed call is classified. Every response shape in shared/pika-api.md
 * maps to exactly one kind.
 */
export type ApiErrorKind =
  | 'locked' // 503 + X-Pika-Locked: true (lock gate)
  | 'unauthenticated' // 3xx to the base path / login, or 401 no_session: no or expired session
  | 'forbidden' // 403 missing capability (settings.manage)
  | 'wrong_key' // 403 invalid server key / invalid old key / verifier format mismatch
  | 'not_initialized' // 400 "... not initialized ..."
  | 'already_initialized' // 409 conflict on initialize
  | 'bad_request' // any other 400 (e.g. "new key must differ from old key")
  | 'invalid_credentials' // 401 invalid_credentials / invalid_code on login
  | 'rate_limited' // 429 (Retry-After kept)
  | 'server_error' // Pika's own 5xx: JSON body with message/error (request_id kept)
  | 'gateway' // 5xx or 429 with no Pika shape (HTML, empty, foreign JSON): a proxy in front of Pika answered
  | 'cluster' // plain-text cluster forwarding errors (503/502/413 text)
  | 'not_pika' // HTML or non-JSON where JSON was expected (SPA fallback, wrong URL)
  | 'not_found' // 404
  | 'too_large' // 413, or response body over the cap
  | 'unreachable' // connection refused, DNS failure, reset before a response
  | 'connection_lost' // the request was sent but the connection dropped before a response
  | 'tls' // certificate verification or pin mismatch
  | 'timeout'
  | 'cancelled' // the caller's AbortSignal fired (Ctrl-C / SIGTERM)
  | 'unexpected'; // anything else

export interface ApiErrorInit {
  kind: ApiErrorKind;
  method: string;
  path: string;
  status?: number;
  /** The server's `message` (or plain text body, truncated). Never contains our secrets. */
  serverMessage?: string;
  /** The server's `error` (ada) or `code` (lock gate) field. */
  serverCode?: string;
  requestId?: string;
  retryAfterMs?: number;
  /** For 3xx: the Location header. */
  location?: string;
  /** What the operator can do about it (e.g. TLS: --cacert / --pin), when the layer that saw it knows. */
  hint?: string;
  /** Transport failures only: whether the request reached a connected socket (undefined: cannot tell). See src/outcome.ts. */
  sent?: boolean;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly serverMessage?: string;
  readonly serverCode?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  readonly location?: string;
  readonly hint?: string;
  readonly sent?: boolean;

  constructor(message: string, init: ApiErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.serverMessage = init.serverMessage;
    this.serverCode = init.serverCode;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.location = init.location;
    this.hint = init.hint;
    this.sent = init.sent;
  }
}

/**
 * One method per endpoint pikactl uses. Never prints, never retries a call that
 * changes state. Every method rejects with ApiError.
 */
export interface PikaClient {
  readonly server: ServerUrl;
  /** The session cookie sent with every request (set after login, or from PIKA_SESSION / the keychain). */
  setSession(cookie: Secret | undefined): void;
  hasSession(): boolean;
  /**
   * Caps each later request's timeout at what `remainingMs()` says is left of a wait
   * (`--wait D` bounds the whole command); undefined lifts the cap. Optional for test fakes.
   */
  setDeadline?(remainingMs: (() => number) | undefined): void;

  healthz(signal?: AbortSignal): Promise<void>;
  info(signal?: AbortSignal): Promise<ServerInfo>;
  keyStatus(signal?: AbortSignal): Promise<KeyStatus>;
  initialize(key: Secret, signal?: AbortSignal): Promise<void>;
  unlock(key: Secret, signal?: AbortSignal): Promise<void>;
  lock(signal?: AbortSignal): Promise<void>;
  rotate(currentKey: Secret, newKey: Secret, signal?: AbortSignal): Promise<void>;
  /** GET /api/v1/settings: public fields; a 500 here means the sealed payload does not decrypt under the live key. */
  settings(signal?: AbortSignal): Promise<Record<string, unknown>>;
  clusterStatus(signal?: AbortSignal): Promise<ClusterStatus>;

  loginInfo(signal?: AbortSignal): Promise<LoginInfo>;
  login(strategy: string, username: string, password: Secret, signal?: AbortSignal): Promise<LoginResult>;
  loginTotp(strategy: string, totpSessionId: Secret, code: Secret, signal?: AbortSignal): Promise<LoginResult>;
  me(signal?: AbortSignal): Promise<Identity>;
  logout(signal?: AbortSignal): Promise<void>;
  /** A streamed exchange (backup export/restore: no size cap on a 2xx body); absent with an injected fetch. */
  stream?: (req: import('./stream-types.js').StreamRequest) => Promise<import('./stream-types.js').StreamAnswer>;
  /** Release sockets (undici Agent). */
  close(): Promise<void>;
}
