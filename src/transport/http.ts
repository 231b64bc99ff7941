import type { Dispatcher } from 'undici';
import { request } from './undici-parts.js';

/** One HTTP exchange, independent of whether undici or an injected fetch carries it. */
export interface RawRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  maxBodyBytes: number;
  /**
   * Called once the request is being written to a connected socket: from then on the
   * server may act on it. Never called when connecting (DNS, refused, TLS) failed. Only
   * undici's transport can tell; an injected fetch never calls it.
   */
  onSent?: () => void;
}

export interface RawResponse {
  status: number;
  /** Case-insensitive header lookup (first value). */
  header(name: string): string | undefined;
  setCookies: string[];
  body: Buffer;
}

export type HttpSend = (req: RawRequest) => Promise<RawResponse>;

/** The response body exceeded the cap; the rest was not read. */
export class BodyTooLargeError extends Error {
  readonly code = 'ERR_PIKACTL_BODY_TOO_LARGE';
  constructor(
    readonly status: number,
    readonly limit: number,
  ) {
    super(`response body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

function declaredTooLarge(status: number, contentLength: string | undefined, limit: number): void {
  if (contentLength !== undefined && Number(contentLength) > limit) throw new BodyTooLargeError(status, limit);
}

async function readCapped(
  chunks: AsyncIterable<Uint8Array>,
  status: number,
  limit: number,
  abort: () => void,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) {
      abort();
      throw new BodyTooLargeError(status, limit);
    }
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/**
 * Chunks of a WHATWG stream. Stopping early cancels it without waiting: some
 * streams (msw's mocked bodies) never settle cancel(), and nothing more is needed from them.
 */
async function* webChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) reader.cancel().catch(() => {});
  }
}

/**
 * The dispatcher, with `onSent` called when undici hands the request to a connected socket
 * (its handler's onConnect, right before the headers and body are written in the same tick).
 * An abort that fired earlier makes undici's handler cancel there: nothing is written then.
 */
export function watchSent(dispatcher: Dispatcher, signal: AbortSignal, onSent: () => void): Dispatcher {
  const wrap = (handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler =>
    new Proxy(handler, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'onConnect' && typeof value === 'function') {
          return (...args: unknown[]) => {
            const r = (value as (...a: unknown[]) => unknown).apply(target, args);
            if (!signal.aborted) onSent();
            return r;
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return {
    dispatch: (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) =>
      dispatcher.dispatch(opts, wrap(handler)),
  } as unknown as Dispatcher;
}

/** The real transport: undici's request() over our Agent (never follows redirects). */
export function undiciSend(dispatcher: Dispatcher): HttpSend {
  return async (req) => {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      dispatcher: req.onSent ? watchSent(dispatcher, req.signal, req.onSent) : dispatcher,
    });
    const headers = res.headers;
    const get = (name: string): string | undefined => {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    try {
      declaredTooLarge(res.statusCode, get('content-length'), req.maxBodyBytes);
    } catch (err) {
      res.body.destroy();
      throw err;
    }
    const body = await readCapped(res.body, res.statusCode, req.maxBodyBytes, () => res.body.destroy());
    const sc = headers['set-cookie'];
    return {
      status: res.statusCode,
      header: get,
      setCookies: sc === undefined ? [] : Array.isArray(sc) ? sc : [sc],
      body,
    };
  };
}

/**
 * An injected fetch (tests: msw patches the global fetch, which cannot see undici's
 * own transport — mswjs/msw#2165). redirect: 'manual' keeps 3xx visible.
 */
export function fetchSend(fetchFn: typeof globalThis.fetch): HttpSend {
  return async (req) => {
    const res = await fetchFn(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      redirect: 'manual',
    });
    const get = (name: string): string | undefined => res.headers.get(name) ?? undefined;
    const stream = res.body;
    try {
      declaredTooLarge(res.status, get('content-length'), req.maxBodyBytes);
    } catch (err) {
      stream?.cancel().catch(() => {}); // not awaited: see webChunks
      throw err;
    }
    const body = stream ? await readCapped(webChunks(stream), res.status, req.maxBodyBytes, () => {}) : Buffer.alloc(0);
    const setCookies = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
    return { status: res.status, header: get, setCookies, body };
  };
}
