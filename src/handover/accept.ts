import { ApiError, type PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import type { NodeObservation } from '../ops/observe.js';
import { requireKeychain } from '../keychain/open.js';
import { keychainAccount } from '../keychain/accounts.js';
import type { Secret } from '../secrets/secret.js';
import { formatDuration } from '../util/duration.js';
import { addStep, outOfOrder, writeRecord, type HandoverRecord } from './record.js';
import { requireServing } from '../ops/serving.js';
import { sendChange } from '../outcome.js';

/**
 * `handover accept` (incoming operator, own machine and HOME): wait for the next
 * restart cycle (status goes locked), unlock with the key received, check the
 * settings open under it, record the confirmation. Proves the key that travelled
 * is the key the server runs on, before the outgoing side retires anything.
 */

export interface AcceptDeps {
  ctx: Deps;
  client: PikaClient;
  server: ServerUrl;
  operator: string;
  record: HandoverRecord;
  recordPath: string;
  /** undefined: --no-wait-restart (the operator saw the restart already). */
  waitMs?: number;
  saveToKeychain: boolean;
  /** Polls key/status until locked or the time is up (through refused connections while it restarts). */
  waitForLocked(waitMs: number): Promise<{ probe: NodeObservation; met: boolean }>;
  withAuth<T>(fn: () => Promise<T>): Promise<T>;
  readKey(): Promise<Secret>;
}

export function checkAcceptable(r: HandoverRecord, file: string): void {
  if (r.state === 'accepted') {
    throw outOfOrder(
      `this handover was already accepted by ${r.incoming?.operator ?? '?'} (${r.accepted_at})`,
      `(outgoing operator) pikactl handover finish --record ${file}`,
    );
  }
  if (r.state === 'finished')
    throw outOfOrder(
      `this handover is closed (finished ${r.finished_at})`,
      'nothing: start a new one with pikactl handover start',
    );
}

export async function acceptHandover(d: AcceptDeps): Promise<{ files: { json: string; markdown: string } }> {
  const { ctx, client, server, record } = d;
  const now = () => new Date(ctx.clock.now()).toISOString();
  // Before waiting and unlocking: a keychain that cannot be used must not surface only at the end.
  const kc = d.saveToKeychain
    ? await requireKeychain(
        ctx,
        'handover accept --save-to-keychain',
        'Leave out --save-to-keychain and keep the key in your password manager.',
      )
    : undefined;
  if (d.waitMs !== undefined) {
    const { probe, met } = await d.waitForLocked(d.waitMs);
    if (!met) {
      if (probe.state === 'unreachable' && probe.error) throw probe.error;
      throw new CliError(
        `no restart seen within ${formatDuration(d.waitMs)}: ${server.id} still reports "${probe.state}"`,
        {
          code: probe.state === 'unreadable' ? 'needs_recovery' : 'error',
          hint:
            'Restart the server (or roll one pod), then run this again with a longer --wait. ' +
            'If it was restarted and someone unlocked it since, pass --no-wait-restart.',
        },
      );
    }
    addStep(record, 'restart-seen', d.operator, now(), 'the server came back locked');
  } else {
    addStep(
      record,
      'restart-seen',
      d.operator,
      now(),
      'not waited for (--no-wait-restart): the operator says the restart happened',
    );
  }
  let key: Secret | undefined;
  await d.withAuth(async () => {
    key = await d.readKey();
    try {
      // On a locked server this unlocks it; on an unlocked one the right key only re-verifies.
      const k = key;
      await sendChange({ op: 'unlock', server }, () => client.unlock(k, ctx.signal));
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'wrong_key') {
        throw new CliError(`${server.id} rejected the key you received; nothing was changed and nothing was recorded`, {
          code: 'wrong_key',
          hint: 'Do not retire anything: check with the outgoing operator which key they rotated to (each refusal counts toward the unlock rate limit).',
        });
      }
      throw err;
    }
    addStep(record, 'unlocked', d.operator, now(), 'the server accepted the key received from the outgoing operator');
    await requireServing(client, server, ctx.signal, 'handover accept');
    await client.settings(ctx.signal);
    addStep(record, 'settings-readable', d.operator, now(), 'the sealed settings open');
  });
  if (kc && key) {
    await kc.set(keychainAccount('server-key', server), key);
    addStep(record, 'keychain-saved', d.operator, now(), `stored as server-key:${server.id}`);
  }
  record.state = 'accepted';
  record.incoming = { operator: d.operator };
  record.accepted_at = now();
  return { files: await writeRecord(d.recordPath, record, key ? [key] : []) };
}
