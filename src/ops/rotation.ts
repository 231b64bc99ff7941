import { ApiError, type PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import { CliError } from '../errors.js';
import type { Secret } from '../secrets/secret.js';
import { probeNode } from './probe.js';
import { serverText } from '../output/server-text.js';

/** Who is rotating, for messages: `pikactl rotate` or `handover start`. */
export interface RotationLabel {
  server: ServerUrl;
  /** "rotation", "handover rotation". */
  what: string;
  hint: string;
}

/** A rotation that may or may not have been applied: the only honest answer is "needs recovery" (exit 8). */
export function mayBeHalfDone(label: RotationLabel, why: string, cause?: unknown): CliError {
  return new CliError(`the ${label.what} on ${label.server.id} may be half done: ${why}`, {
    code: 'needs_recovery',
    hint: label.hint,
    cause,
    details: cause instanceof ApiError && cause.requestId ? { request_id: cause.requestId } : undefined,
  });
}

/**
 * Why a failed rotate call may have been applied anyway, or undefined when the failure
 * proves nothing changed: a 500 (the server may have swapped the key before failing) or
 * an answer lost on the way back (connection dropped, timeout).
 */
export function rotationUncertainty(err: ApiError): string | undefined {
  if (err.kind === 'server_error') {
    return `the server answered ${err.status ?? 500}: ${err.serverMessage ?? 'internal error'}${err.requestId ? ` (request_id ${serverText(err.requestId, { max: 80 })})` : ''}`;
  }
  if (err.kind === 'connection_lost' || err.kind === 'timeout') return 'the connection was lost before the server answered';
  return undefined;
}

/**
 * POST /key/rotate. A failure that may have applied the rotation becomes "may be half
 * done"; refusals (403 wrong key, 400, 503 locked) changed nothing and are rethrown as
 * the ApiError they are.
 */
export async function sendRotation(client: PikaClient, label: RotationLabel, current: Secret, next: Secret, signal?: AbortSignal): Promise<void> {
  try {
    await client.rotate(current, next, signal);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const uncertain = rotationUncertainty(err);
    if (uncertain) throw mayBeHalfDone(label, uncertain, err);
    throw err;
  }
}

/** After a rotation: still unlocked, settings still readable, and the verifier accepts the NEW key. */
export async function verifyRotation(client: PikaClient, label: RotationLabel, next: Secret, signal?: AbortSignal): Promise<void> {
  try {
    const after = await probeNode(client, signal);
    if (after.state !== 'unlocked') throw mayBeHalfDone(label, `after the rotation the server reports "${after.state}"`, after.error);
    await client.settings(signal);
    // An unlock with the right key on an unlocked server re-verifies and changes nothing.
    await client.unlock(next, signal);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof ApiError) throw mayBeHalfDone(label, `verification failed: ${err.serverMessage ?? err.message}`, err);
    throw err;
  }
}
