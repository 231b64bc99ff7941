import type { ServerUrl } from '../api/url.js';
import { ApiError } from '../api/types.js';
import { outcomeOf } from '../outcome.js';
import { CliError, type ErrorCode } from '../errors.js';
import { keychainAccount } from './accounts.js';
import type { Keychain } from './keychain.js';
import type { Secret } from '../secrets/secret.js';
import { targetFlags } from '../output/target-flags.js';

/**
 * `init` / `rotate --save-to-keychain`: a new server key goes through the keychain
 * in an order that no crash can turn into a lost key.
 *
 *   1. stage    server-key-pending := NEW            before the key is sent
 *   2.          (the server applies NEW and pikactl verifies it)
 *   3. promote  server-key-previous := old live entry (only if there is one and it differs)
 *   4.          server-key := NEW
 *   5.          delete server-key-pending
 *
 * Whatever step a crash (or Ctrl-C, or a dead D-Bus) interrupts, every key the
 * server may hold is still in some entry:
 *   - before 1: nothing was sent; the server holds the old key (in server-key, if it was there).
 *   - 1 → 2 done: NEW is in server-key-pending; `pikactl recover-rotation` reads it.
 *   - after 3: the old key is in both server-key and server-key-previous; NEW in pending.
 *   - after 4: NEW is in server-key and pending (a harmless duplicate: stage() accepts a
 *     pending entry equal to the live one as a leftover, not as unfinished business).
 * Step 3 comes before 4 because 4 overwrites the only other copy of the old key.
 * If the server certainly did not take NEW (it answered 403/400/409/503, or the
 * request never left), the pending entry is deleted again; if the outcome is unknown
 * (HTTP 500, connection lost, failed verification) it stays and the error says so.
 */
export class KeyStaging {
  readonly pending: string;
  readonly live: string;
  readonly previous: string;

  constructor(
    private readonly keychain: Keychain,
    private readonly server: Pick<ServerUrl, 'id'>,
  ) {
    this.pending = keychainAccount('server-key-pending', server);
    this.live = keychainAccount('server-key', server);
    this.previous = keychainAccount('server-key-previous', server);
  }

  /**
   * Refuses to start while a pending key from an earlier, unfinished init/rotate is
   * stored: the server may hold that key, and staging a new one would overwrite the
   * only copy. Called before any key is asked for.
   */
  async checkNoUnfinished(): Promise<void> {
    const pending = await this.keychain.get(this.pending);
    if (!pending) return;
    const live = await this.keychain.get(this.live);
    if (live?.equals(pending)) return; // a completed promotion that crashed before step 5
    throw new CliError(
      `the keychain holds a pending key for ${this.server.id} ("${this.pending}") from an earlier init or rotate that did not finish`,
      {
        code: 'needs_recovery',
        hint:
          `The server may hold that key. After a rotate, find out with \`pikactl recover-rotation ${targetFlags(this.server)}\` (it reads the pending entry); ` +
          `after an init, \`pikactl keychain set ${targetFlags(this.server)} --key-from keychain:server-key-pending\` tests it against the server and keeps it if it fits. ` +
          `once the server's key is known and saved, remove the entry with \`pikactl keychain delete --kind server-key-pending ${targetFlags(this.server)}\`.`,
        details: { entry: this.pending },
      },
    );
  }

  /** Step 1. */
  async stage(next: Secret): Promise<void> {
    await this.keychain.set(this.pending, next);
  }

  /** Steps 3–5, after the server confirmed NEW and it was verified. Returns the previous entry when one was written. */
  async promote(next: Secret): Promise<{ live: string; previous?: string }> {
    const old = await this.keychain.get(this.live);
    let previous: string | undefined;
    if (old && !old.equals(next)) {
      await this.keychain.set(this.previous, old);
      previous = this.previous;
    }
    await this.keychain.set(this.live, next);
    await this.keychain.delete(this.pending);
    return { live: this.live, ...(previous ? { previous } : {}) };
  }

  /** The server certainly did not take NEW: drop the pending entry so the next run is not blocked. Best effort. */
  async discard(): Promise<void> {
    await this.keychain.delete(this.pending).catch(() => false);
  }
}

/** The same, for API errors a command already mapped to operator errors. */
const NOT_APPLIED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'wrong_key',
  'not_initialized',
  'already_initialized',
  'locked',
  'not_permitted',
  'session_expired',
  'auth',
  'rate_limited',
  'not_pika',
  'unreachable',
  'tls',
  'usage',
]);

/** True when an error from SENDING the key (not from verifying it) proves the server did not apply it. */
export function certainlyNotApplied(err: unknown): boolean {
  // The one rule (src/outcome.ts): e.g. a 413 is a refusal, a 200 too large for our cap is not.
  if (err instanceof ApiError) return outcomeOf(err).outcome === 'not_done';
  if (err instanceof CliError) return NOT_APPLIED_CODES.has(err.code);
  return false;
}

/** The same error, with the pending entry named in its hint (for recover-rotation and the operator). */
export function withPendingHint(err: CliError, pending: string): CliError {
  const note = `The new key stays in the keychain entry "${pending}" (pikactl recover-rotation reads it); do not delete it until the server's key is known.`;
  return new CliError(err.message, {
    code: err.code,
    hint: err.hint ? `${err.hint}\n${note}` : note,
    cause: err.cause ?? err,
    details: { ...(err.details ?? {}), pending_entry: pending },
  });
}
