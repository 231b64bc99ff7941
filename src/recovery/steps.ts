import { ApiError, type PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import { sendChange } from '../outcome.js';
import { rotationUncertainty } from '../ops/rotation.js';
import { CliError } from '../errors.js';
import {
  recordObservation,
  type KeyRole,
  type Observation,
  type RecoveryAction,
  type RecoveryPlan,
} from './decision.js';
import type { Secret } from '../secrets/secret.js';
import { observeSettings, observeStatus, observeKey } from './diagnose.js';
import type { CheckResult, Step, VerifyResult } from '../playbooks/types.js';

/**
 * The recovery plan's actions as playbook steps. `check` reads only key/status and
 * the settings (it never sends a key); `run` does the one call and folds what it
 * learned into the shared Observation (recordObservation), so the command can diagnose
 * again from it; `verify` says done, or "replan" when the result changes the plan
 * (a refused key, a 400), which is information, not a failure.
 */

export interface RecoveryState {
  client: PikaClient;
  /** Empty in --plan mode (no secret is read there); `held` says which keys a real run has. */
  keys: Partial<Record<KeyRole, Secret>>;
  held: Record<KeyRole, boolean>;
  /** Updated by every run(); read by the command after the playbook. */
  obs: Observation;
  signal?: AbortSignal;
  /** The server, for the outcome of a state change whose answer is lost (maybe done, exit 8). */
  server?: ServerUrl;
  /** What each step's run() saw, for its verify(): step id → replan reason (absent: it worked). */
  outcome: Map<string, string>;
}

type Live = 'locked' | 'healthy' | 'broken' | 'off';

/** The server as it is now. Unreachable is an error: no step can be checked. */
async function live(c: RecoveryState): Promise<Live> {
  const s = await observeStatus(c.client, c.signal);
  if (s.kind === 'unreachable') {
    throw new CliError(`cannot reach ${c.client.server.id}: ${s.message}`, { code: 'unreachable' });
  }
  if (s.kind === 'locked') return 'locked';
  if (s.kind === 'server_error') return 'broken';
  if (s.kind !== 'ok') throw new Error(`unexpected status probe ${s.kind}`);
  if (!s.initialized) return 'off';
  if (!s.unlocked) return 'locked';
  const st = await observeSettings(c.client, c.signal);
  if (st === 'locked') return 'locked';
  return st.kind === 'readable' ? 'healthy' : 'broken';
}

const OFF: CheckResult = {
  blocked: 'encryption is not initialized on this server',
  hint: 'There is no rotation to recover.',
};
const BROKEN_UNLOCK: CheckResult = {
  blocked: 'the key in memory cannot open the settings, so the server answers 500 to every unlock: lock first',
  hint: 'Lock it (pikactl lock), or restart it.',
};
const missing = (k: KeyRole): CheckResult => ({
  blocked: `the ${k} key was not supplied`,
  hint: `Pass --${k}-key-from SPEC.`,
});

function lockStep(): Step<RecoveryState> {
  return {
    id: 'lock',
    title: 'lock the server',
    explain: 'drops the key from memory: every user gets 503 until the unlock that follows. Nothing on disk changes.',
    severity: 'severe',
    async check(c) {
      const s = await live(c);
      // Healthy: an earlier run already got past the lock (resume): locking again would only cut users off.
      if (s === 'locked' || s === 'healthy') return 'done';
      return s === 'off' ? OFF : 'pending';
    },
    async run(c) {
      const lock = () => c.client.lock(c.signal);
      try {
        // A lock whose answer is lost may have locked the server: maybe done (exit 8), like `pikactl lock`.
        await (c.server ? sendChange({ op: 'lock', server: c.server }, lock) : lock());
      } catch (err) {
        if (!(err instanceof ApiError && err.kind === 'locked')) throw err;
      }
      c.obs = recordObservation(c.obs, { kind: 'lock', result: 'done' });
    },
    async verify(c) {
      const s = await observeStatus(c.client, c.signal);
      c.obs = recordObservation(c.obs, { kind: 'status', result: s });
      return s.kind === 'locked' || (s.kind === 'ok' && !s.unlocked)
        ? true
        : { failed: 'the server does not report locked' };
    },
  };
}

function unlockStep(key: KeyRole): Step<RecoveryState> {
  const id = `unlock-${key}`;
  return {
    id,
    title: `unlock with the ${key} key`,
    explain: `sends the ${key} key once. If the verifier refuses it, nothing changes (it counts toward the unlock rate limit and is never retried).`,
    severity: 'normal',
    async check(c) {
      if (!c.held[key]) return missing(key);
      if (c.obs.keys[key].kind === 'wrong_key')
        return { blocked: `the verifier already refused the ${key} key in this run` };
      const s = await live(c);
      if (s === 'healthy') return 'done';
      if (s === 'broken') return BROKEN_UNLOCK;
      return s === 'off' ? OFF : 'pending';
    },
    async run(c) {
      const r = await observeKey(c.client, c.keys[key]!, c.signal);
      c.obs = recordObservation(c.obs, { kind: 'unlock', key, result: r });
      if (r.kind === 'wrong_key') c.outcome.set(id, `the verifier refused the ${key} key; it will not be sent again`);
      else if (r.kind === 'rate_limited') c.outcome.set(id, 'the server is rate-limiting unlock attempts (429)');
      else if (r.kind === 'error') c.outcome.set(id, `no verdict about the ${key} key: ${r.message}`);
    },
    async verify(c) {
      const why = c.outcome.get(id);
      if (why) return { replan: why };
      const s = await observeStatus(c.client, c.signal);
      // 500 after the unlock is a finding for the next step (the settings check), not a failed unlock.
      return s.kind === 'locked' || (s.kind === 'ok' && !s.unlocked)
        ? { failed: 'the server still reports locked' }
        : true;
    },
  };
}

function checkSettingsStep(): Step<RecoveryState> {
  return {
    id: 'check-settings',
    title: 'check that the settings open',
    explain: 'reads the settings (a GET): the sealed secrets open under the live key, or the server answers 500.',
    severity: 'safe',
    async check(c) {
      const s = await live(c);
      if (s === 'locked')
        return { blocked: 'the server is locked: there is no live key to check', hint: 'Unlock it first.' };
      return s === 'off' ? OFF : 'pending';
    },
    async run(c) {
      const r = await observeSettings(c.client, c.signal);
      c.obs =
        r === 'locked'
          ? recordObservation(c.obs, { kind: 'status', result: { kind: 'locked' } })
          : recordObservation(c.obs, { kind: 'settings', result: r });
    },
    async verify(c): Promise<VerifyResult> {
      const st = c.obs.settings;
      if (st.kind === 'readable') return true;
      if (st.kind === 'unreadable')
        return { replan: `the sealed settings do not open under the live key (${st.status} ${st.message})` };
      return { replan: 'the server is locked' };
    },
  };
}

function rotateStep(from: KeyRole, to: KeyRole, optional: boolean): Step<RecoveryState> {
  const identical = from === to;
  const id = identical ? 'rotate-retry' : 'rotate';
  return {
    id,
    title: identical
      ? "retry the rotation with the new key as both keys (the runbook's fix)"
      : `rotate from the ${from} key to the ${to} key`,
    explain: identical
      ? 're-seals the secrets under the new key, if this server accepts identical keys; current Pika refuses them with 400 (nothing changes then).'
      : 'the server re-seals its settings under the new key; the next restart needs the NEW key.',
    severity: 'severe',
    optional,
    async check(c) {
      if (!c.held[from]) return missing(from);
      if (!c.held[to]) return missing(to);
      if (!identical && c.obs.keys[to].kind === 'accepted' && c.obs.keys[from].kind === 'wrong_key') return 'done';
      const s = await live(c);
      if (s === 'off') return OFF;
      if (s === 'locked')
        return {
          blocked: 'the server is locked: rotate does not pass the lock gate',
          hint: `Unlock it with the ${from} key first.`,
        };
      if (identical) return s === 'healthy' ? 'done' : 'pending';
      return s === 'broken'
        ? { blocked: 'the key in memory cannot open the settings, so a rotation answers 500' }
        : 'pending';
    },
    async run(c) {
      const res = await sendRotate(c.client, c.keys[from]!, c.keys[to]!, c.signal);
      if (res.kind === 'ok') {
        c.obs = recordObservation(c.obs, { kind: 'rotate', from, to, result: 'succeeded' });
        return;
      }
      // A 500 or a lost answer: it may or may not have been applied (recordObservation forgets what is stale).
      c.obs = recordObservation(c.obs, { kind: 'rotate', from, to, result: res.uncertain ? 'uncertain' : res.kind });
      if (res.wrongKey) c.obs = recordObservation(c.obs, { kind: 'unlock', key: from, result: { kind: 'wrong_key' } });
      c.outcome.set(id, res.why);
    },
    async verify(c) {
      const why = c.outcome.get(id);
      if (why) return { replan: why };
      const s = await live(c);
      return s === 'healthy'
        ? true
        : { replan: `after the rotation the server is ${s === 'broken' ? 'unable to open its settings' : s}` };
    },
  };
}

type RotateResult =
  | { kind: 'ok' }
  | { kind: 'refused' | 'failed'; why: string; wrongKey?: boolean; uncertain?: boolean };

/** One rotate call; outcomes that say something about the server are values, the rest (auth, TLS) is thrown. */
export async function sendRotate(
  client: PikaClient,
  from: Secret,
  to: Secret,
  signal?: AbortSignal,
): Promise<RotateResult> {
  try {
    await client.rotate(from, to, signal);
    return { kind: 'ok' };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const uncertain = rotationUncertainty(err);
    if (uncertain) return { kind: 'failed', why: uncertain, uncertain: true };
    const said = err.serverMessage ?? err.message;
    switch (err.kind) {
      case 'bad_request':
        return { kind: 'refused', why: `the server refused the rotation with ${err.status ?? 400}: ${said}` };
      case 'wrong_key':
        return { kind: 'failed', why: `the verifier refused the current key (${said})`, wrongKey: true };
      default:
        throw err;
    }
  }
}

function stepFor(a: RecoveryAction): Step<RecoveryState> | null {
  switch (a.kind) {
    case 'lock':
      return lockStep();
    case 'unlock':
      return unlockStep(a.key);
    case 'check_settings':
      return checkSettingsStep();
    case 'rotate':
      return rotateStep(a.from, a.to, a.optional);
    default:
      // rediagnose: the command does that after every run; wait and manual: instructions, never run.
      return null;
  }
}

/** Plans pikactl carries out. The others (restore, unknown key…) end the command with instructions. */
export const RUNNABLE: ReadonlySet<RecoveryPlan['code']> = new Set([
  'runbook_retry',
  'revert_to_old',
  'still_on_old_key',
  'unlock_then_rediagnose',
]);

/** The steps of a runnable plan; `offerRotation: false` drops the optional re-rotation (offered once per run). */
export function recoverySteps(plan: RecoveryPlan, opts: { offerRotation: boolean }): Step<RecoveryState>[] {
  if (!RUNNABLE.has(plan.code)) return [];
  return plan.actions
    .filter((a) => !(a.kind === 'rotate' && a.optional && !opts.offerRotation))
    .map(stepFor)
    .filter((s): s is Step<RecoveryState> => s !== null);
}
