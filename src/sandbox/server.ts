import { randomUUID } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { json, text, type Reply, type Req } from './http.js';
import { lockGate } from './lockgate.js';
import type { ServerCtx } from './routes/context.js';
import { dispatch } from './router.js';

/**
 * The listener and the middleware chain, in Pika's order (server.go): request id →
 * log → body limit → lock gate → routes (auth inside the protected ones). With a base
 * path, everything lives under it, plus a root /healthz.
 */
export class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (max > 0 && size > max) {
        req.removeAllListeners('data');
        req.resume();
        return reject(new BodyTooLarge());
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function clientIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

function write(res: ServerResponse, reply: Reply, requestId: string): void {
  if (reply.drop) {
    res.socket?.destroy();
    return;
  }
  const body = reply.body ?? '';
  res.writeHead(reply.status, {
    'X-Request-Id': requestId,
    'Content-Length': String(Buffer.byteLength(body)),
    ...(reply.headers ?? {}),
  });
  res.end(body);
}

/** Lock gate, then routes: what a node (or a cluster leader running a forwarded request) does with a request. */
export async function serveLocally(ctx: ServerCtx, r: Req): Promise<Reply> {
  return lockGate(ctx.mgr, r.path) ?? (await dispatch(ctx, r));
}

/** `maxBodyBytes` 0 disables the cap. `stopping` aborts waits when the server shuts down. */
export function buildServer(
  ctx: ServerCtx,
  generalMaxBodyBytes: number,
  stopping: AbortSignal,
  backupBodyBytes = 1024 * 1024 * 1024,
): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const requestId = (req.headers['x-request-id'] as string | undefined)?.trim() || randomUUID();
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const fullPath = decodePath(url.pathname);
    let reply: Reply;
    try {
      reply = await answer(req, fullPath, url, requestId, AbortSignal.any([clientGone.signal, stopping]));
    } catch (err) {
      reply = json(500, { message: (err as Error).message, request_id: requestId });
    }
    if (reply.status === 413) res.setHeader('Connection', 'close');
    write(res, reply, requestId);
    ctx.log(
      `${req.method} ${fullPath} -> ${reply.drop ? 'dropped' : reply.status} (${Date.now() - started} ms) rid=${requestId}`,
    );
  };

  const answer = async (
    req: IncomingMessage,
    fullPath: string,
    url: URL,
    requestId: string,
    signal: AbortSignal,
  ): Promise<Reply> => {
    let path: string;
    if (ctx.base && fullPath === '/healthz') path = '/healthz';
    else if (!ctx.base) path = fullPath;
    else if (fullPath === ctx.base) path = '/';
    else if (fullPath.startsWith(`${ctx.base}/`)) path = fullPath.slice(ctx.base.length);
    else return text(404, '404 page not found\n');
    // The restore route has its own cap (server.limits.backup_body_mb), replacing the general one.
    const maxBodyBytes = path === '/api/v1/backup' && req.method === 'POST' ? backupBodyBytes : generalMaxBodyBytes;

    const declared = Number(req.headers['content-length'] ?? '0');
    if (maxBodyBytes > 0 && declared > maxBodyBytes) return json(413, { message: 'request body too large' });
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) return json(413, { message: 'request body too large' });
      throw err;
    }

    const r: Req = {
      method: req.method ?? 'GET',
      fullPath,
      path,
      rawQuery: url.search.slice(1),
      query: url.searchParams,
      headers: req.headers,
      body,
      ip: clientIp(req),
      requestId,
      tls: Boolean(ctx.tls),
      signal,
    };
    // Pika's order: the cluster middleware (forward writes to the leader) runs before the lock gate.
    const forwarded = ctx.cluster?.forward(r);
    if (forwarded) return forwarded;
    return serveLocally(ctx, r);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  return ctx.tls ? createHttps({ cert: ctx.tls.certPem, key: ctx.tls.keyPem }, listener) : createHttp(listener);
}
