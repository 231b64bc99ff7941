import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, type Invocation, type Target } from './shared/invocation.js';
import { toCliError } from './shared/api-errors.js';
import { forEachNode, finishFleet, type NodeResult } from '../fleet/nodes.js';
import { notApplied } from '../fleet/ops.js';
import { observeNode } from '../ops/observe.js';
import { ApiError } from '../api/types.js';
import { CliError, ExitCode } from '../errors.js';
import { sendChange, unverified, type Change } from '../outcome.js';
import type { GlobalOptions } from '../globals.js';
import { authed } from './shared/auth-step.js';
import { confirmAction } from './shared/confirm.js';
import { targetFlags } from '../output/target-flags.js';

/** The declaration, once: LockOptions is inferred from it. */
function declareLock(program: Command) {
  return typed(program)
    .command('lock')
    .description(summary('lock'))
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .addHelpText(
      'after',
      `
Already locked is success. Every user of the server is cut off until
\`pikactl unlock\`.
Several --server flags (or a context with several servers) lock every replica,
after one confirmation; each node's own key/status is read again afterwards. In
a Pika cluster the lock runs on the leader: a follower stays unlocked until it
restarts, and is reported so.
Exit codes: 0 locked, 4 not logged in / not permitted, 6 not initialized,
7 unreachable, 8 some nodes locked and some not, or the lock may have been
applied.

Examples:
  pikactl lock --server https://pika.example:8080
  pikactl lock --yes --json
  pikactl lock --yes --context prod               # every replica`,
    );
}

export type LockOptions = OptionsOf<typeof declareLock>;

export function registerLock(program: Command, app: App, run: RunCommand<LockOptions> = runLock): void {
  app.action(declareLock(program), (opts, g, args) => run(app, g, opts, args));
}

export const runLock: RunCommand<LockOptions> = async (app, g, opts) => {
  const inv = await openInvocation(app, g);
  try {
    const before = await Promise.all(
      inv.targets.map((t) => observeNode(t.client, app.ctx.signal).catch(() => undefined)),
    );
    // Ask about every node that may get locked: unlocked or half-rotated, and also any whose
    // state is unknown yet (it may be unlocked by the time lockNode reads it again).
    const toLock = inv.targets.filter(
      (_, i) => before[i] === undefined || ['unlocked', 'unreadable', 'unreachable'].includes(before[i]!.state),
    );
    if (toLock.length > 0) {
      const list = toLock.map((t) => t.server.id).join(', ');
      await confirmAction(app, {
        yes: opts.yes,
        what: 'lock the server',
        question: `Lock ${list}? Every user is cut off until it is unlocked again.`,
      });
    }
    const results = await forEachNode(
      inv.targets,
      (t) => lockNode(app, g, inv, t),
      (t, err) => toCliError(err, t.server, 'lock'),
    );
    return await finishFleet(app, g, inv, 'lock', results, (r) =>
      r.action === 'none'
        ? `${r.server} is already locked.`
        : `Locked ${r.server}. Unlock it with: pikactl unlock ${targetFlags(r.server)}`,
    );
  } finally {
    await inv.close();
  }
};

async function lockNode(app: App, g: GlobalOptions, inv: Invocation, t: Target): Promise<NodeResult> {
  const { ctx } = app;
  const before = await observeNode(t.client, ctx.signal);
  const base = { server: t.server.id, before: before.state };
  if (before.state === 'locked') return { ...base, action: 'none', after: 'locked', exitCode: ExitCode.OK };
  if (before.state === 'off') {
    throw new CliError(`encryption is not initialized on ${t.server.id}; there is nothing to lock`, {
      code: 'not_initialized',
      hint: `To turn encryption on: pikactl init ${targetFlags(t.server)}`,
    });
  }
  if (before.state === 'unreachable') throw before.error!;
  // unlocked, or unreadable (lock reads no settings, so it works in a half-rotated state too)
  const change: Change = { op: 'lock', server: t.server };
  await authed(app, g, inv, t, 'lock', async () => {
    try {
      await sendChange(change, () => t.client.lock(ctx.signal));
    } catch (err) {
      // The lock gate answers 503 to /key/lock when the server is already locked: someone beat us to it.
      if (!(err instanceof ApiError && err.kind === 'locked')) throw err;
    }
  });
  // Re-read this node's own state: in a cluster the POST ran on the leader, not necessarily here.
  const after = await observeNode(t.client, ctx.signal).catch((err: unknown) => {
    throw unverified(change, err);
  });
  if (after.state === 'unreachable') throw unverified(change, after.error);
  if (after.state !== 'locked') {
    const error = notApplied(t.server.id, 'lock', after.state);
    return { ...base, action: 'failed', after: after.state, error, exitCode: error.exitCode };
  }
  return { ...base, action: 'locked', after: 'locked', exitCode: ExitCode.OK };
}
