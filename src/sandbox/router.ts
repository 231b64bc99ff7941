import { text, type Reply, type Req } from './http.js';
import { backupExport, backupInfo, backupRestore } from './routes/backup.js';
import { data, clusterStatus, info, settings, tlsStatus } from './routes/api.js';
import type { ServerCtx } from './routes/context.js';
import { initialize, keyStatus, lock, rotate, unlock } from './routes/key.js';
import { loginInfo, loginMe, loginPass, logout, refresh } from './routes/login.js';
import { spaPage } from './spa.js';

type Handler = (ctx: ServerCtx, req: Req) => Reply | Promise<Reply>;

/** Exact routes below the base path, by method. */
const ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  '/healthz': { GET: () => text(200, 'OK') },
  '/api/v1/info': { GET: info },
  '/api/v1/key/status': { GET: keyStatus },
  '/api/v1/key/initialize': { POST: initialize },
  '/api/v1/key/unlock': { POST: unlock },
  '/api/v1/key/lock': { POST: lock },
  '/api/v1/key/rotate': { POST: rotate },
  '/api/v1/settings': { GET: settings },
  '/api/v1/cluster/status': { GET: clusterStatus },
  '/api/v1/tls/status': { GET: tlsStatus },
  '/api/v1/backup': { GET: backupExport, POST: backupRestore },
  '/api/v1/backup/info': { GET: backupInfo },
  '/login/info': { GET: loginInfo },
  '/login/me': { GET: loginMe },
  '/login/refresh': { POST: refresh },
  '/logout': { POST: logout },
};

const LOGIN_PASS = /^\/login\/pass\/([^/]+)$/;

/**
 * Dispatch like Go's ServeMux with Pika's SPA catch-all: a GET (or HEAD) with no route
 * gets the HTML shell, another method on a known path 405, anything else 404.
 */
export async function dispatch(ctx: ServerCtx, req: Req): Promise<Reply> {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const exact = ROUTES[req.path];
  const handler = exact?.[method];
  if (handler) return handler(ctx, req);

  const m = LOGIN_PASS.exec(req.path);
  if (m) return loginPass(ctx, req, m[1]);
  if (req.path.startsWith('/data/')) return data(ctx, req);

  if (method === 'GET') return spaPage(ctx.base);
  if (exact) {
    return text(405, 'Method Not Allowed\n', { Allow: Object.keys(exact).join(', ') });
  }
  return text(404, '404 page not found\n');
}
