import { ApiError, type PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import { sendChange } from '../outcome.js';
import {
  decideRecovery,
  describeCheck,
  emptyObservation,
  nextCheck,
  recordObservation,
  type KeyObservation,
  type KeyRole,
  type Observation,
  type Check,
  type CheckInfo,
  type ObservationUpdate,
  type RecoveryPlan,
  type SettingsObservation,
  type StatusObservation,
} from './decision.js';
import type { Secret } from '../secrets/secret.js';
import { keyStatusErrorState } from '../ops/observe.js';

/**
 * The IO edge of the recovery decision: runs the probes nextCheck asks for against
 * a PikaClient until decideRecovery has enough. Each key is sent at most once per
 * Observation (recordObservation marks it), because every refusal counts toward the
 * server's unlock rate limit. Errors that no probe can explain (not logged in,
 * missing settings.manage, TLS, not a Pika server) are thrown for the caller to
 * turn into a CliError.
 */

export interface DiagnoseOptions {
  keys: Partial<Record<KeyRole, Secret>>;
  /** Asked before the diagnostic lock (the only probe that changes state). False records "declined". */
  confirmLock(info: CheckInfo): Promise<boolean>;
  /** Called after each probe, e.g. for a progress line or a --json event. */
  onCheck?(probe: Check, update: ObservationUpdate): void;
  /** Continue from an earlier observation (after a plan step ran), instead of starting fresh. */
  from?: Observation;
  /**
   * --plan: only the GETs (status, settings). An unlock probe may count toward the
   * rate limit and the lock changes state, so the diagnosis stops before either and
   * returns it as `skipped` (the plan is then `incomplete`).
   */
  readOnly?: boolean;
  signal?: AbortSignal;
  /** The server, for the outcome of the lock when its answer is lost (maybe done, exit 8). */
  server?: ServerUrl;
}

export interface Diagnosis {
  obs: Observation;
  plan: RecoveryPlan;
  /** readOnly only: the probe that was not sent. */
  skipped?: Check;
}

export async function diagnose(client: PikaClient, opts: DiagnoseOptions): Promise<Diagnosis> {
  let obs = opts.from ?? emptyObservation({ old: opts.keys.old !== undefined, new: opts.keys.new !== undefined });
  // Every probe either fills a not_probed slot or spends a key/lock, so the loop is short; the cap guards a bug.
  for (let i = 0; i < 12; i++) {
    const probe = nextCheck(obs);
    if (!probe) return { obs, plan: decideRecovery(obs) };
    if (opts.readOnly && (probe.kind === 'unlock' || probe.kind === 'lock'))
      return { obs, plan: decideRecovery(obs), skipped: probe };
    const update = await runCheck(client, probe, opts);
    obs = recordObservation(obs, update);
    opts.onCheck?.(probe, update);
  }
  throw new Error('diagnosis did not settle (a bug in nextCheck)');
}

async function runCheck(client: PikaClient, probe: Check, opts: DiagnoseOptions): Promise<ObservationUpdate> {
  const { signal } = opts;
  switch (probe.kind) {
    case 'status':
      return { kind: 'status', result: await observeStatus(client, signal) };
    case 'settings': {
      const r = await observeSettings(client, signal);
      // Someone locked it between our status read and now: say so, and let the decision re-plan.
      return r === 'locked' ? { kind: 'status', result: { kind: 'locked' } } : { kind: 'settings', result: r };
    }
    case 'unlock': {
      const key = opts.keys[probe.key];
      if (!key) throw new Error(`nextCheck asked for the ${probe.key} key, which was not supplied`);
      return { kind: 'unlock', key: probe.key, result: await observeKey(client, key, signal) };
    }
    case 'lock': {
      if (!(await opts.confirmLock(describeCheck(probe)))) return { kind: 'lock', result: 'declined' };
      const lock = () => client.lock(signal);
      try {
        // A lock whose answer is lost may have locked the server: maybe done (exit 8), like `pikactl lock`.
        await (opts.server ? sendChange({ op: 'lock', server: opts.server }, lock) : lock());
      } catch (err) {
        // Already locked (the gate answers 503 to lock): the goal is met.
        if (!(err instanceof ApiError && err.kind === 'locked')) throw err;
      }
      return { kind: 'lock', result: 'done' };
    }
  }
}

export async function observeStatus(client: PikaClient, signal?: AbortSignal): Promise<StatusObservation> {
  try {
    const s = await client.keyStatus(signal);
    return { kind: 'ok', initialized: s.initialized, unlocked: s.unlocked };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // One reading of key/status errors for every command (ops/observe.ts).
    const state = keyStatusErrorState(err);
    if (state === 'unreadable')
      return { kind: 'server_error', status: err.status ?? 500, message: err.serverMessage ?? err.message };
    if (state === 'locked') return { kind: 'locked' };
    if (state === 'unreachable') return { kind: 'unreachable', message: err.message };
    throw err;
  }
}

export async function observeSettings(
  client: PikaClient,
  signal?: AbortSignal,
): Promise<SettingsObservation | 'locked'> {
  try {
    await client.settings(signal);
    return { kind: 'readable' };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.kind === 'server_error')
      return { kind: 'unreadable', status: err.status ?? 500, message: err.serverMessage ?? err.message };
    if (err.kind === 'locked') return 'locked';
    throw err;
  }
}

/** One unlock. Auth problems are thrown (they say nothing about the key); a lost answer is an 'error' and is never retried. */
export async function observeKey(client: PikaClient, key: Secret, signal?: AbortSignal): Promise<KeyObservation> {
  try {
    await client.unlock(key, signal);
    return { kind: 'accepted' };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    switch (err.kind) {
      case 'wrong_key':
        return { kind: 'wrong_key' };
      case 'rate_limited':
        return { kind: 'rate_limited', retryAfterMs: err.retryAfterMs };
      case 'server_error':
      case 'bad_request':
      case 'not_initialized':
      case 'timeout':
      case 'connection_lost':
        return { kind: 'error', status: err.status, message: err.serverMessage ?? err.message };
      default:
        throw err;
    }
  }
}
