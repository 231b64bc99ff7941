import type { Command } from 'commander';
import type { App } from './app.js';
import { mapApiErrors, openSession, singleTarget, type Target } from './target.js';
import { probeNode } from '../ops/probe.js';
import { ApiError } from '../api/types.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { writeJson } from '../output/json.js';
import type { Secret } from '../secrets/secret.js';
import { authed } from './auth-step.js';
import { requireSavedConfirmation, warnIfWeak } from './key-safety.js';
import { unreadable } from './unlock.js';

export interface RotateOptions {
  currentKeyFrom?: string;
  newKeyFrom?: string;
  confirmSaved?: boolean;
}

const RECOVER_HINT = 'Do not restart the server. Run: pikactl recover-rotation   (it finds out which key the server holds and repairs it)';

/** A rotation that may or may not have been applied: the only honest answer is "needs recovery". */
function mayBeHalfDone(t: Target, why: string, cause?: unknown): CliError {
  return new CliError(`the rotation on ${t.server.id} may be half done: ${why}`, {
    code: 'needs_recovery',
    exitCode: ExitCode.NEEDS_RECOVERY,
    hint: RECOVER_HINT,
    cause,
    details: cause instanceof ApiError && cause.requestId ? { request_id: cause.requestId } : undefined,
  });
}

export function registerRotate(program: Command, app: App): void {
  const cmd = program
    .command('rotate')
    .description('replace the server key: the server must be unlocked; verifies the new key afterwards')
    .option('--current-key-from <source>', 'where the current key comes from (default: prompt)')
    .option('--new-key-from <source>', 'where the new key comes from (default: asked twice on the terminal)')
    .option('--confirm-saved', 'confirm the new key is already saved in a password manager (required without a terminal)')
    .addHelpText(
      'after',
      `
The next restart needs the NEW key. If the rotation fails half way (HTTP 500, connection lost,
failed verification) pikactl exits 8 and tells you to run \`pikactl recover-rotation\`.
Exit codes: 0 rotated and verified, 3 locked, 5 current key wrong, 6 not initialized, 8 needs recovery.

Example:
  pikactl rotate --current-key-from keychain --new-key-from cmd:"pass show pika/new-key" --confirm-saved`,
    );
  app.action<RotateOptions>(cmd, async (opts, g) => {
    const { ctx } = app;
    const session = await openSession(app, g, [
      { flag: '--current-key-from', spec: opts.currentKeyFrom },
      { flag: '--new-key-from', spec: opts.newKeyFrom },
    ]);
    try {
      const t = singleTarget(session, 'rotate');
      return await mapApiErrors(t.server, 'rotate', async () => {
        const before = await probeNode(t.client, ctx.signal);
        if (before.state === 'unreachable') throw before.error!;
        if (before.state === 'unreadable') throw unreadable(t, before);
        if (before.state === 'off') {
          throw new CliError(`encryption is not initialized on ${t.server.id}; there is no key to rotate`, { code: 'not_initialized', exitCode: ExitCode.NOT_INITIALIZED, hint: 'pikactl init' });
        }
        if (before.state === 'locked') {
          throw new CliError(`${t.server.id} is locked; rotation needs an unlocked server`, { code: 'locked', exitCode: ExitCode.LOCKED, hint: 'pikactl unlock, then pikactl rotate' });
        }
        await authed(app, g, session, t, 'rotate', async () => {
          const current = await session.secrets.read({ spec: opts.currentKeyFrom ?? session.conn.keyFrom, flag: '--current-key-from', label: 'current server key', keychainDefault: 'server-key' });
          const next = await session.secrets.read({ spec: opts.newKeyFrom, flag: '--new-key-from', label: 'new server key', confirm: true });
          if (next.equals(current)) throw usageError('the new key must differ from the current key');
          warnIfWeak(app, next);
          await requireSavedConfirmation(app, opts.confirmSaved, t.server.id);
          await sendRotate(t, current, next, ctx.signal);
          await verifyRotation(t, next, ctx.signal);
        });
        if (g.json) writeJson(ctx.io, { ok: true, server: t.server.id, action: 'rotated', state: 'unlocked', verified: true, exit_code: 0 });
        else ctx.io.stdout.write(`Rotated the key of ${t.server.id} and verified it. The next restart needs the NEW key.\n`);
        return ExitCode.OK;
      });
    } finally {
      await session.close();
    }
  });
}

async function sendRotate(t: Target, current: Secret, next: Secret, signal?: AbortSignal): Promise<void> {
  try {
    await t.client.rotate(current, next, signal);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    switch (err.kind) {
      case 'wrong_key':
        throw new CliError('the server rejected the current key; nothing was changed', { code: 'wrong_key', exitCode: ExitCode.WRONG_KEY, hint: 'Check --current-key-from (the key the server was last unlocked with).' });
      case 'server_error':
        throw mayBeHalfDone(t, `the server answered ${err.status}: ${err.serverMessage ?? 'internal error'}${err.requestId ? ` (request_id ${err.requestId})` : ''}`, err);
      case 'connection_lost':
      case 'timeout':
        throw mayBeHalfDone(t, 'the connection was lost before the server answered', err);
      default:
        throw err;
    }
  }
}

/** Status still unlocked, settings still readable, and the verifier accepts the NEW key. */
async function verifyRotation(t: Target, next: Secret, signal?: AbortSignal): Promise<void> {
  try {
    const after = await probeNode(t.client, signal);
    if (after.state !== 'unlocked') throw mayBeHalfDone(t, `after the rotation the server reports "${after.state}"`, after.error);
    await t.client.settings(signal);
    await t.client.unlock(next, signal);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof ApiError) throw mayBeHalfDone(t, `verification failed: ${err.serverMessage ?? err.message}`, err);
    throw err;
  }
}
