import { ExitCode } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import { isLocked, type Observation, type KeyRole } from './model.js';
import type { Check, CheckInfo, RecoveryAction, RecoveryPlan, RestoreReason } from './decision.js';

/**
 * The words of the recovery decision: titles, explanations and action lines.
 * Kept apart from the decision table so recovery.ts reads as logic only.
 */

export function describeCheck(p: Check): CheckInfo {
  switch (p.kind) {
    case 'status':
      return {
        title: 'read key status',
        changesState: false,
        countsTowardRateLimit: false,
        why: 'is the server up, initialized, unlocked?',
      };
    case 'settings':
      return {
        title: 'read settings',
        changesState: false,
        countsTowardRateLimit: false,
        why: 'does the sealed settings blob open under the live key?',
      };
    case 'unlock':
      return {
        title: `try unlock with the ${p.key} key`,
        changesState: false,
        countsTowardRateLimit: true,
        why: `does the on-disk verifier accept the ${p.key} key? The right key re-verifies and changes nothing; a wrong one is refused, changes nothing, and counts toward the unlock rate limit`,
      };
    case 'lock':
      return {
        title: 'lock the server first',
        changesState: true,
        countsTowardRateLimit: false,
        why: 'while the live key cannot open the settings every unlock answers 500; after a lock, an unlock shows which key the verifier takes',
      };
  }
}

/** `flags`: how the commands in the text name the server (targetFlags), so they run as printed. */
export function describeAction(a: RecoveryAction, flags?: string): string {
  switch (a.kind) {
    case 'lock':
      return 'lock the server (drops the key from memory; nothing on disk changes)';
    case 'unlock':
      return `unlock with the ${a.key} key`;
    case 'check_settings':
      return 'read the settings and check that the sealed secrets open';
    case 'rotate': {
      const what =
        a.from === a.to
          ? `rotate with the ${a.to} key as both current and new key (the runbook's retry)`
          : `rotate from the ${a.from} key to the ${a.to} key`;
      return a.optional ? `${what} (offered; you may stop before it)` : what;
    }
    case 'rediagnose':
      return 'diagnose again';
    case 'wait':
      return a.ms === undefined ? 'wait for the rate-limit window to pass' : `wait ${formatDuration(a.ms)}`;
    case 'manual':
      return MANUAL[a.what](flags ? ` ${flags}` : '');
  }
}

const MANUAL: Record<Extract<RecoveryAction, { kind: 'manual' }>['what'], (s: string) => string> = {
  restart_server: () => 'restart the Pika process, or roll its pod (by hand: pikactl cannot restart a server)',
  restore_backup: () =>
    'restore a backup taken while you held its key (web UI, or POST /api/v1/backup), unlock with that key, then rotate to a key you keep',
  find_key: () => 'find the key the server runs on, then run pikactl recover-rotation again with it',
  check_keys: () =>
    'check the keys for a typo, or take them from the keychain (--old-key-from keychain:server-key-previous ' +
    '--new-key-from keychain:server-key-pending), then run pikactl recover-rotation again',
  check_network: (s) => `check the URL, the network and that Pika is running: pikactl status${s} --wait 2m`,
  initialize: (s) => `nothing to recover; to turn encryption on: pikactl init${s} --key-from SPEC --confirm-saved`,
};

function seen(obs: Observation): string {
  const s = obs.status;
  if (s.kind === 'server_error') return `key/status answered ${s.status} (${s.message})`;
  if (obs.settings.kind === 'unreadable')
    return `the settings answered ${obs.settings.status} (${obs.settings.message})`;
  return 'the server answered';
}

export const RESTORE_WHY: Record<RestoreReason, string> = {
  no_key_works: 'Every key you supplied was refused by the on-disk verifier.',
  no_old_key:
    'The live key cannot open the settings and the verifier does not take the new key. With the old key ' +
    '(--old-key-from) pikactl could go back to it: if you have it anywhere, run again with it first.',
  identical_rotate_refused:
    "The runbook's retry (new key as both current and new) was refused with 400: this server does not allow identical keys.",
  identical_rotate_failed: "The runbook's retry (new key as both current and new) failed as well.",
  blob_unreadable:
    'The verifier takes the old key, yet even under it the sealed settings do not open: the blob is sealed under another key, or damaged.',
};

/**
 * The restore path as it fits the server now: a locked server has no key in memory, so
 * there is nothing to restart; a locked server whose verifier refused the new key cannot
 * be unlocked with it, so only the backup is left. Built from the live observation.
 */
