import type { ServerResponse } from 'node:http';
import type { WatchEvent, KubeWorld } from './world.js';

/**
 * `?watch=true` on a pods or secrets list: newline-delimited {type, object} events, as
 * the API server streams them. Without a resourceVersion (or "0") the current objects
 * come first as ADDED; with one, the events after it are replayed from a short history
 * (older than that: 410 Gone, and the client lists again). Ends after timeoutSeconds.
 */
const HISTORY = 500;

export class WatchHistory {
  private readonly past: WatchEvent[] = [];

  constructor(world: KubeWorld) {
    world.events.on('change', (e) => {
      this.past.push(e);
      if (this.past.length > HISTORY) this.past.shift();
    });
  }

  /** Events after rv, or undefined when rv is older than the history holds. */
  since(rv: number, current: number): WatchEvent[] | undefined {
    const first = this.past[0]
      ? Number((this.past[0].object.metadata as { resourceVersion: string }).resourceVersion)
      : current + 1;
    if (this.past.length === HISTORY && rv < first - 1) return undefined;
    return this.past.filter((e) => Number((e.object.metadata as { resourceVersion: string }).resourceVersion) > rv);
  }
}

export class WatchReply {
  constructor(
    readonly resource: 'pods' | 'secrets',
    readonly initial: WatchEvent[],
    readonly match: (o: Record<string, unknown>) => boolean,
    readonly timeoutMs: number,
    /** How an object goes out (a one-row Table for `kubectl get -w`). */
    readonly render: (o: Record<string, unknown>) => unknown = (o) => o,
  ) {}

  stream(world: KubeWorld, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders(); // clients wait for the headers before they read events
    const send = (e: WatchEvent) => {
      if (e.resource === this.resource && this.match(e.object))
        res.write(`${JSON.stringify({ type: e.type, object: this.render(e.object) })}\n`);
    };
    for (const e of this.initial) send(e);
    world.events.on('change', send);
    const timer = setTimeout(() => res.end(), this.timeoutMs);
    res.on('close', () => {
      clearTimeout(timer);
      world.events.off('change', send);
    });
  }
}
