import type { SessionStore, UserDb, Session } from '../auth.js';
import {
  ApiError,
  handlerError,
  htmlEscape,
  json,
  parseCookies,
  queryEscape,
  setCookie,
  type Reply,
  type Req,
} from '../http.js';
import type { KeyManager } from '../keymgr.js';
import type { KeyOps } from '../keyops.js';
import type { Limiter, ResolvedRateLimit } from '../ratelimit.js';
import type { TlsMaterial } from '../tls.js';
import type { StoredUser } from '../store.js';

/** Everything the routes share. One per running server. */
export interface ServerCtx {
  /** "" or "/something" (no trailing slash). */
  base: string;
  cookieName: string;
  tls?: TlsMaterial;
  mgr: KeyManager;
  keys: KeyOps;
  users: UserDb;
  sessions: SessionStore;
  rateLimit: ResolvedRateLimit;
  unlockLimiter: Limiter;
  loginLimiter: Limiter;
  log: (line: string) => void;
  /** Cluster mode (src/sandbox/cluster.ts); absent for a standalone server. */
  cluster?: ClusterHook;
  /** The boot password (encryption.password) did not match the verifier: /api/v1/info says so (§8). */
  encryptionConfigInvalid?: boolean;
}

/** What a simulated cluster plugs into one node. */
export interface ClusterHook {
  /** The leader's reply for a request this node must not run itself; undefined to serve it here. */
  forward(req: Req): Promise<Reply> | undefined;
  /** The GET /api/v1/cluster/status body for this node. */
  status(): Record<string, unknown>;
}

export const SETTINGS_MANAGE = 'settings.manage';

export type SessionState = { kind: 'ok'; session: Session; user: StoredUser } | { kind: 'none' } | { kind: 'invalid' };

/** Resolves the session cookie without answering (for /api/v1/info and /login/me). */
export function sessionState(ctx: ServerCtx, req: Req): SessionState {
  const id = parseCookies(req).get(ctx.cookieName);
  if (!id) return { kind: 'none' };
  const s = ctx.sessions.resolve(id);
  const user = s && s !== 'expired' ? ctx.users.get(s.username) : undefined;
  if (!s || s === 'expired' || !user) return { kind: 'invalid' };
  return { kind: 'ok', session: s, user };
}

export function clearSessionCookie(ctx: ServerCtx): string {
  return setCookie({ name: ctx.cookieName, value: '', maxAge: -1, httpOnly: true, secure: Boolean(ctx.tls) });
}

/**
 * ada's session.RedirectToLogin: 307 to `{base}/?redirect_path=<path>`; an unknown or
 * expired cookie is also cleared. Go's http.Redirect adds a tiny HTML body on GET/HEAD.
 */
export function redirectToLogin(ctx: ServerCtx, req: Req, clearCookie: boolean): Reply {
  const rp = req.fullPath + (req.rawQuery ? `?${req.rawQuery}` : '');
  let location = `${ctx.base}/`;
  if (rp !== '' && rp !== '/') location += `?redirect_path=${queryEscape(rp)}`;
  const headers: Record<string, string | string[]> = { Location: location };
  if (clearCookie) headers['Set-Cookie'] = clearSessionCookie(ctx);
  if (req.method === 'GET' || req.method === 'HEAD') {
    headers['Content-Type'] = 'text/html; charset=utf-8';
    return { status: 307, headers, body: `<a href="${htmlEscape(location)}">Temporary Redirect</a>.\n\n` };
  }
  return { status: 307, headers };
}

/** The protected group's auth: the user, or the 307 to answer with. */
export function requireUser(ctx: ServerCtx, req: Req): StoredUser | Reply {
  const st = sessionState(ctx, req);
  if (st.kind === 'ok') return st.user;
  return redirectToLogin(ctx, req, st.kind === 'invalid');
}

export function isReply(v: unknown): v is Reply {
  return typeof v === 'object' && v !== null && 'status' in v && typeof (v as Reply).status === 'number';
}

export function hasCapability(user: StoredUser, cap: string): boolean {
  return user.superadmin || user.permissions.includes(cap);
}

/** withPerm: 403 `capability "<cap>" required: forbidden`. */
export function requirePerm(user: StoredUser, cap: string, req: Req): Reply | undefined {
  if (hasCapability(user, cap)) return undefined;
  return handlerError(new ApiError(403, `capability "${cap}" required: forbidden`), req.requestId);
}

/** Turns a thrown error into the handler error body; unexpected errors become 500. */
export function errorReply(err: unknown, req: Req): Reply {
  if (err instanceof ApiError) return handlerError(err, req.requestId);
  return handlerError(new ApiError(500, err instanceof Error ? err.message : String(err)), req.requestId);
}

export { json };
