import type { Command } from 'commander';
import type { App } from './app.js';
import { openSession, toCliError, type Session, type Target } from './target.js';
import { forEachNode, finishNodes, type NodeResult } from './nodes.js';
import { observe } from './status.js';
import { probeNode, type Probe } from '../ops/probe.js';
import { CliError, ExitCode } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import type { GlobalOptions } from '../globals.js';
import { authed } from './auth-step.js';

export interface UnlockOptions {
  keyFrom?: string;
  wait?: string;
}

export function registerUnlock(program: Command, app: App): void {
  const cmd = program
    .command('unlock')
    .description('unlock the server after a restart: waits for it if asked, sends the key, verifies it is unlocked')
    .option('--key-from <source>', 'where the server key comes from (prompt, -, file:PATH, env:NAME, keychain[:NAME], cmd:COMMAND)')
    .option('--wait <duration>', 'first wait this long for the server to come up (connection refused is waited through)')
    .addHelpText(
      'after',
      `
Already unlocked is success (exit 0) and needs neither key nor login.
Exit codes: 0 unlocked, 4 not logged in / not permitted, 5 wrong key, 6 not initialized,
7 unreachable, 8 some nodes unlocked and some not, 9 rate limited.

Examples:
  pikactl unlock --server https://pika.example:8080
  PIKA_SESSION=... pikactl unlock --key-from env:PIKA_KEY --wait 5m      # CI after a restart`,
    );
  app.action<UnlockOptions>(cmd, async (opts, g) => {
    const waitMs = opts.wait === undefined ? undefined : parseDuration(opts.wait, '--wait');
    const session = await openSession(app, g, [{ flag: '--key-from', spec: opts.keyFrom }]);
    try {
      const results = await forEachNode(
        session.targets,
        (t) => unlockNode(app, g, session, t, { keyFrom: opts.keyFrom ?? session.conn.keyFrom, waitMs }),
        (t, err) => toCliError(err, t.server, 'unlock'),
      );
      return finishNodes(app, g, results, (r) =>
        r.action === 'none' ? `${r.server} is already unlocked; nothing to do.` : `Unlocked ${r.server}.`,
      );
    } finally {
      await session.close();
    }
  });
}

async function unlockNode(app: App, g: GlobalOptions, session: Session, t: Target, opts: { keyFrom?: string; waitMs?: number }): Promise<NodeResult> {
  const { ctx } = app;
  const { probe: before } = await observe(app, t, { waitMs: opts.waitMs, cond: 'reachable' });
  const base = { server: t.server.id, before: before.state };
  switch (before.state) {
    case 'unlocked':
      return { ...base, action: 'none', after: 'unlocked', exitCode: ExitCode.OK };
    case 'off':
      throw new CliError(`encryption is not initialized on ${t.server.id}; there is nothing to unlock`, {
        code: 'not_initialized',
        exitCode: ExitCode.NOT_INITIALIZED,
        hint: 'To turn encryption on: pikactl init',
      });
    case 'unreadable':
      throw unreadable(t, before);
    case 'unreachable':
      throw before.error!;
    case 'locked':
      break;
  }
  await authed(app, g, session, t, 'unlock', async () => {
    const key = await session.secrets.read({ spec: opts.keyFrom, flag: '--key-from', label: 'server key', keychainDefault: 'server-key' });
    await t.client.unlock(key, ctx.signal);
  });
  const after = await probeNode(t.client, ctx.signal);
  if (after.state !== 'unlocked') {
    throw new CliError(`the server accepted the key but ${t.server.id} still reports "${after.state}"`, {
      code: 'needs_recovery',
      exitCode: ExitCode.NEEDS_RECOVERY,
      hint: 'In a Pika cluster every POST is forwarded to the leader, so this replica may be a follower: unlock it by restarting it with encryption.password, or check `pikactl status` on each replica.',
      details: { after: after.state },
    });
  }
  return { ...base, action: 'unlocked', after: 'unlocked', exitCode: ExitCode.OK };
}

export function unreadable(t: Target, p: Probe): CliError {
  return new CliError(`${t.server.id} cannot read its own settings (${p.error?.serverMessage ?? 'HTTP 500'})`, {
    code: 'needs_recovery',
    exitCode: ExitCode.NEEDS_RECOVERY,
    hint: 'A rotation was probably left half done: pikactl recover-rotation',
    details: p.error?.requestId ? { request_id: p.error.requestId } : undefined,
  });
}
