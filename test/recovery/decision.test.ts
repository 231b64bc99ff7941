import { describe, expect, it } from 'vitest';
import {
  decideRecovery,
  describeAction,
  describeCheck,
  emptyObservation,
  nextCheck,
  recordObservation,
  type KeyObservation,
  type Observation,
  type Check,
  type RecoveryAction,
  type RecoveryCode,
  type SettingsObservation,
  type StatusObservation,
} from '../../src/recovery/decision.js';
import { ExitCode } from '../../src/errors.js';

const UNLOCKED: StatusObservation = { kind: 'ok', initialized: true, unlocked: true };
const LOCKED: StatusObservation = { kind: 'ok', initialized: true, unlocked: false };
const OFF: StatusObservation = { kind: 'ok', initialized: false, unlocked: false };
const S500: StatusObservation = {
  kind: 'server_error',
  status: 500,
  message: 'read settings: settings: sealed payload corrupt or unreadable',
};
const READABLE: SettingsObservation = { kind: 'readable' };
const UNREADABLE: SettingsObservation = {
  kind: 'unreadable',
  status: 500,
  message: 'settings: sealed payload corrupt or unreadable',
};
const OK: KeyObservation = { kind: 'accepted' };
const WRONG: KeyObservation = { kind: 'wrong_key' };
const ERR: KeyObservation = { kind: 'error', status: 500, message: 'read settings: …' };
const TRY: KeyObservation = { kind: 'not_tried' };

interface O {
  status?: StatusObservation;
  settings?: SettingsObservation;
  new?: KeyObservation;
  old?: KeyObservation;
  held?: { old: boolean; new: boolean };
  lock?: Observation['lock'];
  identical?: Observation['capabilities']['identicalRotate'];
}
function obs(o: O): Observation {
  const base = emptyObservation(o.held ?? { old: true, new: true });
  return {
    ...base,
    status: o.status ?? base.status,
    settings: o.settings ?? base.settings,
    keys: { old: o.old ?? TRY, new: o.new ?? TRY },
    lock: o.lock ?? 'not_tried',
    capabilities: { identicalRotate: o.identical ?? 'untested' },
  };
}

describe('nextCheck', () => {
  const cases: Array<[string, O, Check | null]> = [
    ['nothing known: read status first', {}, { kind: 'status' }],
    ['unreachable: nothing to probe', { status: { kind: 'unreachable', message: 'ECONNREFUSED' } }, null],
    ['not initialized: nothing to probe', { status: OFF }, null],
    ['rate limited: stop probing', { status: UNLOCKED, settings: READABLE, new: { kind: 'rate_limited' } }, null],
    ['locked: no probe, an unlock is a plan step', { status: LOCKED }, null],
    ['locked (503 on status): same', { status: { kind: 'locked' } }, null],
    ['unlocked: read settings next', { status: UNLOCKED }, { kind: 'settings' }],
    ['healthy: try the new key', { status: UNLOCKED, settings: READABLE }, { kind: 'unlock', key: 'new' }],
    ['healthy, new accepted: done', { status: UNLOCKED, settings: READABLE, new: OK }, null],
    [
      'healthy, new refused: try the old key',
      { status: UNLOCKED, settings: READABLE, new: WRONG },
      { kind: 'unlock', key: 'old' },
    ],
    [
      'healthy, new refused, old not held: done',
      { status: UNLOCKED, settings: READABLE, new: WRONG, held: { old: false, new: true } },
      null,
    ],
    ['healthy, both tried: done', { status: UNLOCKED, settings: READABLE, new: WRONG, old: WRONG }, null],
    [
      'healthy, new not held: try old',
      { status: UNLOCKED, settings: READABLE, held: { old: true, new: false } },
      { kind: 'unlock', key: 'old' },
    ],
    ['status 500 with old key held: decide (revert) without probing', { status: S500 }, null],
    ['status 500, only new key held: lock first', { status: S500, held: { old: false, new: true } }, { kind: 'lock' }],
    [
      'status 500, only new key, lock declined: stop',
      { status: S500, held: { old: false, new: true }, lock: 'declined' },
      null,
    ],
    ['status 500, no key held: stop', { status: S500, held: { old: false, new: false } }, null],
    ['status 500, verifier known: stop', { status: S500, new: OK }, null],
    [
      'settings unreadable: try new key (status answered, unlock may too)',
      { status: UNLOCKED, settings: UNREADABLE },
      { kind: 'unlock', key: 'new' },
    ],
    ['settings unreadable, new accepted: decide', { status: UNLOCKED, settings: UNREADABLE, new: OK }, null],
    [
      'settings unreadable, unlock answered 500, old held: decide',
      { status: UNLOCKED, settings: UNREADABLE, new: ERR },
      null,
    ],
    [
      'settings unreadable, unlock 500, only new held: no second try of new',
      { status: UNLOCKED, settings: UNREADABLE, new: ERR, held: { old: false, new: true } },
      null,
    ],
  ];
  it.each(cases)('%s', (_name, o, expected) => {
    expect(nextCheck(obs(o))).toEqual(expected);
  });

  it('never proposes a key that was already tried, whatever else is known', () => {
    const statuses: StatusObservation[] = [UNLOCKED, LOCKED, S500, OFF];
    const settings: SettingsObservation[] = [READABLE, UNREADABLE, { kind: 'not_probed' }];
    const keys: KeyObservation[] = [OK, WRONG, ERR, TRY, { kind: 'rate_limited' }];
    for (const status of statuses)
      for (const s of settings)
        for (const n of keys)
          for (const o of keys) {
            const p = nextCheck(obs({ status, settings: s, new: n, old: o }));
            if (p?.kind === 'unlock') expect((p.key === 'new' ? n : o).kind).toBe('not_tried');
          }
  });
});