export function restoreActions(obs: Observation): RecoveryAction[] {
  const locked = isLocked(obs.status);
  const newRefused = obs.keys.new.kind === 'wrong_key';
  return [
    ...(locked ? [] : [{ kind: 'manual', what: 'restart_server' } as const]),
    ...(locked && newRefused ? [] : [{ kind: 'unlock', key: 'new' } as const, { kind: 'check_settings' } as const]),
    { kind: 'manual', what: 'restore_backup' },
  ];
}

function restoreSteps(obs: Observation): string {
  const locked = isLocked(obs.status);
  const first = locked
    ? obs.keys.new.kind === 'wrong_key'
      ? 'the server is locked already (no key in memory) and its verifier refused the new key, so '
      : 'the server is locked already (no key in memory); unlock it with the new key; read the settings. '
    : 'restart the server (it comes back locked, memory cleared); unlock it with the new key; read the settings. ';
  const blob =
    locked && obs.keys.new.kind === 'wrong_key'
      ? ''
      : 'All secrets sit in ONE sealed blob that opens whole or not at all: if the settings read, every secret ' +
        'is intact and you can stop there; if not, they are lost together (there is no half-garbled slot to pick out). Then ';
  return `Last resort, one step at a time: ${first}${blob}restore a backup taken under a key you hold, unlock with that key, and rotate to a key you keep.`;
}

const stop = (what: string) => `pikactl stops here; ${what}`;

