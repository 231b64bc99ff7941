import type { Command } from 'commander';
import type { App } from './app.js';
import { openSession, toCliError, type Session, type Target } from './target.js';
import { forEachNode, finishNodes, type NodeResult } from './nodes.js';
import { probeNode } from '../ops/probe.js';
import { ApiError } from '../api/types.js';
import { CliError, ExitCode } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import { authed } from './auth-step.js';
import { confirmAction } from './confirm.js';

export interface LockOptions {
  yes?: boolean;
}

export function registerLock(program: Command, app: App): void {
  const cmd = program
    .command('lock')
    .description('lock the server now: it forgets the key and answers 503 until someone unlocks it')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .addHelpText(
      'after',
      `
Already locked is success. Every user of the server is cut off until \`pikactl unlock\`.
Examples:
  pikactl lock --server https://pika.example:8080
  pikactl lock --yes --json`,
    );
  app.action<LockOptions>(cmd, async (opts, g) => {
    const session = await openSession(app, g);
    try {
      const before = await Promise.all(session.targets.map((t) => probeNode(t.client, app.ctx.signal).catch(() => undefined)));
      const toLock = session.targets.filter((_, i) => before[i]?.state === 'unlocked' || before[i]?.state === 'unreadable');
      if (toLock.length > 0) {
        const list = toLock.map((t) => t.server.id).join(', ');
        await confirmAction(app, {
          yes: opts.yes,
          what: 'lock the server',
          question: `Lock ${list}? Every user is cut off until it is unlocked again.`,
        });
      }
      const results = await forEachNode(
        session.targets,
        (t) => lockNode(app, g, session, t),
        (t, err) => toCliError(err, t.server, 'lock'),
      );
      return finishNodes(app, g, results, (r) => (r.action === 'none' ? `${r.server} is already locked.` : `Locked ${r.server}. Unlock it with: pikactl unlock`));
    } finally {
      await session.close();
    }
  });
}

async function lockNode(app: App, g: GlobalOptions, session: Session, t: Target): Promise<NodeResult> {
  const { ctx } = app;
  const before = await probeNode(t.client, ctx.signal);
  const base = { server: t.server.id, before: before.state };
  if (before.state === 'locked') return { ...base, action: 'none', after: 'locked', exitCode: ExitCode.OK };
  if (before.state === 'off') {
    throw new CliError(`encryption is not initialized on ${t.server.id}; there is nothing to lock`, {
      code: 'not_initialized',
      exitCode: ExitCode.NOT_INITIALIZED,
      hint: 'To turn encryption on: pikactl init',
    });
  }
  if (before.state === 'unreachable') throw before.error!;
  // unlocked, or unreadable (lock reads no settings, so it works in a half-rotated state too)
  await authed(app, g, session, t, 'lock', async () => {
    try {
      await t.client.lock(ctx.signal);
    } catch (err) {
      // The lock gate answers 503 to /key/lock when the server is already locked: someone beat us to it.
      if (!(err instanceof ApiError && err.kind === 'locked')) throw err;
    }
  });
  const after = await probeNode(t.client, ctx.signal);
  if (after.state !== 'locked') {
    throw new CliError(`the server answered the lock but ${t.server.id} still reports "${after.state}"`, {
      code: 'needs_recovery',
      exitCode: ExitCode.NEEDS_RECOVERY,
      hint: 'In a Pika cluster the lock is forwarded to the leader; check each replica with pikactl status.',
    });
  }
  return { ...base, action: 'locked', after: 'locked', exitCode: ExitCode.OK };
}
