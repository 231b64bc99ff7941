import type { App } from '../app.js';
import type { Target } from './invocation.js';
import { type CliError, ExitCode } from '../../errors.js';
import { meets, observeNode, tryInfo, type NodeObservation, type WaitCondition } from '../../ops/observe.js';
import { pollUntil } from '../../ops/wait.js';
import { nextStep, type NodeReport } from '../../output/status.js';
import { targetFlags } from '../../output/target-flags.js';
import { serverText } from '../../output/server-text.js';
import type { ApiError, ServerInfo } from '../../api/types.js';
import { settingsUnreadable } from '../../ops/serving.js';
import { podColumns } from '../../kube/rows.js';

/**
 * Looking at one node, as status, unlock, init and handover all do: probe it (waiting
 * if asked), report what was seen, and the exit code a final state means.
 */

/** Exit code for a final observed state: 0 serving, 3 locked, 7 unreachable, 8 unreadable. */
export function exitCodeFor(p: NodeObservation): number {
  switch (p.state) {
    case 'unlocked':
    case 'off':
      return ExitCode.OK;
    case 'locked':
      return ExitCode.LOCKED;
    case 'unreadable':
      return ExitCode.NEEDS_RECOVERY;
    case 'unreachable':
      return ExitCode.UNREACHABLE;
  }
}

/**
 * Observes (and optionally waits on) one node. `info` adds the product name/version (status shows
 * it; others need not pay the GET). `gaveUp` says why a wait ended unmet, from what it saw.
 */
export async function observe(
  app: App,
  t: Target,
  opts: { waitMs?: number; cond: WaitCondition; info?: boolean },
): Promise<{ probe: NodeObservation; info?: ServerInfo; met: boolean; gaveUp?: string }> {
  const { ctx } = app;
  const probe = () => observeNode(t.client, ctx.signal);
  let result: NodeObservation;
  let gaveUp: string | undefined;
  if (opts.waitMs !== undefined) {
    const { watchWait } = await import('./wait-progress.js'); // only a wait reports progress
    const watch = watchWait(app, t.server.id, opts.cond, opts.waitMs);
    try {
      const seen = async () => {
        const p = await probe();
        watch.saw(p);
        return p;
      };
      const outcome = await pollUntil(seen, (p) => meets(p, opts.cond), {
        clock: ctx.clock,
        timeoutMs: opts.waitMs,
        signal: ctx.signal,
      });
      result = outcome.done ? outcome.value : outcome.last;
      if (!outcome.done) gaveUp = watch.gaveUp();
    } finally {
      watch.end();
    }
  } else {
    result = await probe();
  }
  const info = opts.info && result.state !== 'unreachable' ? await tryInfo(t.client, ctx.signal) : undefined;
  return { probe: result, info, met: meets(result, opts.cond), gaveUp };
}

export function nodeReport(t: Target, probe: NodeObservation, info?: ServerInfo): NodeReport {
  return {
    server: t.server.id,
    state: probe.state,
    ...(probe.status ? { initialized: probe.status.initialized, unlocked: probe.status.unlocked } : {}),
    ...(info ? { name: info.name, version: info.version } : {}),
    ...(probe.error ? { error: describeError(probe.error) } : {}),
    ...(nextStep(probe.state, targetFlags(t.server)) ? { next: nextStep(probe.state, targetFlags(t.server)) } : {}),
    ...(t.pod ? { pod: podColumns(t.pod) } : {}),
  };
}

function describeError(e: ApiError): string {
  const extra = e.requestId ? ` (request_id ${serverText(e.requestId, { max: 80 })})` : '';
  return `${e.serverMessage ?? e.message}${extra}`;
}

export type { NodeReport };

/** Settings that do not decrypt: only recover-rotation helps. */
export function unreadable(t: Target, p: NodeObservation): CliError {
  return settingsUnreadable(t.server, p);
}
