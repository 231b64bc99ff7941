import { canTry, isLocked, rateLimited, usableKey, verifierKey, type KeyRole, type Observation } from './model.js';
// Plan texts live in their own module so this file stays the decision table.
import { plans } from './text.js';

export { describeAction, describeCheck, RESTORE_WHY } from './text.js';

export * from './model.js';

/**
 * The recovery decision for a rotation that may have failed half-way. Pure: the
 * command probes, records (recordObservation), asks nextCheck what to learn next, and
 * when nothing is left to learn, decideRecovery says what to do. See
 * shared/pika-api.md §3 and §7 for the server behaviour this encodes.
 */

/** One thing to learn. Only `lock` changes state; it is proposed only when nothing else can tell. */
export type Check = { kind: 'status' } | { kind: 'settings' } | { kind: 'unlock'; key: KeyRole } | { kind: 'lock' };

export interface CheckInfo {
  title: string;
  /** True for lock: the command must confirm it (unless --yes) or record it as declined. */
  changesState: boolean;
  /** A wrong key is a 403 that counts toward the server's unlock rate limit. */
  countsTowardRateLimit: boolean;
  why: string;
}

/** What a plan asks for, in order. Mapped to playbook steps by the recover-rotation command. */
export type RecoveryAction =
  | { kind: 'lock' }
  | { kind: 'unlock'; key: KeyRole }
  | { kind: 'check_settings' }
  | { kind: 'rotate'; from: KeyRole; to: KeyRole; optional: boolean }
  | { kind: 'rediagnose' }
  | { kind: 'wait'; ms?: number }
  | {
      kind: 'manual';
      what: 'restart_server' | 'restore_backup' | 'find_key' | 'check_keys' | 'check_network' | 'initialize';
    };

export type RestoreReason =
  | 'no_key_works' // locked, and every key we hold was refused
  | 'identical_rotate_refused' // runbook retry: 400 "must differ"
  | 'identical_rotate_failed' // runbook retry failed another way
  | 'blob_unreadable' // the verifier's own key does not open the sealed blob
  | 'no_old_key'; // half-state, verifier unknown, and no old key to go back to

interface Base {
  /** One line for the operator. */
  title: string;
  /** Why pikactl thinks so, and what the actions will change. */
  explanation: string;
  actions: RecoveryAction[];
  /** The exit code if pikactl stops here without acting (e.g. --plan). */
  exitCode: number;
}

export type RecoveryPlan =
  | (Base & { code: 'incomplete'; probe: Check })
  | (Base & { code: 'nothing_to_do' })
  | (Base & { code: 'runbook_retry'; fallback: 'restore' })
  | (Base & { code: 'revert_to_old' })
  | (Base & { code: 'still_on_old_key' })
  | (Base & { code: 'unlock_then_rediagnose'; key: KeyRole })
  | (Base & { code: 'restore'; reason: RestoreReason })
  /** Every key the operator gave that was sent was refused: a typo is likelier than a lost server. */
  | (Base & { code: 'keys_refused'; refused: KeyRole[] })
  | (Base & { code: 'unknown_key' })
  | (Base & { code: 'not_initialized' })
  | (Base & { code: 'rate_limited'; retryAfterMs?: number })
  | (Base & { code: 'unreachable' });

export type RecoveryCode = RecoveryPlan['code'];

/**
 * The single next probe, or null when decideRecovery has enough. Never proposes a
 * key that is not held or was already tried, and never an unlock while the live
 * key cannot read the settings (upstream answers 500 there: no verdict, wasted).
 */
