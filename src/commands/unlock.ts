import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, type Invocation, type Target } from './shared/invocation.js';
import { toCliError } from './shared/api-errors.js';
import { readServerKey } from './shared/server-key.js';
import { forEachNode, finishFleet, type NodeResult } from '../fleet/nodes.js';
import { observe, unreadable } from './shared/observe.js';
import { observeNode } from '../ops/observe.js';
import { CliError, ExitCode } from '../errors.js';
import { sendChange, unverified, type Change } from '../outcome.js';
import { parseDuration } from '../util/duration.js';
import { boundRequests } from '../ops/wait.js';
import type { GlobalOptions } from '../globals.js';
import { authed } from './shared/auth-step.js';
import { ApiError } from '../api/types.js';
import type { Secret } from '../secrets/secret.js';
import { keychainEntryOf, wrongStoredKey } from '../keychain/server-key.js';
import { notApplied } from '../fleet/ops.js';
import { targetFlags } from '../output/target-flags.js';

/** The declaration, once: UnlockOptions is inferred from it. */
function declareUnlock(program: Command) {
  return typed(program)
    .command('unlock')
    .description(summary('unlock'))
    .option(
      '--key-from <source>',
      'where the server key comes from (prompt, -, file:PATH, env:NAME, keychain[:NAME], cmd:COMMAND); default: the keychain entry, else a prompt',
    )
    .option(
      '--wait <duration>',
      "wait up to this long, in all, for the server: refused connections, resets, a gateway's 5xx/429 and a cluster's 503 are waited through; wrong key, auth and TLS errors are not retried",
    )
    .addHelpText(
      'after',
      `
Already unlocked is success (exit 0) and needs neither key nor login.
Without --key-from (and no key_from in the context) the key comes from the
keychain entry "server-key:<server>" when there is one (see
\`pikactl keychain set\`), else from a hidden prompt. A stored key the server
rejects is named and not tried again (exit 5).
The login uses PIKA_SESSION, else the session of \`pikactl login\`, else
--user/--password-from.
Exit codes: 0 unlocked, 4 not logged in / not permitted, 5 wrong key, 6 not
initialized, 7 unreachable (also: a gateway in front of Pika answered 5xx/429,
or --wait ran out; stderr says what was seen), 8 some nodes unlocked and some
not (or the unlock may have been applied: no answer), 9 rate limited. --wait
bounds the whole command: each request's timeout is capped by what is left of
it.

Examples:
  pikactl unlock --server https://pika.example:8080   # key: keychain, or asked
  # CI after a restart:
  PIKA_SESSION=... pikactl unlock --key-from env:PIKA_KEY --wait 5m`,
    );
}

export type UnlockOptions = OptionsOf<typeof declareUnlock>;

export function registerUnlock(program: Command, app: App, run: RunCommand<UnlockOptions> = runUnlock): void {
  app.action(declareUnlock(program), (opts, g, args) => run(app, g, opts, args));
}

export const runUnlock: RunCommand<UnlockOptions> = async (app, g, opts) => {
  const waitMs = opts.wait === undefined ? undefined : parseDuration(opts.wait, '--wait');
  const inv = await openInvocation(app, g, [{ flag: '--key-from', spec: opts.keyFrom }]);
  boundRequests(
    inv.targets.map((t) => t.client),
    app.ctx.clock,
    waitMs,
  );
  try {
    const results = await forEachNode(
      inv.targets,
      (t, attempt) =>
        unlockNode(app, g, inv, t, { keyFrom: opts.keyFrom ?? inv.conn.keyFrom, waitMs: attempt.remainingMs }),
      (t, err) => toCliError(err, t.server, 'unlock'),
      { retryFor: waitMs, clock: app.ctx.clock, signal: app.ctx.signal },
    );
    // `return await`: the cluster check in finishFleet still needs the clients that finally closes.
    return await finishFleet(app, g, inv, 'unlock', results, (r) =>
      r.action === 'none' ? `${r.server} is already unlocked; nothing to do.` : `Unlocked ${r.server}.`,
    );
  } finally {
    await inv.close();
  }
};

async function unlockNode(
  app: App,
  g: GlobalOptions,
  inv: Invocation,
  t: Target,
  opts: { keyFrom?: string; waitMs?: number },
): Promise<NodeResult> {
  const { ctx } = app;
  const { probe: before, gaveUp } = await observe(app, t, { waitMs: opts.waitMs, cond: 'reachable' });
  const base = { server: t.server.id, before: before.state };
  switch (before.state) {
    case 'unlocked':
      return { ...base, action: 'none', after: 'unlocked', exitCode: ExitCode.OK };
    case 'off':
      throw new CliError(`encryption is not initialized on ${t.server.id}; there is nothing to unlock`, {
        code: 'not_initialized',
        hint: `To turn encryption on: pikactl init ${targetFlags(t.server)}`,
      });
    case 'unreadable':
      throw unreadable(t, before);
    case 'unreachable':
      if (!gaveUp) throw before.error!;
      throw await waitedInVain(t, before.error!, gaveUp);
    case 'locked':
      break;
  }
  // Resolved once per node: a re-login retry (307) must not print the keychain note twice.
  let key: Promise<Secret> | undefined;
  const change: Change = { op: 'unlock', server: t.server };
  await authed(app, g, inv, t, 'unlock', async () => {
    const secret = await (key ??= readServerKey(app, g, inv, t, {
      spec: opts.keyFrom,
      flag: '--key-from',
      label: 'server key',
    }));
    try {
      await sendChange(change, () => t.client.unlock(secret, ctx.signal));
    } catch (err) {
      const entry = keychainEntryOf(secret);
      if (entry && err instanceof ApiError && err.kind === 'wrong_key')
        throw wrongStoredKey(t.server, entry, 'the server key', err);
      throw err;
    }
  });
  const after = await observeNode(t.client, ctx.signal).catch((err: unknown) => {
    throw unverified(change, err);
  });
  if (after.state === 'unreachable') throw unverified(change, after.error);
  // A 200 that did not stick: in a cluster, a follower (finishFleet explains it when it can).
  if (after.state !== 'unlocked') throw notApplied(t.server.id, 'unlock', after.state);
  return { ...base, action: 'unlocked', after: 'unlocked', exitCode: ExitCode.OK };
}

/** The wait ran out with nothing (but a gateway) answering: what was waited for, how long, what was seen. */
async function waitedInVain(t: Target, last: ApiError, gaveUp: string): Promise<CliError> {
  const cli = await toCliError(last, t.server, 'unlock');
  // The ApiError stays the cause: the fleet retry rule (isTransient) looks through to it.
  return new CliError(`unlock failed: ${gaveUp}`, {
    code: cli.code,
    hint: cli.hint,
    cause: last,
    details: cli.details,
  });
}
