import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { ApiError, type ApiErrorKind } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import { BodyTooLargeError } from './http.js';
import { CONNECT_PHASE, PinMismatchError } from './tls.js';
import type { ProxyChoice } from './proxy-config.js';
import { targetFlags } from '../output/target-flags.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);
const TIMEOUT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
/** The socket went away after undici had the request in flight. */
const DROPPED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

export interface RequestFacts {
  method: string;
  path: string;
  /** host[:port] for messages. */
  host: string;
  /** The per-call timeout signal fired. */
  timedOut: boolean;
  /** The caller's own signal fired (Ctrl-C, SIGTERM). */
  cancelled: boolean;
  timeoutMs: number;
  /** The request reached a connected socket (true), certainly did not (false), or the transport cannot tell. */
  sent?: boolean;
  /** The server's id (ServerUrl.id), for the command a hint names. */
  server?: string;
  /** The proxy this request went through, if any (a failure to reach it is named as the proxy's). */
  proxy?: ProxyChoice;
}

/** Every error in the cause chain (and inside AggregateErrors, as Node's happy-eyeballs connect throws). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const todo = [err];
  while (todo.length > 0 && out.length < 20) {
    const e = todo.shift();
    if (e === undefined || e === null || out.includes(e)) continue;
    out.push(e);
    if (e instanceof Error) {
      if (e.cause !== undefined) todo.push(e.cause);
      if (e instanceof AggregateError) todo.push(...e.errors);
    }
  }
  return out;
}

const codeOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;

function tlsHint(code: string, host: string): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `The certificate does not name ${host} (Pika's auto-generated one covers localhost, 127.0.0.1 and ::1). Connect by a name it covers, regenerate it with this name, or accept exactly this certificate with --pin SHA256 (see \`pikactl trust\`).`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `Renew the server certificate (Settings → TLS), or check this machine's clock. --pin SHA256 accepts a known certificate regardless.`;
  }
  if (/WRONG_VERSION_NUMBER|ERR_SSL_PACKET_LENGTH_TOO_LONG|HTTP_REQUEST/.test(code)) {
    return `The server did not answer with TLS. If it serves plain HTTP (e.g. behind a gateway), use http:// (with --allow-http off loopback).`;
  }
  return `The server's certificate is not trusted. For Pika's self-signed certificate, copy <storage>/tls/server.crt from the server and pass --cacert FILE, or pin it with --pin SHA256 (\`pikactl trust\` shows the fingerprint).`;
}

/** Turns a transport failure into a typed ApiError. Never includes request bodies. */
export function networkErrorToApiError(err: unknown, at: RequestFacts): ApiError {
  if (err instanceof ApiError) return err;
  const base = { method: at.method, path: at.path, cause: err, sent: at.sent };
  const where = `${at.method} ${at.path}`;
  const make = (kind: ApiErrorKind, message: string, hint?: string) =>
    new ApiError(`${where}: ${message}`, { ...base, kind, hint });
  const all = chain(err);
  const codes = all.map(codeOf).filter((c): c is string => c !== undefined);
  const has = (set: Set<string>) => codes.find((c) => set.has(c));
  const firstMessage = (all.find((e) => e instanceof Error && codeOf(e) !== undefined) ?? all[0]) as Error | undefined;
  const detail = firstMessage instanceof Error ? firstMessage.message : String(err);

  if (at.cancelled && !at.timedOut) return make('cancelled', 'cancelled');
  const big = all.find((e): e is BodyTooLargeError => e instanceof BodyTooLargeError);
  if (big) return new ApiError(`${where}: ${big.message}`, { ...base, kind: 'too_large', status: big.status });
  if (at.timedOut || has(TIMEOUT)) {
    return make(
      'timeout',
      `no answer from ${at.host} within ${Math.round(at.timeoutMs / 1000)}s`,
      'Raise --timeout (the unlock guard may delay answers by up to 15 s), or check that the server is responsive.',
    );
  }
  const pin = all.find((e): e is PinMismatchError => e instanceof PinMismatchError);
  if (pin) {
    return make(
      'tls',
      pin.message,
      'If the certificate was replaced on purpose, check the new fingerprint (`pikactl trust`, or Settings → TLS) and update --pin / PIKA_TLS_PIN. Otherwise something may be intercepting the connection: do not send the key.',
    );
  }
  const tlsCode = has(UNTRUSTED) ?? codes.find((c) => /^(CERT_|ERR_TLS_|ERR_SSL_|ERR_OSSL_)/.test(c) || c === 'EPROTO');
  if (tlsCode) return make('tls', `TLS verification failed (${tlsCode}): ${detail}`, tlsHint(tlsCode, at.host));
  const down = has(UNREACHABLE);
  const connectPhase = all.some(
    (e) => typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[CONNECT_PHASE] === true,
  );
  if (at.proxy) {
    const failed = proxyFailure(at, all, down, connectPhase ? (codes[0] ?? detail) : undefined);
    // The CLI message says "cannot reach SERVER"; the hint carries what the proxy did.
    if (failed)
      return make(
        'unreachable',
        failed.message,
        `${failed.message[0].toUpperCase()}${failed.message.slice(1)}. ${failed.hint}`,
      );
  }
  if (down || connectPhase) {
    const status = `pikactl status${at.server !== undefined ? ` ${targetFlags(at.server)}` : ''} --wait 60s`;
    return make(
      'unreachable',
      `cannot connect to ${at.host} (${down ?? codes[0] ?? detail})`,
      `Check the URL and that the server is running: ${status}`,
    );
  }
  if (has(DROPPED) || /other side closed|socket hang up/i.test(detail)) {
    return make(
      'connection_lost',
      `the connection to ${at.host} dropped after the request was sent, before any answer (${has(DROPPED) ?? detail})`,
    );
  }
  return make('unexpected', `request failed: ${detail}`);
}

