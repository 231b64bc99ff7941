import { adaError, header, json, parseCookies, setCookie, type Reply, type Req } from '../http.js';
import { guarded, type LimitKey } from '../ratelimit.js';
import type { StoredUser } from '../store.js';
import { clearSessionCookie, sessionState, type ServerCtx } from './context.js';

/**
 * ada's login routes as Pika mounts them (auth.go, strategy/local/local.go) with
 * Pika's TOTP step-up wrapper (authx/mfa_strategy.go) and LoginGuard.
 */
export const LOCAL_STRATEGY = 'local';
const LOGIN_BODY_MAX = 64 * 1024;
const TOTP_PENDING_TTL_S = 300;

export function loginInfo(ctx: ServerCtx): Reply {
  return json(200, {
    title: 'Pika',
    subtitle: 'pikactl sandbox (rehearsal server)',
    strategies: [
      {
        name: LOCAL_STRATEGY,
        kind: 'password',
        label: 'Local',
        url: `${ctx.base}/login/pass/${LOCAL_STRATEGY}`,
        fields: [
          { name: 'username', label: 'Username', type: 'text', required: true },
          { name: 'password', label: 'Password', type: 'password', required: true },
        ],
      },
    ],
  });
}

function identity(user: StoredUser, issuedAt: number): Record<string, unknown> {
  return {
    subject: user.username,
    name: user.username,
    provider: LOCAL_STRATEGY,
    issued_at: new Date(issuedAt).toISOString(),
  };
}

export function loginMe(ctx: ServerCtx, req: Req): Reply {
  const st = sessionState(ctx, req);
  if (st.kind === 'none') return adaError(401, 'no_session', 'no session cookie');
  if (st.kind === 'invalid') return adaError(401, 'no_session', 'session not found');
  return json(200, identity(st.user, st.session.issuedAt));
}

export function refresh(ctx: ServerCtx, req: Req): Reply {
  const st = sessionState(ctx, req);
  if (st.kind === 'none') return adaError(401, 'no_session', 'no session cookie');
  if (st.kind === 'invalid') return adaError(401, 'no_session', 'session not found');
  return json(200, { session_id: st.session.id, identity: identity(st.user, st.session.issuedAt) });
}

export function logout(ctx: ServerCtx, req: Req): Reply {
  const id = parseCookies(req).get(ctx.cookieName);
  if (!id) return { status: 204 };
  ctx.sessions.revoke(id);
  return {
    status: 204,
    headers: { 'Set-Cookie': [clearSessionCookie(ctx), setCookie({ name: 'auth_success', value: '', maxAge: -1 })] },
  };
}

type Parsed =
  | { kind: 'finish'; sid: string; code: string }
  | { kind: 'begin'; username: string; password: string }
  | { kind: 'bad'; message: string };

/** Phase 2 is a JSON body with both totp_session_id and code; anything else is phase 1. */
function parseLogin(req: Req): Parsed {
  if (req.body.length > LOGIN_BODY_MAX) return { kind: 'bad', message: 'read body: http: request body too large' };
  const raw = req.body.toString('utf8');
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    obj = undefined;
  }
  if (obj && typeof obj === 'object' && !Array.isArray(obj) && 'totp_session_id' in obj && 'code' in obj) {
    const o = obj as Record<string, unknown>;
    return {
      kind: 'finish',
      sid: typeof o.totp_session_id === 'string' ? o.totp_session_id : '',
      code: typeof o.code === 'string' ? o.code : '',
    };
  }
  const ct = header(req, 'content-type') ?? '';
  if (ct.startsWith('application/json')) {
    if (
      !obj ||
      typeof obj !== 'object' ||
      Array.isArray(obj) ||
      Object.values(obj).some((v) => typeof v !== 'string')
    ) {
      return { kind: 'bad', message: 'decode json: invalid credentials body' };
    }
    const o = obj as Record<string, string>;
    return { kind: 'begin', username: o.username ?? '', password: o.password ?? '' };
  }
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    const f = new URLSearchParams(raw);
    return { kind: 'begin', username: f.get('username') ?? '', password: f.get('password') ?? '' };
  }
  return { kind: 'bad', message: `unsupported content type "${ct}"` };
}

export async function loginPass(ctx: ServerCtx, req: Req, strategy: string): Promise<Reply> {
  if (strategy !== LOCAL_STRATEGY) return adaError(404, 'unknown_strategy', 'strategy not registered');
  if (req.method !== 'POST') return adaError(405, 'method_not_allowed', 'POST required');
  const parsed = parseLogin(req);
  // LoginGuard: per IP and per lower-cased username; 400 and 401 answers count.
  const keys: LimitKey[] = [{ key: `ip:${req.ip}`, hard: ctx.rateLimit.hard }];
  if (parsed.kind === 'begin' && parsed.username) {
    keys.push({ key: `user:${parsed.username.toLowerCase()}`, hard: ctx.rateLimit.usernameHard });
  }
  const reply = await guarded(
    ctx.loginLimiter,
    keys,
    req.signal,
    (s) => s === 400 || s === 401,
    (retryAfter) =>
      adaError(429, 'rate_limited', 'too many attempts; try again later', { 'Retry-After': String(retryAfter) }),
    () => login(ctx, req, parsed),
  );
  return reply ?? { status: 499, drop: true };
}

async function login(ctx: ServerCtx, req: Req, p: Parsed): Promise<Reply> {
  if (p.kind === 'bad') return adaError(400, 'bad_request', p.message);
  if (p.kind === 'finish') {
    if (!p.sid || !p.code) return adaError(400, 'bad_request', 'missing totp_session_id or code');
    const username = ctx.sessions.consumePending(p.sid);
    const user = username ? ctx.users.get(username) : undefined;
    if (!user) return adaError(401, 'invalid_session', 'step-up session is invalid or expired');
    if (!ctx.users.verifyTotp(user, p.code)) return adaError(401, 'invalid_code', 'invalid TOTP code');
    return issue(ctx, req, user);
  }
  const user = await ctx.users.verify(p.username, p.password);
  if (!user) return adaError(401, 'invalid_credentials', 'invalid credentials');
  if (user.totp_secret) {
    const sid = ctx.sessions.savePending(user.username, TOTP_PENDING_TTL_S * 1000);
    return json(200, {
      phase: 'totp_required',
      totp_session_id: sid,
      strategy: LOCAL_STRATEGY,
      expires_in: TOTP_PENDING_TTL_S,
    });
  }
  return issue(ctx, req, user);
}

/** Session cookie (HttpOnly, SameSite=Lax, Secure over TLS) plus ada's auth_success marker. */
function issue(ctx: ServerCtx, req: Req, user: StoredUser): Reply {
  const s = ctx.sessions.issue(user.username);
  ctx.log(`login: ${user.username} signed in`);
  const cookies = [
    setCookie({ name: ctx.cookieName, value: s.id, httpOnly: true, secure: Boolean(ctx.tls) }),
    setCookie({ name: 'auth_success', value: 'true', maxAge: 60 }),
  ];
  const wantsJson =
    (header(req, 'accept') ?? '').includes('application/json') ||
    (header(req, 'content-type') ?? '').startsWith('application/json');
  if (wantsJson) {
    return json(
      200,
      { strategy: LOCAL_STRATEGY, redirect_path: req.query.get('redirect_path') ?? '' },
      { 'Set-Cookie': cookies },
    );
  }
  return {
    status: 200,
    headers: { 'Set-Cookie': cookies, 'Content-Type': 'text/html; charset=utf-8' },
    body: '<script>window.close();</script>',
  };
}
