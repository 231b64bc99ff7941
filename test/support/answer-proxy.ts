import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, onTestFinished } from 'vitest';
import { assertOwnProcess } from './own-process.js';

/**
 * What the proxy sends back instead of the upstream's real answer, AFTER the upstream
 * has answered (so the server really applied the request):
 * - raw: these bytes on the socket, then it is closed (garbled or malformed HTTP);
 * - hold: nothing, until the client gives up (an answer that never comes).
 */
export type Rewrite = { raw: string } | { hold: true };

export interface AnswerProxy {
  /** The proxy's URL, with the upstream's base path. */
  url: string;
  /** "METHOD /path" of every request whose answer was replaced. */
  rewritten: string[];
  stop(): Promise<void>;
}

/** A raw HTTP/1.1 response with the given status line, headers and body. */
export function rawResponse(statusLine: string, headers: Record<string, string>, body: string): string {
  const all = { 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...headers };
  return `HTTP/1.1 ${statusLine}\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${body}`;
}

const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'content-encoding']);

const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const s of stops.splice(0)) await s();
});

/**
 * A reverse proxy on 127.0.0.1 in front of a sandbox that passes every request on and,
 * for the requests `rewrite` picks, replaces the real answer (see Rewrite). Stopped when
 * the test (or file) ends.
 */
export async function startAnswerProxy(
  upstream: { origin: string; basePath: string },
  rewrite: (method: string, path: string) => Rewrite | undefined,
): Promise<AnswerProxy> {
  const sockets = new Set<Socket>();
  const rewritten: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
    const method = req.method ?? 'GET';
    const up = await fetch(`${upstream.origin}${req.url}`, {
      method,
      headers,
      body: method === 'GET' ? undefined : new Uint8Array(body),
      redirect: 'manual',
    });
    const text = await up.text();
    const path = (req.url ?? '/').slice(upstream.basePath.length).split('?')[0];
    const r = rewrite(method, path);
    if (r) {
      rewritten.push(`${method} ${path}`);
      if ('raw' in r) req.socket.end(r.raw);
      return; // hold: the socket stays open and silent until the client leaves
    }
    const out: Record<string, string | string[]> = {};
    up.headers.forEach((v, k) => {
      if (!HOP.has(k) && k !== 'set-cookie') out[k] = v;
    });
    const cookies = up.headers.getSetCookie();
    if (cookies.length) out['set-cookie'] = cookies;
    res.writeHead(up.status, out);
    res.end(text);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(599).end(`answer proxy: ${err.message}`);
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    }));
  try {
    onTestFinished(stop);
  } catch {
    assertOwnProcess('startAnswerProxy');
    stops.push(stop);
  }
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.basePath}`, rewritten, stop };
}

/** A rewrite for the first request to `path` (by POST) only. */
export function once(path: string, r: Rewrite): (method: string, p: string) => Rewrite | undefined {
  let used = false;
  return (method, p) => {
    if (used || method !== 'POST' || p !== path) return undefined;
    used = true;
    return r;
  };
}
