import { ApiError, type PikaClient } from '../api/types.js';
import { CliError } from '../errors.js';
import { maybeDone, outcomeOf, sendChange, unverified, type Change } from '../outcome.js';
import type { Secret } from '../secrets/secret.js';
import { observeNode } from './observe.js';

/** Who is rotating, for messages: `pikactl rotate` or `handover start` (a Change with op rotate). */
export type RotationLabel = Change & { op: 'rotate' };

/**
 * Why a failed rotate call may have been applied anyway, or undefined when the failure
 * proves nothing changed. The rule is src/outcome.ts's; recover-rotation asks it here.
 */
export function rotationUncertainty(err: ApiError): string | undefined {
  const v = outcomeOf(err);
  return v.outcome === 'maybe_done' ? v.why : undefined;
}

/**
 * POST /key/rotate. A failure that may have applied the rotation is maybe_done (exit 8,
 * recover-rotation); refusals (403 wrong key, 400, 503 locked) changed nothing and are
 * rethrown as the ApiError they are.
 */
export async function sendRotation(
  client: PikaClient,
  label: RotationLabel,
  current: Secret,
  next: Secret,
  signal?: AbortSignal,
): Promise<void> {
  await sendChange(label, () => client.rotate(current, next, signal));
}

/** After a rotation: still unlocked, settings still readable, and the verifier accepts the NEW key. */
export async function verifyRotation(
  client: PikaClient,
  label: RotationLabel,
  next: Secret,
  signal?: AbortSignal,
): Promise<void> {
  try {
    const after = await observeNode(client, signal);
    if (after.state !== 'unlocked')
      throw maybeDone(label, `after the rotation the server reports "${after.state}"`, after.error);
    await client.settings(signal);
    // An unlock with the right key on an unlocked server re-verifies and changes nothing.
    await client.unlock(next, signal);
  } catch (err) {
    if (err instanceof CliError && err.code === 'maybe_done') throw err;
    if (err instanceof ApiError) throw unverified(label, err);
    throw err;
  }
}
