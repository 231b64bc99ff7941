import type { Deps } from '../deps.js';
import { openKeychainOrNull } from '../keychain/open.js';
import { keychainAccount } from '../keychain/accounts.js';
import type { Secret } from '../secrets/secret.js';
import { addStep, outOfOrder, writeRecord, type HandoverRecord } from './record.js';

/**
 * `handover finish` (outgoing operator): only once the incoming side's proof is in
 * the record. Retires the old key where pikactl can reach it (its own keychain
 * `server-key-previous` entry) and reminds the operator of the one place it cannot
 * (the password manager). Needs no server: the proof is already in the record.
 */

export interface FinishDeps {
  ctx: Deps;
  operator: string;
  record: HandoverRecord;
  recordPath: string;
  /** Asked before deleting a keychain entry (unless --yes). */
  confirmDelete(account: string): Promise<void>;
}

export interface FinishResult {
  files: { json: string; markdown: string };
  /** What happened to the keychain entry. */
  keychain: 'deleted' | 'absent' | 'unavailable';
  account: string;
}

export function checkFinishable(r: HandoverRecord, file: string): void {
  if (r.state === 'started') {
    throw outOfOrder(
      'the incoming operator has not accepted this handover yet: the new key is not proven, so the old one must stay',
      `(incoming operator, after the next restart) pikactl handover accept --record ${file}`,
    );
  }
  if (r.state === 'finished')
    throw outOfOrder(
      `this handover is already closed (finished ${r.finished_at})`,
      'nothing: start a new one with pikactl handover start',
    );
  if (!r.steps.some((s) => s.id === 'unlocked') || !r.steps.some((s) => s.id === 'settings-readable')) {
    throw outOfOrder(
      'the record says "accepted" but lacks the unlock and settings checks',
      `(incoming operator) pikactl handover accept --record ${file}`,
    );
  }
}

export async function finishHandover(d: FinishDeps): Promise<FinishResult> {
  const { ctx, record } = d;
  const now = () => new Date(ctx.clock.now()).toISOString();
  const by = record.incoming?.operator ?? '?';
  addStep(
    record,
    'accept-confirmed',
    d.operator,
    now(),
    `accepted by ${by} on ${record.accepted_at?.slice(0, 10) ?? '?'} (unlock and settings check recorded)`,
  );
  const account = keychainAccount('server-key-previous', record.server);
  const kc = await openKeychainOrNull(ctx);
  let keychain: FinishResult['keychain'] = 'unavailable';
  const guard: Secret[] = [];
  if (kc) {
    keychain = 'absent';
    const previous = await kc.get(account);
    if (previous !== null) {
      guard.push(previous); // never into the record, not even by accident
      await d.confirmDelete(account);
      keychain = (await kc.delete(account)) ? 'deleted' : 'absent';
    }
  }
  const note = {
    deleted: `deleted ${account}`,
    absent: 'no such entry in this keychain',
    unavailable: 'no keychain reachable here: nothing to delete',
  }[keychain];
  addStep(record, 'old-key-retired', d.operator, now(), note);
  addStep(record, 'password-manager-reminded', d.operator, now(), 'reminder shown');
  addStep(record, 'closed', d.operator, now(), 'handover complete');
  record.state = 'finished';
  record.finished_at = now();
  return { files: await writeRecord(d.recordPath, record, guard), keychain, account };
}
