import type { App } from '../app.js';
import type { Spinner } from '../../io/types.js';
import { describeNode, type NodeObservation, type WaitCondition } from '../../ops/observe.js';
import { Tally } from '../../ops/wait.js';
import { formatDuration } from '../../util/duration.js';

/** Without a terminal, a --wait prints one progress line this often (a CI log shows the wait is alive). */
export const PROGRESS_EVERY_MS = 15_000;

/** One node's part of a wait: what it saw, and the line that says why the wait gave up. */
export interface NodeWait {
  readonly tally: Tally;
  /** Records one answer (the status line shows it; a progress line is printed when one is due). */
  saw(p: NodeObservation): void;
  /** "gave up after 5m waiting for https://… to be unlocked: the gateway answered 502 38 times". */
  gaveUp(): string;
  end(): void;
}

interface NodeEntry {
  server: string;
  tally: Tally;
  startedAt: number;
  limitMs: number;
  lastLineAt: number;
}

/**
 * One status line per invocation however many nodes wait at once (several spinners on
 * one terminal overwrite each other). Elapsed time comes from the injected clock.
 */
interface Shared {
  cond: WaitCondition;
  nodes: Map<string, NodeEntry>;
  spinner?: Spinner;
  ticker?: ReturnType<typeof setInterval>;
}
const shared = new WeakMap<App, Shared>();

export function watchWait(app: App, server: string, cond: WaitCondition, limitMs: number): NodeWait {
  const { io, clock } = app.ctx;
  let s = shared.get(app);
  if (!s) {
    s = { cond, nodes: new Map() };
    shared.set(app, s);
  }
  const state = s;
  const now = clock.now();
  const entry: NodeEntry = { server, tally: new Tally(), startedAt: now, limitMs, lastLineAt: now };
  state.nodes.set(server, entry);

  const elapsed = (e: NodeEntry) =>
    `${formatDuration(Math.max(0, clock.now() - e.startedAt))} of ${formatDuration(e.limitMs)}`;
  const label = (): string => {
    const all = [...state.nodes.values()];
    const e = all[all.length - 1];
    const what =
      all.length === 1
        ? `waiting for ${e.server} to be ${state.cond}`
        : `waiting for ${all.length} nodes to be ${state.cond}`;
    const last = e.tally.last ? `${all.length === 1 ? '' : `${e.server}: `}${e.tally.last}` : 'asking';
    return `${what} (${elapsed(e)}): ${last}`;
  };

  if (io.stderrIsTTY) {
    if (!state.spinner) {
      state.spinner = io.spinner(label());
      // Elapsed time moves between answers too; unref'd, so it never keeps the process alive.
      state.ticker = setInterval(() => state.spinner?.update(label()), 1000);
      state.ticker.unref?.();
    } else {
      state.spinner.update(label());
    }
  }

  return {
    tally: entry.tally,
    saw(p) {
      entry.tally.add(describeNode(p));
      if (state.spinner) return state.spinner.update(label());
      const t = clock.now();
      if (t - entry.lastLineAt < PROGRESS_EVERY_MS) return;
      entry.lastLineAt = t;
      io.stderr.write(
        `Still waiting for ${server} to be ${state.cond} (${elapsed(entry)}): ${entry.tally.summary()}.\n`,
      );
    },
    gaveUp: () =>
      `gave up after ${formatDuration(limitMs)} waiting for ${server} to be ${cond}: ${entry.tally.summary()}`,
    end() {
      state.nodes.delete(server);
      if (state.nodes.size > 0) return state.spinner?.update(label());
      if (state.ticker) clearInterval(state.ticker);
      state.spinner?.stop();
      shared.delete(app);
    },
  };
}