export function nextCheck(obs: Observation): Check | null {
  const s = obs.status;
  if (s.kind === 'not_probed') return { kind: 'status' };
  if (s.kind === 'unreachable' || rateLimited(obs)) return null;
  if (s.kind === 'ok' && !s.initialized) return null;
  // Unlocking a locked server is not a probe (it changes state): it is the unlock_then_rediagnose plan.
  if (isLocked(s)) return null;
  if (s.kind === 'server_error') return halfStateProbe(obs);
  if (obs.settings.kind === 'not_probed') return { kind: 'settings' };
  if (obs.settings.kind === 'unreadable') {
    // Status answered, so unlock may too (servers whose status does not read the sealed blob).
    if (canTry(obs, 'new') && verifierKey(obs) === undefined) return { kind: 'unlock', key: 'new' };
    return halfStateProbe(obs);
  }
  // Healthy: settings readable. Which key is it on?
  if (canTry(obs, 'new')) return { kind: 'unlock', key: 'new' };
  if (obs.keys.new.kind !== 'accepted' && canTry(obs, 'old')) return { kind: 'unlock', key: 'old' };
  return null;
}

/** Live key cannot read settings. With the old key in hand, revert_to_old decides without probing; otherwise lock to learn. */
function halfStateProbe(obs: Observation): Check | null {
  if (verifierKey(obs) !== undefined) return null;
  if (obs.held.old) return null;
  if (obs.lock === 'not_tried' && canTry(obs, 'new')) return { kind: 'lock' };
  return null;
}

/**
 * A runnable plan as one journal-safe token ("revert_to_old", "unlock_then_rediagnose:new"),
 * and back. Lets an interrupted recover-rotation resume the plan it was carrying out.
 */
export function planToken(plan: RecoveryPlan): string {
  return plan.code === 'unlock_then_rediagnose' ? `${plan.code}:${plan.key}` : plan.code;
}

export function planFromToken(token: string, obs: Observation): RecoveryPlan | undefined {
  switch (token) {
    case 'revert_to_old':
      return plans.revertToOld(obs);
    case 'runbook_retry':
      return plans.runbookRetry();
    case 'still_on_old_key':
      return plans.stillOnOld();
    case 'unlock_then_rediagnose:new':
    case 'unlock_then_rediagnose:old':
      return plans.unlockThenRediagnose(token.endsWith(':new') ? 'new' : 'old', obs);
    default:
      return undefined;
  }
}

/** The plan for what was observed. Total: every observation maps to exactly one plan. */
export function decideRecovery(obs: Observation): RecoveryPlan {
  const probe = nextCheck(obs);
  if (probe) return plans.incomplete(probe);
  const s = obs.status;
  if (s.kind === 'unreachable') return plans.unreachable(s.message);
  const limited = rateLimited(obs);
  if (limited) return plans.rateLimited(limited.retryAfterMs);
  if (s.kind === 'ok' && !s.initialized) return plans.notInitialized();
  if (isLocked(s)) {
    const key = usableKey(obs);
    return key
      ? plans.unlockThenRediagnose(key, obs)
      : restoreOrRefused(obs.held.old ? 'no_key_works' : 'no_old_key', obs);
  }
  const halfState = s.kind === 'server_error' || obs.settings.kind === 'unreadable';
  const v = verifierKey(obs);
  if (halfState) {
    if (v === 'new') {
      const tried = obs.capabilities.identicalRotate;
      if (tried === 'untested') return plans.runbookRetry();
      return plans.restore(tried === 'refused' ? 'identical_rotate_refused' : 'identical_rotate_failed', obs);
    }
    if (v === 'old') return plans.restore('blob_unreadable', obs);
    if (obs.held.old && obs.keys.old.kind !== 'wrong_key') return plans.revertToOld(obs);
    return restoreOrRefused(obs.held.old ? 'no_key_works' : 'no_old_key', obs);
  }
  if (v === 'new') return plans.nothingToDo();
  if (v === 'old') return plans.stillOnOld();
  return plans.unknownKey(obs);
}

/**
 * "No key works" after the verifier refused a key the operator gave: the first thing to
 * say is that those keys do not open the server (a typo, the wrong entry), not "restore".
 * A key refused is no proof the server is lost; the restore path follows as a last resort.
 */
function restoreOrRefused(reason: 'no_key_works' | 'no_old_key', obs: Observation): RecoveryPlan {
  const refused = (['new', 'old'] as const).filter((k) => obs.held[k] && obs.keys[k].kind === 'wrong_key');
  return refused.length > 0 ? plans.keysRefused(refused, obs) : plans.restore(reason, obs);
}
