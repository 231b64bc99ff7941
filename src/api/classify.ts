import { STATUS_CODES } from 'node:http';
import { serverText } from '../output/server-text.js';
import type { Secret } from '../secrets/secret.js';
import type { RawResponse } from '../transport/http.js';
import { ApiError, type ApiErrorKind } from './types.js';
import type { ServerUrl } from './url.js';
import { targetFlags } from '../output/target-flags.js';

/** What the client knows about the call whose response is being classified. */
export interface Exchange {
  method: string;
  path: string;
  server: ServerUrl;
  /** Success must be a JSON object (an HTML page here means: not a Pika API). */
  expectJson: boolean;
  /** Secrets sent in this request: scrubbed from anything the server echoes back. */
  secrets: Secret[];
}

export interface ParsedBody {
  text: string;
  json?: Record<string, unknown>;
  isHtml: boolean;
  contentType: string;
}

const MAX_MESSAGE = 300;
const WRONG_KEY = /invalid server key|invalid old key|verifier format mismatch/i;

export function parseBody(res: RawResponse): ParsedBody {
  const text = res.body.toString('utf8');
  const contentType = res.header('content-type') ?? '';
  const isHtml = /html/i.test(contentType) || /^\s*<(!doctype|html|head|body)/i.test(text);
  let json: Record<string, unknown> | undefined;
  if (!isHtml && (/json/i.test(contentType) || /^\s*\{/.test(text))) {
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) json = v as Record<string, unknown>;
    } catch {
      // not JSON after all: classified below as not_pika / plain text
    }
  }
  return { text, json, isHtml, contentType };
}

/**
 * Server text as it may appear in an error: one line, control characters escaped,
 * capped, with every secret of the invocation (and these) cut out. The one renderer.
 */