describe('decideRecovery', () => {
  const cases: Array<[string, O, RecoveryCode, Record<string, unknown>, RecoveryAction['kind'][]]> = [
    ['probe pending', {}, 'incomplete', { probe: { kind: 'status' } }, []],
    [
      'unreachable',
      { status: { kind: 'unreachable', message: 'connect ECONNREFUSED' } },
      'unreachable',
      { exitCode: ExitCode.UNREACHABLE },
      ['manual'],
    ],
    ['not initialized', { status: OFF }, 'not_initialized', { exitCode: ExitCode.NOT_INITIALIZED }, ['manual']],
    [
      'rate limited',
      { status: UNLOCKED, settings: READABLE, new: { kind: 'rate_limited', retryAfterMs: 4000 } },
      'rate_limited',
      { retryAfterMs: 4000, exitCode: ExitCode.RATE_LIMITED },
      ['wait'],
    ],
    [
      'new on disk, settings open',
      { status: UNLOCKED, settings: READABLE, new: OK },
      'nothing_to_do',
      { exitCode: ExitCode.OK },
      [],
    ],
    [
      'runbook half-state: verifier new, secrets not',
      { status: UNLOCKED, settings: UNREADABLE, new: OK },
      'runbook_retry',
      { fallback: 'restore' },
      ['rotate', 'check_settings'],
    ],
    [
      'runbook half-state seen through status 500',
      { status: S500, new: OK },
      'runbook_retry',
      {},
      ['rotate', 'check_settings'],
    ],
    [
      'runbook retry refused with 400 → restore',
      { status: UNLOCKED, settings: UNREADABLE, new: OK, identical: 'refused' },
      'restore',
      { reason: 'identical_rotate_refused' },
      ['manual', 'unlock', 'check_settings', 'manual'],
    ],
    [
      'runbook retry failed → restore',
      { status: S500, new: OK, identical: 'failed' },
      'restore',
      { reason: 'identical_rotate_failed' },
      ['manual', 'unlock', 'check_settings', 'manual'],
    ],
    [
      'upstream half-state: status 500 while unlocked',
      { status: S500 },
      'revert_to_old',
      {},
      ['lock', 'unlock', 'check_settings', 'rotate'],
    ],
    [
      'upstream half-state: settings unreadable, new refused',
      { status: UNLOCKED, settings: UNREADABLE, new: WRONG },
      'revert_to_old',
      {},
      ['lock', 'unlock', 'check_settings', 'rotate'],
    ],
    [
      'upstream half-state: unlock itself answered 500',
      { status: UNLOCKED, settings: UNREADABLE, new: ERR },
      'revert_to_old',
      {},
      ['lock', 'unlock', 'check_settings', 'rotate'],
    ],
    [
      'half-state, old key already refused: the key first, then restart → restore',
      { status: S500, old: WRONG },
      'keys_refused',
      { refused: ['old'], exitCode: ExitCode.WRONG_KEY },
      ['manual', 'manual', 'unlock', 'check_settings', 'manual'],
    ],
    [
      'half-state, old key not held, lock declined',
      { status: S500, held: { old: false, new: true }, lock: 'declined' },
      'restore',
      { reason: 'no_old_key' },
      ['manual', 'unlock', 'check_settings', 'manual'],
    ],
    [
      'half-state, verifier takes old but blob still closed',
      { status: UNLOCKED, settings: UNREADABLE, new: WRONG, old: OK },
      'restore',
      { reason: 'blob_unreadable' },
      ['manual', 'unlock', 'check_settings', 'manual'],
    ],
    [
      'healthy on old key: rotation did not take',
      { status: UNLOCKED, settings: READABLE, new: WRONG, old: OK },
      'still_on_old_key',
      {},
      ['check_settings', 'rotate'],
    ],
    [
      'healthy, both keys refused',
      { status: UNLOCKED, settings: READABLE, new: WRONG, old: WRONG },
      'unknown_key',
      {},
      ['manual'],
    ],
    [
      'healthy, new refused, old not supplied',
      { status: UNLOCKED, settings: READABLE, new: WRONG, held: { old: false, new: true } },
      'unknown_key',
      {},
      ['manual'],
    ],
    [
      'locked after restart: new key first',
      { status: LOCKED },
      'unlock_then_rediagnose',
      { key: 'new', exitCode: ExitCode.LOCKED },
      ['unlock', 'rediagnose'],
    ],
    [
      'locked, new refused: old next',
      { status: LOCKED, new: WRONG },
      'unlock_then_rediagnose',
      { key: 'old' },
      ['unlock', 'rediagnose'],
    ],
    [
      'locked (503), only old held',
      { status: { kind: 'locked' }, held: { old: true, new: false } },
      'unlock_then_rediagnose',
      { key: 'old' },
      ['unlock', 'rediagnose'],
    ],
    [
      'locked, both refused → the keys, then only a backup (no restart)',
      { status: LOCKED, new: WRONG, old: WRONG },
      'keys_refused',
      { refused: ['new', 'old'], exitCode: ExitCode.WRONG_KEY },
      ['manual', 'manual'],
    ],
    [
      'locked, new refused, old not held → the keys',
      { status: LOCKED, new: WRONG, held: { old: false, new: true } },
      'keys_refused',
      { refused: ['new'] },
      ['manual', 'manual'],
    ],
    [
      'locked, both keys answered without a verdict → restore, no restart',
      { status: LOCKED, new: ERR, old: ERR },
      'restore',
      { reason: 'no_key_works' },
      ['unlock', 'check_settings', 'manual'],
    ],
  ];
  it.each(cases)('%s → %s', (_name, o, code, extra, actions) => {
    const plan = decideRecovery(obs(o));
    expect(plan.code).toBe(code);
    expect(plan).toMatchObject(extra);
    expect(plan.actions.map((a) => a.kind)).toEqual(actions);
    expect(plan.title.length).toBeGreaterThan(10);
    expect(plan.explanation.length).toBeGreaterThan(20);
  });

  it('revert_to_old goes back to the OLD key and only offers the new rotation', () => {
    const plan = decideRecovery(obs({ status: S500 }));
    expect(plan.actions).toEqual([
      { kind: 'lock' },
      { kind: 'unlock', key: 'old' },
      { kind: 'check_settings' },
      { kind: 'rotate', from: 'old', to: 'new', optional: true },
    ]);
    expect(plan.explanation).toContain('read settings: settings: sealed payload corrupt or unreadable');
  });

  it('runbook_retry rotates new→new and names the fall-through', () => {
    const plan = decideRecovery(obs({ status: UNLOCKED, settings: UNREADABLE, new: OK }));
    expect(plan.actions[0]).toEqual({ kind: 'rotate', from: 'new', to: 'new', optional: false });
    expect(plan.explanation).toMatch(/must differ/);
  });

  it('restore says the sealed blob opens whole or not at all', () => {
    const plan = decideRecovery(obs({ status: S500, held: { old: false, new: true }, lock: 'declined' }));
    expect(plan.explanation).toMatch(/opens whole or not at all/);
    expect(plan.actions.map((a) => describeAction(a)).join('\n')).toMatch(
      /restart.*\n.*new key\n.*sealed secrets open\n.*backup/,
    );
  });

  it('refused keys are said first, with the keychain flags; a locked server is never told to restart', () => {
    const plan = decideRecovery(obs({ status: LOCKED, new: WRONG, old: WRONG }));
    expect(plan.title).toMatch(/^The keys you gave do not open this server/);
    expect(plan.explanation).toMatch(/typo/);
    expect(plan.explanation).toContain('--old-key-from keychain:server-key-previous');
    expect(plan.explanation).toContain('--new-key-from keychain:server-key-pending');
    const words = `${plan.explanation}\n${plan.actions.map((a) => describeAction(a)).join('\n')}`;
    expect(words).not.toMatch(/restart/i);
    expect(plan.actions.map((a) => describeAction(a))[0]).toMatch(/typo/);
  });
});

