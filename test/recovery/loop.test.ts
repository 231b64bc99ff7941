import { describe, expect, it } from 'vitest';
import {
  decideRecovery,
  emptyObservation,
  nextCheck,
  recordObservation,
  type KeyObservation,
  type KeyRole,
  type Observation,
  type RecoveryCode,
  type StatusObservation,
} from '../../src/recovery/decision.js';

/**
 * Drives the probe → decide loop the way recover-rotation will, against a tiny
 * model of the server semantics in shared/pika-api.md §3/§7 (memory key, verifier
 * key, sealed-blob key). Checks every fault ends where it should, that the loop
 * terminates, and that no key is ever refused twice.
 */
type K = KeyRole | 'other';
interface Model {
  initialized: boolean;
  mem: K | null;
  verifier: K;
  blob: K;
  /** The runbook's server allows a rotate with identical keys (sandbox fault rotate-runbook). */
  identicalAllowed: boolean;
}

const readSettingsFails = (m: Model) => m.mem !== null && m.mem !== m.blob;

function status(m: Model): StatusObservation {
  if (!m.initialized) return { kind: 'ok', initialized: false, unlocked: false };
  if (readSettingsFails(m))
    return { kind: 'server_error', status: 500, message: 'read settings: sealed payload corrupt or unreadable' };
  return { kind: 'ok', initialized: true, unlocked: m.mem !== null };
}
function unlock(m: Model, k: KeyRole): KeyObservation {
  if (readSettingsFails(m)) return { kind: 'error', status: 500, message: 'read settings: …' };
  if (m.verifier !== k) return { kind: 'wrong_key' };
  m.mem = k;
  return { kind: 'accepted' };
}
function rotate(m: Model, from: KeyRole, to: KeyRole): 'succeeded' | 'refused' | 'failed' {
  if (from === to && !m.identicalAllowed) return 'refused';
  if (readSettingsFails(m) && from !== to) return 'failed';
  if (m.verifier !== from) return 'failed';
  m.verifier = to;
  m.blob = to;
  m.mem = to;
  return 'succeeded';
}

interface Outcome {
  code: RecoveryCode;
  refusals: Record<KeyRole, number>;
  trail: string[];
  model: Model;
}

function drive(m: Model, held = { old: true, new: true }, allowLock = true): Outcome {
  let obs: Observation = emptyObservation(held);
  const refusals = { old: 0, new: 0 };
  const trail: string[] = [];
  const tryKey = (k: KeyRole) => {
    const r = unlock(m, k);
    if (r.kind === 'wrong_key') refusals[k]++;
    trail.push(`unlock ${k}: ${r.kind}`);
    obs = recordObservation(obs, { kind: 'unlock', key: k, result: r });
    return r.kind === 'accepted';
  };
  for (let i = 0; i < 30; i++) {
    const p = nextCheck(obs);
    if (p) {
      if (p.kind === 'status') obs = recordObservation(obs, { kind: 'status', result: status(m) });
      else if (p.kind === 'settings')
        obs = recordObservation(obs, {
          kind: 'settings',
          result: readSettingsFails(m) ? { kind: 'unreadable', status: 500, message: 'x' } : { kind: 'readable' },
        });
      else if (p.kind === 'unlock') tryKey(p.key);
      else {
        trail.push(allowLock ? 'lock (probe)' : 'lock declined');
        if (allowLock) m.mem = null;
        obs = recordObservation(obs, { kind: 'lock', result: allowLock ? 'done' : 'declined' });
      }
      continue;
    }
    const plan = decideRecovery(obs);
    trail.push(`plan ${plan.code}`);
    // Carry out the plans a command carries out; stop at the others, as recover-rotation does.
    if (plan.code === 'unlock_then_rediagnose') {
      tryKey(plan.key);
    } else if (plan.code === 'runbook_retry') {
      const r = rotate(m, 'new', 'new');
      obs = recordObservation(obs, { kind: 'rotate', from: 'new', to: 'new', result: r });
    } else if (plan.code === 'revert_to_old') {
      m.mem = null;
      obs = recordObservation(obs, { kind: 'lock', result: 'done' });
      if (!tryKey('old')) continue; // the step failed: rediagnose
      const r = rotate(m, 'old', 'new');
      obs = recordObservation(obs, { kind: 'rotate', from: 'old', to: 'new', result: r });
    } else if (plan.code === 'still_on_old_key') {
      const r = rotate(m, 'old', 'new');
      obs = recordObservation(obs, { kind: 'rotate', from: 'old', to: 'new', result: r });
    } else {
      return { code: plan.code, refusals, trail, model: m };
    }
  }
  throw new Error(`loop did not settle: ${trail.join(' → ')}`);
}

