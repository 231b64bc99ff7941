import type { Clock } from '../context.js';

export interface PollOptions {
  clock: Clock;
  timeoutMs: number;
  signal?: AbortSignal;
  /** First delay between attempts; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each sleep, e.g. to update a spinner. */
  onWait?: (attempt: number, delayMs: number) => void;
}

export type PollOutcome<T> = { done: true; value: T; attempts: number } | { done: false; last: T; attempts: number };

/**
 * Polls `probe` with exponential backoff until `isDone` holds or the time is up.
 * The probe must not throw for conditions worth waiting through (connection
 * refused while the server restarts, the lock gate's 503): it returns them as
 * values; it throws only for what waiting cannot fix (TLS, auth, usage).
 */
export async function pollUntil<T>(probe: () => Promise<T>, isDone: (v: T) => boolean, opts: PollOptions): Promise<PollOutcome<T>> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  let delay = opts.initialDelayMs ?? 250;
  const maxDelay = opts.maxDelayMs ?? 5000;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const value = await probe();
    if (isDone(value)) return { done: true, value, attempts };
    const remaining = deadline - opts.clock.now();
    if (remaining <= 0) return { done: false, last: value, attempts };
    const wait = Math.min(delay, remaining);
    opts.onWait?.(attempts, wait);
    await opts.clock.sleep(wait, opts.signal);
    delay = Math.min(delay * 2, maxDelay);
  }
}
