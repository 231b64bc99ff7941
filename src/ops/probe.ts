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

export interface Probe {
  state: NodeState;
  status?: KeyStatus;
  /** The error behind unreadable/unreachable. */
  error?: ApiError;
}

/** Kinds a waiting loop may wait through. Everything else (TLS, not Pika, usage) is final. */
const WAITABLE = new Set(['unreachable', 'timeout', 'connection_lost', 'cluster', 'locked']);

export function stateOf(status: KeyStatus): NodeState {
  if (!status.initialized) return 'off';
  return status.unlocked ? 'unlocked' : 'locked';
}

/** GET key/status and classify. Throws only for errors that waiting cannot fix. */
export async function probeNode(client: PikaClient, signal?: AbortSignal): Promise<Probe> {
  try {
    const status = await client.keyStatus(signal);
    return { state: stateOf(status), status };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.kind === 'server_error') return { state: 'unreadable', error: err };
    if (WAITABLE.has(err.kind)) return { state: 'unreachable', error: err };
    throw err;
  }
}

export type WaitCondition = 'reachable' | 'initialized' | 'locked' | 'unlocked';
export const WAIT_CONDITIONS: readonly WaitCondition[] = ['unlocked', 'locked', 'initialized', 'reachable'];

/** `unlocked` means "serves requests": unlocked, or encryption off (nothing to unlock). */
export function meets(probe: Probe, cond: WaitCondition): boolean {
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
