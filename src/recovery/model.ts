/**
 * What `recover-rotation` has seen of a server, as plain data. Pure: no IO.
 *
 * The command fills an Observation one probe at a time (nextCheck tells it which),
 * then decideRecovery turns it into a plan. recordObservation is the only way the
 * observation changes, so the "never try a key twice" rule and the "a state change
 * makes status stale" rule live in one place.
 */

/** Which of the operator's two keys: the one before the rotation, or the one it was meant to install. */
export type KeyRole = 'old' | 'new';

/** GET /api/v1/key/status. */
export type StatusObservation =
  | { kind: 'not_probed' }
  | { kind: 'ok'; initialized: boolean; unlocked: boolean }
  /** 500: the settings row did not read. Upstream, status reads settings, so a live key that does not open the sealed blob shows here. */
  | { kind: 'server_error'; status: number; message: string }
  /** 503 + X-Pika-Locked on status itself (status is allowlisted upstream; seen through proxies or older builds). */
  | { kind: 'locked' }
  | { kind: 'unreachable'; message: string };

/** GET /api/v1/settings: does the sealed blob open under the live key? */
export type SettingsObservation =
  | { kind: 'not_probed' }
  | { kind: 'readable' }
  | { kind: 'unreadable'; status: number; message: string };

/**
 * The one unlock attempt allowed per key. A wrong key is a 403 that changes nothing
 * but counts toward the per-IP unlock rate limit, so a key is never tried twice.
 */
export type KeyObservation =
  | { kind: 'not_tried' }
  | { kind: 'accepted' }
  | { kind: 'wrong_key' }
  | { kind: 'rate_limited'; retryAfterMs?: number }
  /** No verdict about the key: e.g. 500 `read settings: …` (upstream unlock reads settings first). */
  | { kind: 'error'; status?: number; message: string };

/** What a rotate with the new key as both current and new key did (the runbook's retry). */
export type IdenticalRotate =
  | 'untested'
  /** 400 "new key must differ from old key": the current upstream code. */
  | 'refused'
  /** Anything else that was not a success (500 again, 403…): the runbook says go to restore. */
  | 'failed';

export interface Observation {
  status: StatusObservation;
  settings: SettingsObservation;
  keys: Record<KeyRole, KeyObservation>;
  /** Which keys the operator supplied. A key not held is never proposed for a probe. */
  held: Record<KeyRole, boolean>;
  /** The diagnostic lock (only proposed when nothing else can tell which key the verifier takes). */
  lock: 'not_tried' | 'done' | 'declined';
  capabilities: { identicalRotate: IdenticalRotate };
}

export function emptyObservation(held: Record<KeyRole, boolean>): Observation {
  return {
    status: { kind: 'not_probed' },
    settings: { kind: 'not_probed' },
    keys: { old: { kind: 'not_tried' }, new: { kind: 'not_tried' } },
    held: { ...held },
    lock: 'not_tried',
    capabilities: { identicalRotate: 'untested' },
  };
}

/** Something learned, or done, since the observation was last updated. */
export type ObservationUpdate =
  | { kind: 'status'; result: StatusObservation }
  | { kind: 'settings'; result: SettingsObservation }
  | { kind: 'unlock'; key: KeyRole; result: KeyObservation }
  | { kind: 'lock'; result: 'done' | 'declined' }
  /** uncertain: 500 or a lost answer: it may or may not have been applied. */
  | { kind: 'rotate'; from: KeyRole; to: KeyRole; result: 'succeeded' | 'uncertain' | IdenticalRotate };

const STALE = { status: { kind: 'not_probed' }, settings: { kind: 'not_probed' } } as const;

/**
 * Returns a new observation with the update applied. Anything that may have changed
 * the live key (a lock, an accepted unlock, a rotation) makes status and settings
 * stale, so the next probe re-reads them: the server is never trusted from memory.
 */
export function recordObservation(obs: Observation, u: ObservationUpdate): Observation {
  switch (u.kind) {
    case 'status':
      return { ...obs, status: u.result };
    case 'settings':
      return { ...obs, settings: u.result };
    case 'unlock': {
      const keys = { ...obs.keys, [u.key]: u.result };
      // An accepted unlock (re)installs that key in memory: what we knew of status/settings is stale.
      return u.result.kind === 'accepted' ? { ...obs, ...STALE, keys } : { ...obs, keys };
    }
    case 'lock':
      return u.result === 'done' ? { ...obs, ...STALE, lock: 'done' } : { ...obs, lock: 'declined' };
    case 'rotate': {
      if (u.from === u.to) {
        if (u.result === 'succeeded') return { ...obs, ...STALE };
        if (u.result === 'uncertain') return { ...obs, ...STALE, capabilities: { identicalRotate: 'failed' } };
        return { ...obs, capabilities: { identicalRotate: u.result } };
      }
      if (u.result === 'uncertain') {
        // The verifier may have moved: what the keys proved was about the state before. Each may be sent once more.
        return { ...obs, ...STALE, keys: { old: { kind: 'not_tried' }, new: { kind: 'not_tried' } } };
      }
      if (u.result !== 'succeeded') return obs;
      // The verifier now takes `to` and refuses `from`: known without spending an attempt.
      return {
        ...obs,
        ...STALE,
        keys: { [u.to]: { kind: 'accepted' }, [u.from]: { kind: 'wrong_key' } } as Observation['keys'],
      };
    }
  }
}

export function isLocked(s: StatusObservation): boolean {
  return s.kind === 'locked' || (s.kind === 'ok' && s.initialized && !s.unlocked);
}

/** The key the on-disk verifier is known to accept, if an unlock proved it. */
export function verifierKey(obs: Observation): KeyRole | undefined {
  if (obs.keys.new.kind === 'accepted') return 'new';
  if (obs.keys.old.kind === 'accepted') return 'old';
  return undefined;
}

/** Held and not yet spent: the only keys a probe or plan may still try. */
export function canTry(obs: Observation, key: KeyRole): boolean {
  return obs.held[key] && obs.keys[key].kind === 'not_tried';
}

/** A key worth an unlock on a locked server: known good, or held and untried. New first. */
export function usableKey(obs: Observation): KeyRole | undefined {
  for (const k of ['new', 'old'] as const) {
    if (obs.held[k] && (obs.keys[k].kind === 'accepted' || obs.keys[k].kind === 'not_tried')) return k;
  }
  return undefined;
}

export function rateLimited(obs: Observation): { retryAfterMs?: number } | undefined {
  for (const k of ['new', 'old'] as const) {
    const p = obs.keys[k];
    if (p.kind === 'rate_limited') return { retryAfterMs: p.retryAfterMs };
  }
  return undefined;
}
