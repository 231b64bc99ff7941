import { ApiError, type KeyStatus, type PikaClient, type ServerInfo } from '../api/types.js';

/**
 * What one node looks like from outside.
 * - off: encryption not initialized (plaintext-at-rest mode; the server serves normally)
 * - locked / unlocked: as key/status says
 * - unreadable: key/status answered 500: the sealed settings do not decrypt under the live key
 *   (a half-finished rotation); only `recover-rotation` helps
 * - unreachable: nothing answered (yet): refused, reset, timeout, cluster "no leader"
 */
export type NodeState = 'off' | 'locked' | 'unlocked' | 'unreadable' | 'unreachable';

export interface NodeObservation {
  state: NodeState;
  status?: KeyStatus;
  /** The error behind unreadable/unreachable. */
  error?: ApiError;
}

/**
 * Kinds a waiting loop may wait through: nothing answered, or something in front of Pika
 * (a gateway's 5xx/429, the cluster layer's "no leader") answered for it. Everything
 * else (TLS, not Pika, auth, usage) is final.
 */
const WAITABLE = new Set(['unreachable', 'timeout', 'connection_lost', 'cluster', 'gateway']);

export function stateOf(status: KeyStatus): NodeState {
  if (!status.initialized) return 'off';
  return status.unlocked ? 'unlocked' : 'locked';
}

/**
 * The one reading of a failed GET key/status, for status, unlock, lock, the fleet code
 * and recover-rotation's diagnosis alike:
 * - locked: the lock gate's 503 (X-Pika-Locked / server_locked; seen through proxies and
 *   older builds that gate key/status too): the server is up and locked
 * - unreadable: Pika's own 500 (its JSON error shape): the settings do not decrypt
 * - unreachable: nothing answered, or a gateway / the cluster layer answered for Pika
 *   (also Pika's own other 5xx such as a 503 "try later"): worth waiting through
 * - undefined: final (TLS, not Pika, …): the caller throws it
 */
export function keyStatusErrorState(err: ApiError): 'locked' | 'unreadable' | 'unreachable' | undefined {
  if (err.kind === 'locked') return 'locked';
  if (err.kind === 'server_error') return err.status === 500 ? 'unreadable' : 'unreachable';
  return WAITABLE.has(err.kind) ? 'unreachable' : undefined;
}

/** GET key/status and classify. Throws only for errors that waiting cannot fix. */
export async function observeNode(client: PikaClient, signal?: AbortSignal): Promise<NodeObservation> {
  try {
    const status = await client.keyStatus(signal);
    return { state: stateOf(status), status };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const state = keyStatusErrorState(err);
    if (state === undefined) throw err;
    // A gated key/status still says what it knows: initialized (the gate is on) and locked.
    return state === 'locked' ? { state, status: { initialized: true, unlocked: false } } : { state, error: err };
  }
}

export type WaitCondition = 'reachable' | 'initialized' | 'locked' | 'unlocked';
export const WAIT_CONDITIONS: readonly WaitCondition[] = ['unlocked', 'locked', 'initialized', 'reachable'];

/** `unlocked` means "serves requests": unlocked, or encryption off (nothing to unlock). */
export function meets(probe: NodeObservation, cond: WaitCondition): boolean {
  switch (cond) {
    case 'reachable':
      return probe.state !== 'unreachable';
    case 'initialized':
      return probe.state === 'locked' || probe.state === 'unlocked' || probe.state === 'unreadable';
    case 'locked':
      return probe.state === 'locked';
    case 'unlocked':
      return probe.state === 'unlocked' || probe.state === 'off';
  }
}

/** info is best-effort decoration (name, version): never fails a status check by itself. */
export async function tryInfo(client: PikaClient, signal?: AbortSignal): Promise<ServerInfo | undefined> {
  try {
    return await client.info(signal);
  } catch {
    return undefined;
  }
}

/**
 * One observation as a waiting line and its tally name it ("the gateway answered 502",
 * "the server was locked"): what was seen, not what it means.
 */
export function describeNode(p: NodeObservation): string {
  switch (p.state) {
    case 'unlocked':
      return 'the server was unlocked';
    case 'locked':
      return 'the server was locked';
    case 'off':
      return 'encryption was off';
    case 'unreadable':
      return `Pika answered ${p.error?.status ?? 500} (settings unreadable)`;
    case 'unreachable':
      return describeUnreachable(p.error);
  }
}

function describeUnreachable(e: ApiError | undefined): string {
  switch (e?.kind) {
    case 'gateway':
      return `the gateway answered ${e.status ?? '5xx'}`;
    case 'cluster':
      return `the cluster layer answered ${e.status ?? '5xx'}`;
    case 'server_error':
      return `Pika answered ${e.status ?? '5xx'}`;
    case 'timeout':
      return 'no answer came in time';
    case 'connection_lost':
      return 'the connection dropped';
    case 'unreachable': {
      const code = /\(([A-Z][A-Z_]+)\)$/.exec(e.message)?.[1];
      return code ? `nothing answered (${code})` : 'nothing answered';
    }
    default:
      return 'nothing answered';
  }
}
