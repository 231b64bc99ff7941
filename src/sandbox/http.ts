import type { IncomingHttpHeaders } from 'node:http';

/** One request as the routes see it: the body is already read (and capped). */
export interface Req {
  method: string;
  /** Path as received, including the base path (what Go's r.URL.Path holds). */
  fullPath: string;
  /** Path below the base path, starting with "/". */
  path: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ip: string;
  requestId: string;
  tls: boolean;
  /** Aborted when the client goes away (ends rate-limit waits early). */
  signal: AbortSignal;
}

/** What a route returns; server.ts writes it. `drop` destroys the socket instead. */
export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** A Buffer for binary answers (a backup export). */
  body?: string | Buffer;
  drop?: boolean;
}

export function header(req: Req, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Go's json.Encoder ends every document with a newline; so do we. */
export function json(status: number, value: unknown, headers: Record<string, string | string[]> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: `${JSON.stringify(value)}\n` };
}

export function text(status: number, body: string, headers: Record<string, string | string[]> = {}): Reply {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, body };
}

/** An admin-API handler error: `{"message"}` plus `request_id` for 5xx (api/errors.go). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Upstream's sentinel errors, wrapped "context: sentinel" as fmt.Errorf("%s: %w") does. */
export const fail = {
  badRequest: (ctx: string) => new ApiError(400, `${ctx}: bad request`),
  forbidden: (ctx: string) => new ApiError(403, `${ctx}: forbidden`),
  conflict: (ctx: string) => new ApiError(409, `${ctx}: conflict`),
  notFound: (ctx: string) => new ApiError(404, `${ctx}: not found`),
  internal: (msg: string) => new ApiError(500, msg),
};

export function handlerError(err: ApiError, requestId: string): Reply {
  return json(
    err.status,
    err.status >= 500 ? { message: err.message, request_id: requestId } : { message: err.message },
  );
}

/** ada's auth/rate-limit layer shape: `{"error","message"}`. */
export function adaError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string | string[]> = {},
): Reply {
  return json(status, { error: code, message }, headers);
}

/**
 * Decodes a JSON object of string fields the way Go's json.Decoder + ada Bind fail:
 * the decoder's error, a newline, then the bad-request sentinel.
 */
export function bindStrings(req: Req, fields: readonly string[], goType: string): Record<string, string> {
  const bad = (msg: string) => new ApiError(400, `${msg}\nbad request`);
  const raw = req.body.toString('utf8');
  if (raw.trim() === '') throw bad('EOF');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw bad(`invalid character in JSON body: ${(err as Error).message}`);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw bad(
      `json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type api.${goType}`,
    );
  }
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = (value as Record<string, unknown>)[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') {
      throw bad(
        `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field ${goType}.${f} of type string`,
      );
    }
    out[f] = v;
  }
  return out;
}

export function parseCookies(req: Req): Map<string, string> {
  const out = new Map<string, string>();
  const raw = header(req, 'cookie');
  if (!raw) return out;
  for (const part of raw.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (name && !out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

export interface CookieSpec {
  name: string;
  value: string;
  maxAge?: number;
  httpOnly?: boolean;
  secure?: boolean;
}

/** Serialises like Go's http.Cookie: MaxAge < 0 becomes "Max-Age=0" (delete). */
export function setCookie(c: CookieSpec): string {
  const parts = [`${c.name}=${c.value}`, 'Path=/'];
  if (c.maxAge !== undefined && c.maxAge !== 0) parts.push(`Max-Age=${Math.max(0, c.maxAge)}`);
  if (c.httpOnly) parts.push('HttpOnly');
  if (c.secure) parts.push('Secure');
  parts.push('SameSite=Lax');
  return parts.join('; ');
}

/** Go's url.QueryEscape: everything but [A-Za-z0-9-_.~] escaped, space as "+". */
export function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

export function htmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');
}
