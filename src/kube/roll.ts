import type { PikaClient } from '../api/types.js';
import type { Clock } from '../deps.js';
import { CliError } from '../errors.js';
import { observeNode, type NodeState } from '../ops/observe.js';
import { pollUntil } from '../ops/wait.js';
import type { Secret } from '../secrets/secret.js';
import { formatDuration } from '../util/duration.js';
import type { KubeApi, PodInfo } from './types.js';
import type { PodFacts } from './targets.js';

/**
 * `pikactl roll`: restart pods one at a time and stop at the first that does not come
 * back unlocked. Per pod: delete it, wait (bounded) for its replacement (a new uid) to
 * be Running, then for the replacement's own key/status to say unlocked: by the boot
 * password, or by --key-from for the leader or a single replica (a follower cannot be
 * unlocked over HTTP: every POST runs on the leader, pika-api.md §9).
 */

export interface RollPod {
  facts: PodFacts;
  /** The pod's uid before the roll (its replacement has another). */
  uid: string;
  role?: 'leader' | 'follower';
  /** A client that reaches the replacement (a forward goes by name; direct needs its new IP). */
  client: (replacement: PodInfo) => Promise<PikaClient>;
}

export type RollEvent =
  | { event: 'deleting'; pod: string }
  | { event: 'running'; pod: string; after_ms: number }
  | { event: 'unlocking'; pod: string; by: 'key-from' }
  | { event: 'unlocked'; pod: string; after_ms: number; by: 'boot-password' | 'key-from' }
  | { event: 'stopped'; pod: string; reason: string };

export interface RollDeps {
  api: KubeApi;
  namespace: string;
  clock: Clock;
  signal?: AbortSignal;
  waitMs: number;
  /** The key for a leader or single replica that came back locked (--key-from), read only when needed. */
  key?: () => Promise<Secret>;
  /** Unlock over HTTP is allowed for this pod (it leads, or it is the only replica). */
  mayUnlock: (p: RollPod) => boolean;
  emit: (e: RollEvent) => void;
  /** What to say about going back (names KEY.previous when a boot Secret is known). */
  backHint: (p: RollPod) => string;
}

/** Pods in roll order: highest ordinal first as a StatefulSet rolls, the leader last (one election, at the end). */
export function rollOrder<T extends { facts: PodFacts; role?: string }>(pods: T[]): T[] {
  const byName = [...pods].sort((a, b) => b.facts.name.localeCompare(a.facts.name, 'en', { numeric: true }));
  return [...byName.filter((p) => p.role !== 'leader'), ...byName.filter((p) => p.role === 'leader')];
}

export async function rollPods(pods: RollPod[], d: RollDeps, done: (p: RollPod) => void): Promise<void> {
  for (const p of pods) {
    await rollOne(p, d);
    done(p);
  }
}

async function rollOne(p: RollPod, d: RollDeps): Promise<void> {
  const name = p.facts.name;
  const stop = (reason: string, code: 'locked' | 'unreachable' | 'error', extra: Record<string, unknown> = {}) => {
    d.emit({ event: 'stopped', pod: p.facts.id, reason });
    return new CliError(`roll stopped at ${p.facts.id}: ${reason}`, {
      code,
      hint: d.backHint(p),
      details: { stopped_at: p.facts.id, ...extra },
    });
  };
  d.emit({ event: 'deleting', pod: p.facts.id });
  const start = d.clock.now();
  await d.api.deletePod(d.namespace, name);
  // The replacement: same name, new uid, Running (Failed ends the wait: it will not come up by itself).
  const seen = await pollUntil(
    () => d.api.getPod(d.namespace, name),
    (x) => x !== undefined && x.uid !== p.uid && !x.terminating && (x.phase === 'Running' || x.phase === 'Failed'),
    { clock: d.clock, timeoutMs: d.waitMs, signal: d.signal, initialDelayMs: 200, maxDelayMs: 2000 },
  );
  const pod: PodInfo | undefined = seen.done ? seen.value : seen.last;
  if (!seen.done || !pod || pod.phase !== 'Running') {
    const state = !pod
      ? 'no replacement pod'
      : pod.uid === p.uid
        ? 'the old pod is still there'
        : `the replacement is ${pod.phase}`;
    throw stop(`${state} after ${formatDuration(d.clock.now() - start)}`, 'unreachable', { phase: pod?.phase ?? null });
  }
  d.emit({ event: 'running', pod: p.facts.id, after_ms: d.clock.now() - start });
  const client = await p.client(pod);
  const left = () => Math.max(0, d.waitMs - (d.clock.now() - start));
  const unlockedOrStuck = (s: NodeState) =>
    s === 'unlocked' || s === 'off' || (s === 'locked' && d.key !== undefined && d.mayUnlock(p));
  let probe = await pollUntil(
    () => observeNode(client, d.signal),
    (x) => unlockedOrStuck(x.state),
    { clock: d.clock, timeoutMs: left(), signal: d.signal, initialDelayMs: 200, maxDelayMs: 2000 },
  );
  let state = (probe.done ? probe.value : probe.last).state;
  let by: 'boot-password' | 'key-from' = 'boot-password';
  if (state === 'locked' && d.key !== undefined && d.mayUnlock(p)) {
    // The leader (or the only replica) came back locked: unlocking it over HTTP reaches it.
    d.emit({ event: 'unlocking', pod: p.facts.id, by: 'key-from' });
    const key = await d.key();
    try {
      await client.unlock(key, d.signal);
    } catch (err) {
      throw stop(
        `it came back locked and the unlock with --key-from failed: ${err instanceof Error ? err.message : String(err)}`,
        'locked',
      );
    }
    by = 'key-from';
    probe = await pollUntil(
      () => observeNode(client, d.signal),
      (x) => x.state === 'unlocked',
      { clock: d.clock, timeoutMs: Math.max(left(), 1000), signal: d.signal, initialDelayMs: 200 },
    );
    state = (probe.done ? probe.value : probe.last).state;
  }
  if (state !== 'unlocked' && state !== 'off') {
    const why =
      state === 'locked' ? 'it is Running but still locked' : `it is Running but its key/status says "${state}"`;
    throw stop(`${why} after ${formatDuration(d.clock.now() - start)}`, state === 'locked' ? 'locked' : 'unreachable', {
      state,
    });
  }
  d.emit({ event: 'unlocked', pod: p.facts.id, after_ms: d.clock.now() - start, by });
}
