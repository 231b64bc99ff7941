import type { Clock } from '../deps.js';

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
export async function pollUntil<T>(
  probe: () => Promise<T>,
  isDone: (v: T) => boolean,
  opts: PollOptions,
): Promise<PollOutcome<T>> {
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

/**
 * What a wait saw, counted per kind of answer, for the line that says why it gave up:
 * "the gateway answered 502 38 times, the server was locked twice".
 */
export class Tally {
  private readonly counts = new Map<string, number>();
  last?: string;

  add(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
    this.last = label;
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** Most frequent first; "nothing was seen" before the first answer. */
  summary(): string {
    if (this.counts.size === 0) return 'no request completed';
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${label} ${times(n)}`)
      .join(', ');
  }
}

export function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** What a client needs for `--wait D` to bound every request (PikaClient.setDeadline). */
export interface Deadlined {
  setDeadline?(remainingMs: (() => number) | undefined): void;
}

/**
 * `--wait D` bounds the whole command: from now on each request's timeout is capped by
 * what is left of D (a server that accepts and never answers cannot stretch a 20 s wait
 * to the 30 s request timeout).
 */
export function boundRequests(clients: Deadlined[], clock: Clock, waitMs: number | undefined): void {
  if (waitMs === undefined) return;
  const deadline = clock.now() + waitMs;
  for (const c of clients) c.setDeadline?.(() => deadline - clock.now());
}