export const plans = {
  incomplete: (probe: Check): RecoveryPlan => ({
    code: 'incomplete',
    probe,
    title: 'Diagnosis not finished.',
    explanation: `Next probe: ${describeCheck(probe).title} (${describeCheck(probe).why}).`,
    actions: [],
    exitCode: ExitCode.NEEDS_RECOVERY,
  }),
  nothingToDo: (): RecoveryPlan => ({
    code: 'nothing_to_do',
    title: 'Nothing to do: the server is on the new key and its settings open.',
    explanation:
      'The verifier takes the new key and the sealed settings open under the live key, so the rotation completed ' +
      '(even if its answer was lost on the way back). Keep the new key; retire the old one once no replica runs on it.',
    actions: [],
    exitCode: ExitCode.OK,
  }),
  runbookRetry: (): RecoveryPlan => ({
    code: 'runbook_retry',
    fallback: 'restore',
    title: "Half-rotated (the runbook's case): the verifier takes the new key, the secrets do not open.",
    explanation:
      'The verifier on disk was rewritten under the new key, but the sealed secrets are still under the old one. ' +
      'The upstream runbook repairs this by rotating again with the new key as both current and new key, which ' +
      're-seals the secrets. The current Pika code refuses identical keys (400 "new key must differ from old key"); ' +
      'if this server does, pikactl falls through to the restore path.',
    actions: [{ kind: 'rotate', from: 'new', to: 'new', optional: false }, { kind: 'check_settings' }],
    exitCode: ExitCode.NEEDS_RECOVERY,
  }),
  revertToOld: (obs: Observation): RecoveryPlan => ({
    code: 'revert_to_old',
    title: 'Half-rotated (the upstream case): memory holds the new key, the disk is still on the old one.',
    explanation:
      `${seen(obs)}. The current Pika code swaps the key in memory before it writes the settings row; when that ` +
      'write fails, the verifier and the secrets on disk stay under the old key while the process runs on the new ' +
      'one. Nothing on disk changed, so the fix is to go back: lock (an unlock answers 500 until the key is out of ' +
      "memory), unlock with the OLD key, check the settings open, then run the rotation again. The runbook's retry " +
      'with the new key cannot work here: the verifier refuses the new key, and identical keys are refused with 400.',
    actions: [
      { kind: 'lock' },
      { kind: 'unlock', key: 'old' },
      { kind: 'check_settings' },
      { kind: 'rotate', from: 'old', to: 'new', optional: true },
    ],
    exitCode: ExitCode.NEEDS_RECOVERY,
  }),
  stillOnOld: (): RecoveryPlan => ({
    code: 'still_on_old_key',
    title: 'The server is consistent on the OLD key: the rotation did not take (or was undone).',
    explanation:
      'The verifier refuses the new key, takes the old one, and the settings open. Either the rotation failed ' +
      'before anything changed, or the server was already brought back. Run the rotation again when ready.',
    actions: [{ kind: 'check_settings' }, { kind: 'rotate', from: 'old', to: 'new', optional: true }],
    exitCode: ExitCode.NEEDS_RECOVERY,
  }),
  unlockThenRediagnose: (key: KeyRole, obs: Observation): RecoveryPlan => ({
    code: 'unlock_then_rediagnose',
    key,
    title: `The server is locked: unlock it with the ${key} key, then look again.`,
    explanation:
      'A locked server cannot show whether its settings open. ' +
      (key === 'new'
        ? 'The new key goes first: a rotation that reached the disk put the verifier on it.'
        : obs.keys.new.kind === 'wrong_key'
          ? 'The verifier refused the new key, so the old one goes next.'
          : 'Only the old key is at hand.') +
      ' A refused key is never retried: each refusal counts toward the unlock rate limit.',
    actions: [{ kind: 'unlock', key }, { kind: 'rediagnose' }],
    exitCode: ExitCode.LOCKED,
  }),
  restore: (reason: RestoreReason, obs: Observation): RecoveryPlan => ({
    code: 'restore',
    reason,
    title: 'No key you hold brings this server back: the restore path.',
    explanation: `${obs.status.kind === 'server_error' || obs.settings.kind === 'unreadable' ? `${seen(obs)}. ` : ''}${RESTORE_WHY[reason]} ${restoreSteps(obs)}`,
    actions: restoreActions(obs),
    exitCode: ExitCode.NEEDS_RECOVERY,
  }),
  keysRefused: (refused: KeyRole[], obs: Observation): RecoveryPlan => {
    const missing = (['new', 'old'] as const).filter((k) => !obs.held[k]);
    return {
      code: 'keys_refused',
      refused,
      title: keysRefusedTitle(refused),
      explanation:
        'A refused key changes nothing on the server (it only counts toward the unlock rate limit). Check the ' +
        `${refused.length > 1 ? 'keys' : 'key'} for a typo or a wrong entry, or take them from the keychain, where ` +
        '`rotate --save-to-keychain` keeps them (--old-key-from keychain:server-key-previous, --new-key-from ' +
        'keychain:server-key-pending), and run pikactl recover-rotation again.' +
        (missing.length
          ? ` The ${missing.join(' and the ')} key was not given: with ${missing.includes('old') ? 'the old key pikactl could go back to it' : 'it pikactl could try it'}.`
          : '') +
        ` Only if no key you can find opens it: ${restoreSteps(obs)}`,
      actions: [{ kind: 'manual', what: 'check_keys' }, ...restoreActions(obs)],
      exitCode: ExitCode.WRONG_KEY,
    };
  },
  unknownKey: (obs: Observation): RecoveryPlan => {
    const refused = (['new', 'old'] as const).filter((k) => obs.keys[k].kind === 'wrong_key');
    const missing = (['new', 'old'] as const).filter((k) => !obs.held[k]);
    const parts = [
      refused.length ? `the verifier refused the ${refused.join(' and the ')} key` : '',
      missing.length ? `the ${missing.join(' and the ')} key was not supplied` : '',
    ].filter(Boolean);
    return {
      code: 'unknown_key',
      title: 'The server is healthy, but not on a key you supplied.',
      explanation:
        `The settings open, so it serves requests, but ${parts.join(', and ') || 'no key could be checked'}. ` +
        'Do NOT restart or lock it: it would come back locked on a key nobody here holds. ' +
        stop(
          'check the keys you gave for a typo, or find the key it runs on (the keychain entries: --old-key-from ' +
            'keychain:server-key-previous, --new-key-from keychain:server-key-pending), and run again with it.',
        ),
      actions: [{ kind: 'manual', what: 'find_key' }],
      exitCode: ExitCode.NEEDS_RECOVERY,
    };
  },
  notInitialized: (): RecoveryPlan => ({
    code: 'not_initialized',
    title: 'Encryption is not initialized on this server: there is no rotation to recover.',
    explanation:
      'key/status says initialized=false: no verifier exists, so no key was ever set (or the data was wiped).',
    actions: [{ kind: 'manual', what: 'initialize' }],
    exitCode: ExitCode.NOT_INITIALIZED,
  }),
  rateLimited: (retryAfterMs?: number): RecoveryPlan => ({
    code: 'rate_limited',
    retryAfterMs,
    title: 'The server is rate-limiting unlock attempts (429).',
    explanation:
      `Wait ${retryAfterMs === undefined ? 'for the window to pass (15 minutes by default)' : formatDuration(retryAfterMs)}, then run again. ` +
      'pikactl does not retry keys by itself: every refused key counts toward the limit.',
    actions: [{ kind: 'wait', ms: retryAfterMs }],
    exitCode: ExitCode.RATE_LIMITED,
  }),
  unreachable: (message: string): RecoveryPlan => ({
    code: 'unreachable',
    title: 'The server did not answer.',
    explanation: `${message}. Nothing can be diagnosed until key/status answers.`,
    actions: [{ kind: 'manual', what: 'check_network' }],
    exitCode: ExitCode.UNREACHABLE,
  }),
};

export function keysRefusedTitle(refused: KeyRole[]): string {
  return refused.length > 1
    ? 'The keys you gave do not open this server: its verifier refused both the new and the old key.'
    : `The ${refused[0]} key you gave does not open this server: its verifier refused it.`;
}
