/**
 * A sliding-window failure counter shaped like ada's ratelimit middleware
 * (middleware/ratelimit/ratelimit.go): per key, the failures in the last `windowMs`
 * are counted; from `soft` failures on, each further request waits
 * base * 2^(count - soft) (base 1 s, cap 15 s, both times `delayScale`) before the
 * handler runs; at `hard` failures the request gets 429 with Retry-After (seconds until
 * the oldest failure leaves the window, at least 1). Counters live in memory, per process.
 */
export interface RateLimitOptions {
  /** Counted failures before delays start. Default 3. */
  soft?: number;
  /** Counted failures that trigger 429. Default 30. */
  hard?: number;
  /** Window length. Default 15 minutes. */
  windowMs?: number;
  /** Multiplies the 1 s base delay and the 15 s cap; tests use e.g. 0.01. Default 1. */
  delayScale?: number;
  /** Login guard only: the per-username hard threshold. Default ceil(hard / 2) (upstream: 15 of 30). */
  usernameHard?: number;
}

export type ResolvedRateLimit = Required<RateLimitOptions>;

export function resolveRateLimit(o: RateLimitOptions = {}): ResolvedRateLimit {
  const hard = o.hard ?? 30;
  return {
    soft: o.soft ?? 3,
    hard,
    windowMs: o.windowMs ?? 15 * 60_000,
    delayScale: o.delayScale ?? 1,
    usernameHard: o.usernameHard ?? Math.ceil(hard / 2),
  };
}

export interface LimitKey {
  key: string;
  hard: number;
}

export type Verdict = { kind: 'reject'; retryAfterSec: number } | { kind: 'go'; delayMs: number; count: number };

export class Limiter {
  private readonly buckets = new Map<string, number[]>();

  constructor(
    private readonly cfg: ResolvedRateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  private bucket(key: string): number[] {
    const cutoff = this.now() - this.cfg.windowMs;
    const kept = (this.buckets.get(key) ?? []).filter((t) => t > cutoff);
    if (kept.length) this.buckets.set(key, kept);
    else this.buckets.delete(key);
    return kept;
  }

  /** What to do before the handler runs. */
  check(keys: readonly LimitKey[]): Verdict {
    let max = 0;
    for (const { key, hard } of keys) {
      const b = this.bucket(key);
      if (hard > 0 && b.length >= hard) {
        const until = b[0] + this.cfg.windowMs - this.now();
        return { kind: 'reject', retryAfterSec: Math.max(1, Math.floor(until / 1000)) };
      }
      max = Math.max(max, b.length);
    }
    return { kind: 'go', delayMs: this.backoff(max), count: max };
  }

  backoff(count: number): number {
    const { soft, delayScale } = this.cfg;
    if (soft <= 0 || count < soft) return 0;
    const base = 1000 * delayScale;
    return Math.min(base * 2 ** Math.min(count - soft, 30), 15_000 * delayScale);
  }

  /** Records one counted failure against every key. */
  fail(keys: readonly LimitKey[]): void {
    const t = this.now();
    for (const { key } of keys) this.buckets.set(key, [...this.bucket(key), t]);
  }
}

/** Waits `ms`, or less when `signal` aborts. Resolves false if aborted. */
export function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `handler` under the guard, the way ada's middleware does: reject at `hard`,
 * wait while the count calls for a delay (re-checking after each wait), then count
 * the result when `counts(status)` says so.
 */
export async function guarded<R extends { status: number }>(
  limiter: Limiter,
  keys: readonly LimitKey[],
  signal: AbortSignal,
  counts: (status: number) => boolean,
  rejected: (retryAfterSec: number) => R,
  handler: () => Promise<R>,
): Promise<R | undefined> {
  let waitedAt = -1;
  for (;;) {
    const v = limiter.check(keys);
    if (v.kind === 'reject') return rejected(v.retryAfterSec);
    if (v.delayMs <= 0 || waitedAt === v.count) break;
    if (!(await wait(v.delayMs, signal))) return undefined; // client gone
    waitedAt = v.count;
  }
  const reply = await handler();
  if (counts(reply.status)) limiter.fail(keys);
  return reply;
}
