import { Secret } from '../secrets/secret.js';
import { createDispatcher } from '../transport/agent.js';
import { networkErrorToApiError, suggestHttps } from '../transport/errors.js';
import { fetchSend, undiciSend, type HttpSend } from '../transport/http.js';
import { proxyFor } from '../transport/proxy-config.js';
import { assertHttpAllowed, DEFAULT_MAX_BODY_BYTES, type TransportOptions } from '../transport/options.js';
import { VERSION } from '../version.js';
import { checkResponse, type ParsedBody } from './classify.js';
import { streamCall } from './stream-call.js';
import { sessionFromSetCookie } from './cookies.js';
import {
  ApiError,
  type ClusterStatus,
  type Identity,
  type KeyStatus,
  type LoginInfo,
  type LoginResult,
  type PikaClient,
  type ServerInfo,
} from './types.js';
import { endpoint, type ServerUrl } from './url.js';

export interface CreatePikaClientOptions {
  server: ServerUrl;
  transport: TransportOptions;
  /** Use this fetch instead of undici's dispatcher (msw tests inject the global fetch). */
  fetch?: typeof globalThis.fetch;
  userAgent?: string;
  /** Session cookie name (Pika's auth.cookie.name); default pika_session. */
  cookieName?: string;
}

/** The shortest request a --wait leaves at its end: one last look at the server, not a 0 ms timeout. */
const MIN_REQUEST_MS = 1000;

interface CallOptions {
  body?: Record<string, unknown>;
  secrets?: Secret[];
  expectJson?: boolean;
  signal?: AbortSignal;
}

/**
 * Creates the typed Pika client. Throws a usage CliError when plain http:// is not
 * allowed for this host, or when --cacert / --pin are unusable.
 */
