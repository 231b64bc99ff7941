import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Secret } from '../secrets/secret.js';
import { networkErrorToApiError } from '../transport/errors.js';
import { watchSent, type RawResponse } from '../transport/http.js';
import type { ProxyChoice } from '../transport/proxy-config.js';
import { request } from '../transport/undici-parts.js';
import { checkResponse } from './classify.js';
import { ApiError } from './types.js';
import { endpoint, type ServerUrl } from './url.js';

/**
 * A streamed exchange (backup export and restore), beside the client's buffered call():
 * a 2xx body is handed over as a stream with no size cap (this call only: the general
 * cap still applies to every error answer, which is classified as usual); a request body
 * may be a stream. No overall timeout: undici's headers and body timeouts (--timeout)
 * bound every silence instead, so a large file is not cut off for being large.
 */
export type { StreamAnswer, StreamRequest } from './stream-types.js';
import type { StreamAnswer, StreamRequest } from './stream-types.js';

export interface StreamDeps {
  server: ServerUrl;
  dispatcher: Dispatcher;
  userAgent: string;
  cookie: () => string | undefined;
  maxErrorBodyBytes: number;
  timeoutMs: number;
  sessionSecret: () => Secret | undefined;
  proxy?: ProxyChoice;
}

async function readCapped(body: Readable, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) {
      body.destroy();
      break;
    }
    parts.push(c);
  }
  return Buffer.concat(parts);
}

export function streamCall(d: StreamDeps) {
  return async (req: StreamRequest): Promise<StreamAnswer> => {
    const path = req.path.split('?')[0];
    const headers: Record<string, string> = {
      accept: 'application/json, application/octet-stream',
      'user-agent': d.userAgent,
      ...(req.headers ?? {}),
    };
    const cookie = d.cookie();
    if (cookie) headers.cookie = cookie;
    if (req.body) headers['content-type'] = 'application/octet-stream';
    const signal = req.signal ?? new AbortController().signal;
    let sent = false;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(endpoint(d.server, req.path), {
        method: req.method,
        headers,
        body: req.body,
        signal,
        dispatcher: watchSent(d.dispatcher, signal, () => ((sent = true), req.onSent?.())),
      });
    } catch (err) {
      throw networkErrorToApiError(err, {
        method: req.method,
        path,
        host: d.server.url.host,
        server: d.server.id,
        timedOut: false,
        cancelled: signal.aborted,
        timeoutMs: d.timeoutMs,
        sent,
        ...(d.proxy ? { proxy: d.proxy } : {}),
      });
    }
    const get = (name: string): string | undefined => {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, header: get, body: res.body };
    const body = await readCapped(res.body, d.maxErrorBodyBytes);
    const sc = res.headers['set-cookie'];
    const raw: RawResponse = {
      status: res.statusCode,
      header: get,
      setCookies: sc === undefined ? [] : Array.isArray(sc) ? sc : [sc],
      body,
    };
    const secrets = [...(req.secrets ?? []), ...(d.sessionSecret() ? [d.sessionSecret()!] : [])];
    checkResponse(raw, { method: req.method, path, server: d.server, expectJson: true, secrets });
    throw new ApiError(`${req.method} ${path}: unexpected HTTP ${res.statusCode}`, {
      kind: 'unexpected',
      method: req.method,
      path,
      status: res.statusCode,
    });
  };
}