export function cleanServerText(text: string, secrets: Secret[]): string {
  return serverText(text, { secrets, max: MAX_MESSAGE });
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A 3xx to `{base}/` or `{base}/login…` on the same origin is Pika's "no or expired session". */
function isLoginRedirect(location: string | undefined, ex: Exchange): boolean {
  if (!location) return false;
  let target: URL;
  try {
    target = new URL(location, `${ex.server.url.origin}${ex.server.basePath}${ex.path}`);
  } catch {
    return false;
  }
  if (target.origin !== ex.server.url.origin) return false;
  const base = ex.server.basePath;
  const p = target.pathname;
  return p === base || p === `${base}/` || p.startsWith(`${base}/login`);
}

/** "502 Bad Gateway": the real status and its standard reason phrase (undici does not keep the one sent). */
export function statusLine(status: number): string {
  const reason = STATUS_CODES[status];
  return reason ? `${status} ${reason}` : `HTTP ${status}`;
}

/** How a gateway's answer is named everywhere: `502 Bad Gateway from the proxy in front of https://…`. */
export function gatewayPhrase(status: number | undefined, server: ServerUrl): string {
  return `${status === undefined ? 'an error' : statusLine(status)} from the proxy in front of ${server.id}`;
}

/** What to do about a gateway's answer, wherever it is reported. */
export function gatewayHint(server: ServerUrl): string {
  return `Pika behind the gateway is not answering (restarting, or down). --wait waits it out, e.g. pikactl status ${targetFlags(server)} --wait 5m`;
}

/**
 * Pika's own error answers have a shape (shared/pika-api.md §2): a JSON object with
 * `message` or `error` (handlers, lock gate, ada, rate limiter), an X-Pika-* header, or
 * the cluster layer's plain-text `cluster: …`. A 5xx or 429 without any of them (an
 * HTML page, an empty body, someone else's JSON) came from a proxy, ingress or load
 * balancer in front of Pika: the server is not reachable through it (yet).
 */
function isPikaShaped(res: RawResponse, body: ParsedBody): boolean {
  if (res.header('x-pika-locked') !== undefined || res.header('x-pika-cluster-error') !== undefined) return true;
  if (body.json && (str(body.json.message) !== undefined || str(body.json.error) !== undefined)) return true;
  return !body.isHtml && body.json === undefined && /^\s*cluster:/i.test(body.text);
}

/**
 * Turns a response into its JSON payload or a typed ApiError. Every shape in
 * shared/pika-api.md maps to exactly one kind. Never looks at the request body.
 */
export function checkResponse(res: RawResponse, ex: Exchange): ParsedBody {
  const body = parseBody(res);
  const { json } = body;
  const status = res.status;
  const plain = !body.isHtml && json === undefined ? body.text : '';
  const serverMessage = cleanServerText(str(json?.message) ?? str(json?.error) ?? plain, ex.secrets) || undefined;
  const serverCode = str(json?.error) ?? str(json?.code);
  const requestId = str(json?.request_id) ?? res.header('x-request-id');
  const fail = (
    kind: ApiErrorKind,
    extra: { hint?: string; retryAfterMs?: number; location?: string; summary?: string } = {},
  ) =>
    new ApiError(
      `${ex.method} ${ex.path}: ${kind === 'gateway' ? '' : `HTTP ${status}: `}${extra.summary ?? serverMessage ?? kind}`,
      {
        kind,
        method: ex.method,
        path: ex.path,
        status,
        serverMessage,
        serverCode,
        requestId,
        retryAfterMs: extra.retryAfterMs,
        location: extra.location,
        hint: extra.hint,
      },
    );

  if (status === 503 && (/^true$/i.test(res.header('x-pika-locked') ?? '') || serverCode === 'server_locked'))
    throw fail('locked');

  if (status >= 300 && status < 400) {
    const location = res.header('location');
    if (isLoginRedirect(location, ex))
      throw fail('unauthenticated', { location, summary: 'redirected to the login page' });
    throw fail('unexpected', {
      location,
      summary: `unexpected redirect to ${location ?? '(no Location)'}`,
      hint: 'pikactl never follows redirects. If the server moved (e.g. http→https or a new base path), use the new URL with --server.',
    });
  }

  if (status >= 400 && json === undefined && !body.isHtml && /^\s*cluster:/i.test(body.text)) throw fail('cluster');
  if (status >= 400 && res.header('x-pika-cluster-error') === '1') throw fail('cluster');

  if ((status >= 500 || status === 429) && !isPikaShaped(res, body)) {
    throw fail('gateway', {
      summary: gatewayPhrase(status, ex.server),
      retryAfterMs: parseRetryAfter(res.header('retry-after')),
      hint: gatewayHint(ex.server),
    });
  }

  if (status >= 400) {
    if (status === 429) throw fail('rate_limited', { retryAfterMs: parseRetryAfter(res.header('retry-after')) });
    if (status === 413) throw fail('too_large');
    if (status === 404) throw fail('not_found');
    if (status >= 500) throw fail('server_error'); // Pika's own (shaped) 5xx: request_id kept
    if (json === undefined) {
      if (status === 426) {
        throw fail('unexpected', {
          summary: 'the server wants TLS (426 Upgrade Required)',
          hint: `Use https://${ex.server.url.host}${ex.server.basePath}`,
        });
      }
      throw fail(body.isHtml ? 'not_pika' : 'unexpected', {
        summary: `${body.contentType || 'untyped'} error page instead of a Pika JSON error`,
        hint: 'A proxy in front of Pika may be answering. Check the URL and its base path.',
      });
    }
    const msg = serverMessage ?? '';
    if (status === 401) {
      if (serverCode === 'invalid_credentials' || serverCode === 'invalid_code' || serverCode === 'invalid_session')
        throw fail('invalid_credentials');
      throw fail('unauthenticated');
    }
    if (status === 403) throw fail(WRONG_KEY.test(msg) ? 'wrong_key' : 'forbidden');
    if (status === 400) throw fail(/not initiali[sz]ed/i.test(msg) ? 'not_initialized' : 'bad_request');
    if (status === 409) throw fail('already_initialized');
    throw fail('unexpected');
  }

  if (ex.expectJson && json === undefined) {
    throw fail('not_pika', {
      summary: `expected JSON but got ${body.isHtml ? 'an HTML page' : body.contentType || 'a non-JSON body'}`,
      hint: `Is ${ex.server.id} a Pika server? If Pika runs under a base path, include it in --server (e.g. https://host:8080/pika).`,
    });
  }
  return body;
}