describe('recordObservation', () => {
  it('an accepted unlock makes status and settings stale', () => {
    const o = recordObservation(obs({ status: UNLOCKED, settings: UNREADABLE }), {
      kind: 'unlock',
      key: 'new',
      result: OK,
    });
    expect(o.status.kind).toBe('not_probed');
    expect(o.settings.kind).toBe('not_probed');
    expect(o.keys.new).toEqual(OK);
  });
  it('a refused unlock changes nothing but the key verdict', () => {
    const before = obs({ status: UNLOCKED, settings: READABLE });
    const o = recordObservation(before, { kind: 'unlock', key: 'new', result: WRONG });
    expect(o.status).toBe(before.status);
    expect(o.keys.new).toEqual(WRONG);
  });
  it('a lock makes status stale; a declined lock is remembered', () => {
    expect(recordObservation(obs({ status: S500 }), { kind: 'lock', result: 'done' })).toMatchObject({
      lock: 'done',
      status: { kind: 'not_probed' },
    });
    expect(recordObservation(obs({ status: S500 }), { kind: 'lock', result: 'declined' })).toMatchObject({
      lock: 'declined',
      status: S500,
    });
  });
  it('a refused identical rotation is a capability, not a state change', () => {
    const o = recordObservation(obs({ status: UNLOCKED, settings: UNREADABLE, new: OK }), {
      kind: 'rotate',
      from: 'new',
      to: 'new',
      result: 'refused',
    });
    expect(o.capabilities.identicalRotate).toBe('refused');
    expect(o.settings).toEqual(UNREADABLE);
  });
  it('a successful old→new rotation moves the verifier without spending attempts', () => {
    const o = recordObservation(obs({ status: UNLOCKED, settings: READABLE, new: WRONG, old: OK }), {
      kind: 'rotate',
      from: 'old',
      to: 'new',
      result: 'succeeded',
    });
    expect(o.keys).toEqual({ new: OK, old: WRONG });
    expect(o.status.kind).toBe('not_probed');
  });
  it('an uncertain old→new rotation (500, lost answer) forgets the key verdicts and the live state', () => {
    const o = recordObservation(obs({ status: UNLOCKED, settings: READABLE, new: WRONG, old: OK }), {
      kind: 'rotate',
      from: 'old',
      to: 'new',
      result: 'uncertain',
    });
    expect(o.keys).toEqual({ new: TRY, old: TRY });
    expect([o.status.kind, o.settings.kind]).toEqual(['not_probed', 'not_probed']);
  });
  it('an uncertain identical rotation counts as failed (the runbook says: restore)', () => {
    const o = recordObservation(obs({ status: S500, new: OK }), {
      kind: 'rotate',
      from: 'new',
      to: 'new',
      result: 'uncertain',
    });
    expect(o.capabilities.identicalRotate).toBe('failed');
    expect(o.keys.new).toEqual(OK);
  });
  it('a failed old→new rotation leaves the observation alone', () => {
    const before = obs({ status: UNLOCKED, settings: READABLE, new: WRONG, old: OK });
    expect(recordObservation(before, { kind: 'rotate', from: 'old', to: 'new', result: 'failed' })).toBe(before);
  });
});

describe('describeCheck', () => {
  it('marks only the lock as changing state, only unlocks as rate-limited', () => {
    const all: Check[] = [{ kind: 'status' }, { kind: 'settings' }, { kind: 'unlock', key: 'new' }, { kind: 'lock' }];
    expect(all.map((p) => describeCheck(p).changesState)).toEqual([false, false, false, true]);
    expect(all.map((p) => describeCheck(p).countsTowardRateLimit)).toEqual([false, false, true, false]);
  });
});