const model = (p: Partial<Model>): Model => ({
  initialized: true,
  mem: 'old',
  verifier: 'old',
  blob: 'old',
  identicalAllowed: false,
  ...p,
});

describe('probe → decide loop against the server model', () => {
  const cases: Array<[string, Partial<Model>, { old: boolean; new: boolean }, RecoveryCode, KeyRole | null]> = [
    [
      'upstream half-state (rotate-write) → back to old, rotated again',
      { mem: 'new' },
      { old: true, new: true },
      'nothing_to_do',
      'new',
    ],
    [
      'runbook half-state, upstream code refuses identical keys → restore',
      { mem: 'new', verifier: 'new' },
      { old: true, new: true },
      'restore',
      null,
    ],
    [
      "runbook half-state, server allows the runbook's retry → repaired",
      { mem: 'new', verifier: 'new', identicalAllowed: true },
      { old: true, new: true },
      'nothing_to_do',
      'new',
    ],
    [
      'answer lost after a complete rotation (rotate-drop)',
      { mem: 'new', verifier: 'new', blob: 'new' },
      { old: true, new: true },
      'nothing_to_do',
      'new',
    ],
    ['rotation never applied', {}, { old: true, new: true }, 'nothing_to_do', 'new'],
    ['restarted after the upstream half-state', { mem: null }, { old: true, new: true }, 'nothing_to_do', 'new'],
    [
      'restarted after a complete rotation',
      { mem: null, verifier: 'new', blob: 'new' },
      { old: true, new: true },
      'nothing_to_do',
      'new',
    ],
    [
      'upstream half-state, only the new key at hand (the verifier refuses it)',
      { mem: 'new' },
      { old: false, new: true },
      'keys_refused',
      null,
    ],
    [
      'locked on a key nobody holds',
      { mem: null, verifier: 'other', blob: 'other' },
      { old: true, new: true },
      'keys_refused',
      null,
    ],
    [
      'healthy on a key nobody holds',
      { mem: 'other', verifier: 'other', blob: 'other' },
      { old: true, new: true },
      'unknown_key',
      null,
    ],
    ['not initialized', { initialized: false, mem: null }, { old: true, new: true }, 'not_initialized', null],
  ];
  it.each(cases)('%s', (_name, start, held, code, endsOn) => {
    const out = drive(model(start), held);
    expect(out.code, out.trail.join(' → ')).toBe(code);
    expect(out.refusals.old).toBeLessThanOrEqual(1);
    expect(out.refusals.new).toBeLessThanOrEqual(1);
    if (endsOn) expect(out.model).toMatchObject({ mem: endsOn, verifier: endsOn, blob: endsOn });
  });

  it('the upstream half-state is repaired without a single refused key', () => {
    const out = drive(model({ mem: 'new' }));
    expect(out.refusals).toEqual({ old: 0, new: 0 });
    expect(out.trail[0]).toBe('plan revert_to_old');
  });

  it('a declined diagnostic lock ends at restore, and nothing was locked', () => {
    const m = model({ mem: 'new' });
    const out = drive(m, { old: false, new: true }, false);
    expect(out.code).toBe('restore');
    expect(out.trail).toContain('lock declined');
    expect(m.mem).toBe('new');
  });
});
