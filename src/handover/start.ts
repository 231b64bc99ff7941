import type { PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError, usageError } from '../errors.js';
import { sendRotation, verifyRotation, type RotationLabel } from '../ops/rotation.js';
import { openStaging, promoteOrExplain, stagedSend, type SavedKey } from '../keychain/save.js';
import type { Secret } from '../secrets/secret.js';
import {
  addStep,
  assertRecordWritable,
  existingRecord,
  newRecord,
  nextStep,
  outOfOrder,
  writeRecord,
  type HandoverRecord,
} from './record.js';
import { requireServing } from '../ops/serving.js';
import { targetFlags } from '../output/target-flags.js';

/**
 * `handover start` (outgoing operator): the server must be unlocked with readable
 * settings; rotate to a key the outgoing operator picks, with the same verification
 * as `pikactl rotate`; the key is saved before it is applied; then the record.
 */

export interface StartDeps {
  ctx: Deps;
  client: PikaClient;
  server: ServerUrl;
  operator: string;
  recordPath: string;
  /** The certificate's SHA-256 (https), written to the record for the incoming operator to check. */
  tlsPin?: string;
  saveToKeychain: boolean;
  /** Runs fn in an authenticated session (login, then logout). */
  withAuth<T>(fn: () => Promise<T>): Promise<T>;
  readCurrentKey(): Promise<Secret>;
  /** Asked twice on a terminal. */
  readNewKey(): Promise<Secret>;
  /** Weak-key advice, then "saved in the password manager?" (typed, or --confirm-saved). */
  confirmSaved(next: Secret): Promise<void>;
  /** Around the send and its check (e.g. --kube-secret: the boot-password Secret's pending/promote steps). */
  aroundSend?(next: Secret, run: () => Promise<void>): Promise<void>;
}

/** Only "no record there" lets start go on: a damaged or foreign file is reported, never overwritten. */
export async function assertNoRecord(path: string): Promise<void> {
  const existing = await existingRecord(path);
  if (!existing) return;
  const next =
    existing.rotation_may_be_half_done && existing.state === 'started'
      ? `pikactl recover-rotation ${targetFlags(existing.server)} (its rotation may be half done)`
      : nextStep(existing.state, path);
  throw outOfOrder(`a handover record already exists at ${path} (state: ${existing.state})`, next);
}

/**
 * The certificate handover start saw, for the record: the pin the outgoing operator
 * trusts, else the certificate presented now (a handshake, nothing sent). None for http.
 */
export async function certificatePin(
  ctx: Pick<Deps, 'signal'>,
  server: ServerUrl,
  transport: { pin?: string; timeoutMs: number },
): Promise<string | undefined> {
  if (server.url.protocol !== 'https:') return undefined;
  const { normalizePin } = await import('../transport/pin.js');
  if (transport.pin !== undefined) return normalizePin(transport.pin);
  const { fetchPeerCertificate } = await import('../config/tls-probe.js');
  try {
    const cert = await fetchPeerCertificate(server, {
      timeoutMs: transport.timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return cert.fingerprintSha256;
  } catch (err) {
    // A direct handshake may fail where requests work (a proxy-only network): the record then has no pin.
    if (err instanceof CliError && err.code === 'cancelled') throw err;
    return undefined;
  }
}

const label = (d: StartDeps): RotationLabel => ({
  op: 'rotate',
  server: d.server,
  what: 'handover rotation',
  caution: 'Do not hand anything over.',
});

export async function startHandover(
  d: StartDeps,
): Promise<{ record: HandoverRecord; files: { json: string; markdown: string } }> {
  const { ctx, client, server } = d;
  const now = () => new Date(ctx.clock.now()).toISOString();
  await requireServing(client, server, ctx.signal, 'handover start');
  await assertRecordWritable(d.recordPath);
  // Before any key is asked for: no keychain, or an unfinished earlier rotation, stops here.
  const staging = d.saveToKeychain ? await openStaging(ctx, server, 'handover start') : undefined;
  const record = newRecord(server.id, d.operator, now(), d.tlsPin);
  const guard: Secret[] = [];
  let saved: SavedKey | undefined;
  await d.withAuth(async () => {
    // The sealed settings must open before a rotation is worth starting.
    await client.settings(ctx.signal);
    addStep(record, 'server-checked', d.operator, now(), 'unlocked, settings open');
    const current = await d.readCurrentKey();
    const next = await d.readNewKey();
    guard.push(current, next);
    if (next.equals(current)) throw usageError('the new key must differ from the current key');
    await d.confirmSaved(next);
    // The same keychain order as `rotate --save-to-keychain`: pending first, promoted once verified.
    try {
      const run = () =>
        stagedSend(
          ctx,
          server,
          'handover start',
          staging,
          next,
          () => sendRotation(d.client, label(d), current, next, d.ctx.signal),
          () => verifyRotation(d.client, label(d), next, d.ctx.signal),
        );
      await (d.aroundSend ? d.aroundSend(next, run) : run());
    } catch (err) {
      // The rotation may be live: the record says so, so that the next step is known.
      if (err instanceof CliError && err.code === 'maybe_done')
        throw await recordHalfDone(d, record, guard, err, now());
      throw err;
    }
    addStep(
      record,
      'rotated',
      d.operator,
      now(),
      'verified: status unlocked, settings open, the verifier accepts the new key',
    );
    if (staging) saved = await promoteOrExplain(staging, next, server, 'rotated');
    addStep(
      record,
      'key-saved',
      d.operator,
      now(),
      `confirmed saved in the password manager${saved ? '; also in the outgoing keychain (old key kept as server-key-previous until finish)' : ''}`,
    );
  });
  const files = await writeRecord(d.recordPath, record, guard);
  return { record, files };
}

/**
 * Writes the record of a handover whose rotation may be half done (marked in the record
 * and its checklist), and returns the maybe-done error naming it. A record that cannot
 * be written leaves the error as it was: recover-rotation is the next step either way.
 */
async function recordHalfDone(
  d: StartDeps,
  record: HandoverRecord,
  guard: Secret[],
  err: CliError,
  at: string,
): Promise<CliError> {
  record.rotation_may_be_half_done = { at, why: err.message };
  try {
    const files = await writeRecord(d.recordPath, record, guard);
    return new CliError(err.message, {
      code: err.code,
      hint: `${err.hint ?? ''}\nThe handover record ${files.json} says the rotation may be half done; hand nothing over until recover-rotation has run.`,
      cause: err.cause ?? err,
      details: { ...(err.details ?? {}), record: files.json, checklist: files.markdown },
    });
  } catch {
    return err;
  }
}
