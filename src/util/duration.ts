import { usageError } from '../errors.js';

/** The longest delay a Node timer can hold (2^31-1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses "500ms", "30s", "5m", "1h", "1m30s", or a bare number of seconds. More
 * than MAX_DURATION_MS is a usage error: a timer cannot hold it (Node would fire
 * it at once, so every request would time out after 1 ms).
 */
export function parseDuration(text: string, flag = 'duration'): number {
  const ms = parseUnbounded(text, flag);
  if (!(ms <= MAX_DURATION_MS)) {
    throw usageError(
      `${flag} "${text}" is too long: the limit is ${formatDuration(MAX_DURATION_MS)} (2^31-1 ms, about 24.8 days)`,
      'Use a shorter duration; a wait that long is better done by a scheduler.',
    );
  }
  return ms;
}

function parseUnbounded(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * UNITS[m[2]];
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== t.length) {
    throw usageError(`invalid ${flag} "${text}"`, 'Use a number of seconds or a duration such as 500ms, 30s, 5m, 1h.');
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const r = s % 60;
  if (m < 60) return r ? `${m}m${r}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}