export function createPikaClient(opts: CreatePikaClientOptions): PikaClient {
  const { server, transport } = opts;
  assertHttpAllowed(server, transport.allowHttp);
  const cookieName = opts.cookieName ?? 'pika_session';
  const userAgent = opts.userAgent ?? `pikactl/${VERSION}`;
  const maxBodyBytes = transport.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const proxy = opts.fetch ? undefined : proxyFor(transport.proxy, server.url);
  const dispatcher = opts.fetch ? undefined : createDispatcher(transport, proxy);
  const send: HttpSend = opts.fetch ? fetchSend(opts.fetch) : undiciSend(dispatcher!);
  let session: Secret | undefined;

  let remaining: (() => number) | undefined;

  /** The request timeout: --timeout, capped by what is left of a --wait (never under MIN_REQUEST_MS, the last look). */
  function requestTimeout(): { ms: number; byWait: boolean } {
    const left = remaining?.();
    if (left === undefined || left >= transport.timeoutMs) return { ms: transport.timeoutMs, byWait: false };
    return { ms: Math.min(transport.timeoutMs, Math.max(left, MIN_REQUEST_MS)), byWait: true };
  }

  async function call(
    method: 'GET' | 'POST',
    path: string,
    o: CallOptions = {},
  ): Promise<ParsedBody & { setCookies: string[] }> {
    const limit = requestTimeout();
    const timeout = AbortSignal.timeout(limit.ms);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': userAgent };
    if (session) headers.cookie = `${cookieName}=${session.reveal()}`;
    // The body holds secrets: it lives only in this frame and never reaches an error.
    let body: string | undefined;
    if (o.body) {
      headers['content-type'] = 'application/json';
      // Secret.toJSON redacts (and runs before any replacer), so reveal the top-level fields explicitly.
      body = JSON.stringify(
        Object.fromEntries(Object.entries(o.body).map(([k, v]) => [k, v instanceof Secret ? v.reveal() : v])),
      );
    }
    const secrets = [...(o.secrets ?? []), ...(session ? [session] : [])];
    let res: Awaited<ReturnType<HttpSend>>;
    // undici's transport says when the request went out; with an injected fetch it stays unknown.
    let sent: boolean | undefined = opts.fetch ? undefined : false;
    try {
      res = await send({
        method,
        url: endpoint(server, path),
        headers,
        body,
        signal,
        maxBodyBytes,
        onSent: () => (sent = true),
      });
    } catch (err) {
      const e = networkErrorToApiError(err, {
        method,
        path,
        host: server.url.host,
        server: server.id,
        timedOut: timeout.aborted,
        cancelled: o.signal?.aborted ?? false,
        timeoutMs: limit.ms,
        sent,
        ...(proxy ? { proxy } : {}),
      });
      if (e.kind === 'timeout' && limit.byWait && timeout.aborted) {
        // Not --timeout's fault: the --wait ran out while this answer was awaited.
        throw new ApiError(e.message, {
          kind: 'timeout',
          method,
          path,
          sent: e.sent,
          cause: err,
          hint: `The --wait time ran out while waiting for this answer (${Math.round(limit.ms / 100) / 10}s were left); wait longer, or check that the server is responsive.`,
        });
      }
      // http:// to an HTTPS port looks like a dropped connection: find out, and name https://.
      throw server.url.protocol === 'http:' ? await suggestHttps(e, server, limit.ms, o.signal) : e;
    }
    const parsed = checkResponse(res, { method, path, server, expectJson: o.expectJson ?? true, secrets });
    return { ...parsed, setCookies: res.setCookies };
  }

  const notPika = (method: string, path: string, what: string) =>
    new ApiError(`${method} ${path}: ${what}`, {
      kind: 'not_pika',
      method,
      path,
      status: 200,
      hint: `Is ${server.id} a Pika server? If Pika runs under a base path, include it in --server.`,
    });

  const getJson = async <T>(path: string, signal?: AbortSignal) => (await call('GET', path, { signal })).json as T;

  async function loginCall(
    strategy: string,
    payload: Record<string, unknown>,
    secrets: Secret[],
    signal?: AbortSignal,
  ): Promise<LoginResult> {
    const path = `/login/pass/${encodeURIComponent(strategy)}`;
    const { json, setCookies } = await call('POST', path, { body: payload, secrets, signal });
    if (json?.phase === 'totp_required') {
      if (typeof json.totp_session_id !== 'string' || json.totp_session_id === '')
        throw notPika('POST', path, 'TOTP step-up without a totp_session_id');
      const expires = typeof json.expires_in === 'number' ? json.expires_in : undefined;
      return {
        kind: 'totp_required',
        totpSessionId: new Secret(json.totp_session_id, 'login'),
        expiresInSeconds: expires,
      };
    }
    return { kind: 'session', cookie: sessionFromSetCookie(setCookies, cookieName, path) };
  }

  return {
    server,
    setSession(cookie) {
      session = cookie;
    },
    hasSession: () => session !== undefined,
    setDeadline(fn) {
      remaining = fn;
    },

    async healthz(signal) {
      const { isHtml } = await call('GET', '/healthz', { signal, expectJson: false });
      if (isHtml) throw notPika('GET', '/healthz', 'expected "OK" but got an HTML page');
    },
    info: (signal) => getJson<ServerInfo>('/api/v1/info', signal),
    async keyStatus(signal) {
      const s = await getJson<Record<string, unknown>>('/api/v1/key/status', signal);
      if (typeof s.initialized !== 'boolean' || typeof s.unlocked !== 'boolean') {
        throw notPika('GET', '/api/v1/key/status', 'answer lacks the initialized/unlocked booleans');
      }
      return { initialized: s.initialized, unlocked: s.unlocked } satisfies KeyStatus;
    },
    async initialize(key, signal) {
      await call('POST', '/api/v1/key/initialize', { body: { key }, secrets: [key], signal });
    },
    async unlock(key, signal) {
      await call('POST', '/api/v1/key/unlock', { body: { key }, secrets: [key], signal });
    },
    async lock(signal) {
      await call('POST', '/api/v1/key/lock', { signal });
    },
    async rotate(currentKey, newKey, signal) {
      await call('POST', '/api/v1/key/rotate', {
        body: { current_key: currentKey, new_key: newKey },
        secrets: [currentKey, newKey],
        signal,
      });
    },
    settings: (signal) => getJson<Record<string, unknown>>('/api/v1/settings', signal),
    clusterStatus: (signal) => getJson<ClusterStatus>('/api/v1/cluster/status', signal),

    async loginInfo(signal) {
      const info = await getJson<LoginInfo>('/login/info', signal);
      return { ...info, strategies: Array.isArray(info.strategies) ? info.strategies : [] };
    },
    login: (strategy, username, password, signal) => loginCall(strategy, { username, password }, [password], signal),
    loginTotp: (strategy, totpSessionId, code, signal) =>
      loginCall(strategy, { totp_session_id: totpSessionId, code }, [totpSessionId, code], signal),
    async me(signal) {
      const id = await getJson<Identity>('/login/me', signal);
      if (typeof id.subject !== 'string' || id.subject === '') {
        throw new ApiError('GET /login/me: no identity in the answer', {
          kind: 'unauthenticated',
          method: 'GET',
          path: '/login/me',
          status: 200,
        });
      }
      return id;
    },
    async logout(signal) {
      await call('POST', '/logout', { signal, expectJson: false });
      session = undefined;
    },
    // Streamed exchanges need undici's own transport (an injected fetch has none).
    stream: dispatcher
      ? streamCall({
          server,
          dispatcher,
          userAgent,
          cookie: () => (session ? `${cookieName}=${session.reveal()}` : undefined),
          sessionSecret: () => session,
          maxErrorBodyBytes: maxBodyBytes,
          timeoutMs: transport.timeoutMs,
          ...(proxy ? { proxy } : {}),
        })
      : undefined,
    async close() {
      await dispatcher?.close();
    },
  };
}