/**
 * A failure of the proxy itself: refused or unreachable, or a CONNECT answered with
 * something other than 200 (undici says "Proxy response (502) !== 200"), or 407. TLS
 * failures inside the tunnel are the server's and are classified before this.
 */
function proxyFailure(
  at: RequestFacts,
  all: unknown[],
  down: string | undefined,
  inTunnel: string | undefined,
): { message: string; hint: string } | undefined {
  const p = at.proxy!;
  const named = `the proxy ${p.shown} (from ${p.from})`;
  const refusal = all
    .map((e) =>
      e instanceof Error
        ? /Proxy response \((\d{3})\)|Proxy Authentication Required \((\d{3})\)/.exec(e.message)
        : null,
    )
    .find((m) => m !== null);
  const status = refusal ? Number(refusal[1] ?? refusal[2]) : undefined;
  const bypass = `or reach ${at.host} without it: NO_PROXY=${at.host.replace(/:\d+$/, '')} (or --proxy "")`;
  if (status === 407) {
    return {
      message: `${named} wants credentials (407 Proxy Authentication Required)`,
      hint: `Put them in the proxy URL in HTTPS_PROXY / HTTP_PROXY (http://USER:PASSWORD@host:port; never on the command line), ${bypass}.`,
    };
  }
  if (status !== undefined) {
    return {
      message: `${named} answered ${status} when asked to connect to ${at.host}`,
      hint: `The proxy could not reach ${at.host} or does not allow it (proxies often tunnel only to port 443). Check the server URL and the proxy's rules, ${bypass}.`,
    };
  }
  // Refused or unresolvable: only the proxy's address is dialled, so it is the proxy's.
  if (down !== undefined) {
    return {
      message: `cannot connect to ${at.host} through ${named}: the proxy cannot be reached (${down})`,
      hint: `Check that the proxy runs and that its URL is right, ${bypass}.`,
    };
  }
  if (inTunnel === undefined) return undefined;
  return {
    message: `cannot connect to ${at.host} through ${named} (${inTunnel})`,
    hint: `The tunnel through the proxy closed before the server answered: check the server URL and port, ${bypass}.`,
  };
}

/** At most this long for the "is it HTTPS?" handshake after a plain-http request died. */
const TLS_SNIFF_MS = 3000;

/** True when host:port completes a TLS handshake (certificate not checked, nothing sent, closed at once). */
export function speaksTls(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const bare = host.replace(/^\[|\]$/g, '');
    const socket = connect({
      host: bare,
      port,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      ...(isIP(bare) ? {} : { servername: bare }),
    });
    const done = (yes: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(yes);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), Math.min(timeoutMs, TLS_SNIFF_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * http:// against an HTTPS port: the server drops the request (or answers with TLS
 * bytes), which reads like a lost connection ("Retry"). When that happens on a plain
 * http URL and the port completes a TLS handshake, say so and name the https:// URL.
 * A TLS listener cannot have acted on a plain-text request, so nothing was applied.
 */
export async function suggestHttps(
  err: ApiError,
  server: ServerUrl,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ApiError> {
  if (server.url.protocol !== 'http:' || (err.kind !== 'connection_lost' && err.kind !== 'unexpected')) return err;
  if (signal?.aborted) return err;
  const port = Number(server.url.port || 80);
  if (!(await speaksTls(server.url.hostname, port, timeoutMs, signal))) return err;
  const https = `https://${server.url.host}${server.basePath}`;
  return new ApiError(`${err.method} ${err.path}: ${server.url.host} answers with TLS, not plain HTTP: use ${https}`, {
    kind: 'unreachable',
    method: err.method,
    path: err.path,
    cause: err,
    hint: `Use --server ${https} (for a self-signed certificate, run pikactl trust --server ${https} first).`,
  });
}
