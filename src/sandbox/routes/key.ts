import { adaError, bindStrings, json, type Reply, type Req } from '../http.js';
import { GARBLED_PAGE, type AnswerFault } from '../faults.js';
import { guarded, wait } from '../ratelimit.js';
import type { StoredUser } from '../store.js';
import { errorReply, isReply, requirePerm, requireUser, SETTINGS_MANAGE, type ServerCtx } from './context.js';

/** The /api/v1/key/* handlers (upstream internal/server/api/keyops.go). */

export function keyStatus(ctx: ServerCtx, req: Req): Reply {
  try {
    return json(200, ctx.keys.status());
  } catch (err) {
    return errorReply(err, req);
  }
}

/** Session, then settings.manage, then the handler. */
async function protectedKeyOp(ctx: ServerCtx, req: Req, op: () => Promise<Reply>): Promise<Reply> {
  const user = requireUser(ctx, req);
  if (isReply(user)) return user;
  return permThen(user, req, op);
}

async function permThen(user: StoredUser, req: Req, op: () => Promise<Reply>): Promise<Reply> {
  const denied = requirePerm(user, SETTINGS_MANAGE, req);
  if (denied) return denied;
  try {
    return await op();
  } catch (err) {
    return errorReply(err, req);
  }
}

/**
 * The answer to an applied change, as an armed fault wants it: dropped, held back (then
 * dropped when the client gave up or the sandbox stops), garbled, or as Pika sends it.
 */
async function faulty(ctx: ServerCtx, req: Req, fault: AnswerFault, ok: () => Reply): Promise<Reply> {
  if (fault === 'drop') return { status: 0, drop: true };
  if (fault === 'garble')
    return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: GARBLED_PAGE };
  if (fault === 'delay' && !(await wait(ctx.keys.faultDelayMs, req.signal))) return { status: 0, drop: true };
  return ok();
}

export function initialize(ctx: ServerCtx, req: Req): Promise<Reply> {
  return protectedKeyOp(ctx, req, async () => {
    const { key = '' } = bindStrings(req, ['key'], 'keyRequest');
    const fault = await ctx.keys.initialize(key);
    return faulty(ctx, req, fault, () => json(200, { message: 'server initialized and unlocked' }));
  });
}

/**
 * Unlock sits behind the per-IP UnlockGuard, which wraps the capability check too:
 * 401 and 403 answers count, 400s do not.
 */
export async function unlock(ctx: ServerCtx, req: Req): Promise<Reply> {
  const user = requireUser(ctx, req);
  if (isReply(user)) return user;
  const reply = await guarded(
    ctx.unlockLimiter,
    [{ key: `ip:${req.ip}`, hard: ctx.rateLimit.hard }],
    req.signal,
    (status) => status === 401 || status === 403,
    (retryAfter) =>
      adaError(429, 'rate_limited', 'too many attempts; try again later', { 'Retry-After': String(retryAfter) }),
    () =>
      permThen(user, req, async () => {
        const { key = '' } = bindStrings(req, ['key'], 'keyRequest');
        await ctx.keys.unlock(key);
        return json(200, { message: 'server unlocked' });
      }),
  );
  return reply ?? { status: 499, drop: true }; // the client left during the delay
}

export function lock(ctx: ServerCtx, req: Req): Promise<Reply> {
  return protectedKeyOp(ctx, req, async () => {
    ctx.keys.lock();
    return json(200, { message: 'server locked' });
  });
}

export function rotate(ctx: ServerCtx, req: Req): Promise<Reply> {
  return protectedKeyOp(ctx, req, async () => {
    const body = bindStrings(req, ['current_key', 'new_key'], 'rotateRequest');
    const fault = await ctx.keys.rotate(body.current_key ?? '', body.new_key ?? '');
    return faulty(ctx, req, fault, () => json(200, { message: 'server key rotated' }));
  });
}
