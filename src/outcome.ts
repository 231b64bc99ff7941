import { ApiError } from './api/types.js';
import type { ServerUrl } from './api/url.js';
import { CliError } from './errors.js';
import { serverText } from './output/server-text.js';
import { targetFlags } from './output/target-flags.js';

/**
 * The one place that decides what a failed state-changing request (initialize, unlock,
 * lock, rotate) means, from what was sent and what came back:
 *
 * - not_done: certainly nothing changed, safe to retry. Refused before sending (a
 *   CliError of our own), never connected (refused, DNS, TLS handshake, a connect
 *   timeout or an interrupt before the socket had the request), or an explicit refusal
 *   that comes before any handler acts: every 3xx/4xx (Pika's 400/403/409/429, the
 *   307 to the login page, a 413), the lock gate's 503, a cluster follower's 503
 *   ("no leader", "reached non-leader": nothing was forwarded).
 * - maybe_done: the request may have reached the server. A timeout, a dropped
 *   connection or an interrupt (SIGINT/SIGTERM) after the request was written; a 2xx
 *   that is not Pika's JSON (HTML, garbled, over the size cap, a 202 with no body);
 *   malformed HTTP; any other 5xx, including a cluster's 502 "leader forward failed"
 *   (the leader may have run it) and a gateway's 502/504.
 *
 * A maybe_done is exit 8 (CliError code maybe_done): the message says what may have
 * happened, the hint is the command that finds out and repairs.
 */

export type ChangeOp = 'initialize' | 'unlock' | 'lock' | 'rotate' | 'restore';

export interface Verdict {
  outcome: 'not_done' | 'maybe_done';
  /** Why, for the message: "no answer within 30s after the request was sent". */
  why: string;
}

/** One state change on one server, for messages and the hint. */
export interface Change {
  op: ChangeOp;
  server: ServerUrl;
  /** How messages name it: default "rotation", "initialization", "unlock", "lock". */
  what?: string;
  /** Said first in the hint, e.g. "Do not hand anything over." */
  caution?: string;
}

const WHAT: Record<ChangeOp, string> = {
  initialize: 'initialization',
  unlock: 'unlock',
  lock: 'lock',
  rotate: 'rotation',
  restore: 'backup restore',
};

/** Kinds that prove nothing was applied: never connected, or Pika's own refusals (and the lock gate's 503). */
const REFUSED_KINDS: ReadonlySet<string> = new Set([
  'unreachable',
  'tls',
  'locked',
  'wrong_key',
  'forbidden',
  'bad_request',
  'not_initialized',
  'already_initialized',
  'rate_limited',
  'unauthenticated',
  'invalid_credentials',
  'not_found',
]);

const notDone = (why: string): Verdict => ({ outcome: 'not_done', why });
const maybe = (why: string): Verdict => ({ outcome: 'maybe_done', why });

/** "SIGINT" when the abort came from a signal (deps.ts aborts with "received SIGINT"). */
function signalName(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 8 && e instanceof Error; i++) {
    const m = /\breceived (SIG[A-Z]+)/.exec(e.message);
    if (m) return m[1];
    e = e.cause;
  }
  return undefined;
}

/** What a failure of a state-changing call proves: see the module comment. */
export function outcomeOf(err: unknown): Verdict {
  if (err instanceof CliError) return notDone(err.message);
  if (!(err instanceof ApiError))
    return maybe(
      `an unexpected failure after the request may have been sent (${err instanceof Error ? err.message : String(err)})`,
    );
  if (err.sent === false) return notDone('the request was never sent');
  if (REFUSED_KINDS.has(err.kind)) return notDone(err.message);
  if (err.kind === 'cluster' && err.status === 503) return notDone(err.message);
  const said = err.serverMessage ? `: ${err.serverMessage}` : '';
  const rid = err.requestId ? ` (request_id ${serverText(err.requestId, { max: 80 })})` : '';
  const status = err.status;
  if (status !== undefined) {
    if (status >= 500 && err.kind === 'gateway')
      return maybe(
        `the gateway in front of the server answered HTTP ${status}, after it may have passed the request on`,
      );
    if (status >= 500) return maybe(`the server answered HTTP ${status}${said}${rid}`);
    if (status >= 300) return notDone(err.message);
    if (err.kind === 'too_large')
      return maybe(`the server answered HTTP ${status}, but the answer was larger than pikactl accepts`);
    return maybe(`the server answered HTTP ${status}, but not with Pika's JSON (${err.message})`);
  }
  switch (err.kind) {
    case 'timeout':
      return maybe(`no answer came in time after the request was sent (${err.message})`);
    case 'connection_lost':
      return maybe('the connection dropped after the request was sent, before any answer');
    case 'cancelled': {
      const sig = signalName(err);
      return maybe(`${sig ? `interrupted by ${sig}` : 'cancelled'} after the request was sent`);
    }
    default:
      // Malformed HTTP and anything else the transport could not read.
      return maybe(`the answer could not be read (${err.message})`);
  }
}

/** The command that finds out what happened, with the server the user named. */
export function findOutCommand(op: ChangeOp, server: ServerUrl): string {
  return op === 'rotate' ? `pikactl recover-rotation ${targetFlags(server)}` : `pikactl status ${targetFlags(server)}`;
}

function hintFor(c: Change): string {
  const find = findOutCommand(c.op, c.server);
  const caution = c.caution ? `${c.caution} ` : '';
  switch (c.op) {
    case 'rotate':
      return `${caution}Do not restart the server and do not rotate again. Find out which key it holds, and repair: ${find}`;
    case 'initialize':
      return `${caution}Do not run init again before checking: ${find} (locked or unlocked: the key you sent is now its key; off: nothing changed)`;
    case 'restore':
      return `${caution}Find out before restoring again: ${find} (initialized and locked after a restore into a fresh server: it was applied)`;
    default:
      return `${caution}Check the state before anything else: ${find} (${c.op} is safe to run again)`;
  }
}

/** The exit-8 error: what may have happened and the command that finds out. */
export function maybeDone(c: Change, why: string, cause?: unknown): CliError {
  const details: Record<string, unknown> = { outcome: 'maybe_done', operation: c.op };
  if (cause instanceof ApiError) {
    details.kind = cause.kind;
    if (cause.status !== undefined) details.status = cause.status;
    if (cause.requestId) details.request_id = cause.requestId;
  }
  return new CliError(`the ${c.what ?? WHAT[c.op]} on ${c.server.id} may have been applied: ${why}`, {
    code: 'maybe_done',
    hint: hintFor(c),
    cause,
    details,
  });
}

/**
 * Sends one state change. A failure that may have applied it becomes maybe_done (exit 8);
 * a failure that proves nothing changed is rethrown as it is (the caller maps refusals).
 */
export async function sendChange<T>(c: Change, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const v = outcomeOf(err);
    if (v.outcome === 'maybe_done') throw maybeDone(c, v.why, err);
    throw err;
  }
}

/**
 * After the server accepted a change, the check that it holds failed (or was interrupted):
 * the change is most likely in effect, but unverified, so still exit 8.
 */
export function unverified(c: Change, err: unknown): CliError {
  if (err instanceof CliError && err.code === 'maybe_done') return err;
  const why =
    err instanceof ApiError ? (err.serverMessage ?? err.message) : err instanceof Error ? err.message : String(err);
  const sig = signalName(err);
  return maybeDone(
    c,
    `the server accepted it, but checking it afterwards ${sig ? `was interrupted by ${sig}` : `failed: ${why}`}`,
    err,
  );
}
