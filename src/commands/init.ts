import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, singleTarget, type Target } from './shared/invocation.js';
import { mapApiErrors } from './shared/api-errors.js';
import { observeNode } from '../ops/observe.js';
import { ApiError } from '../api/types.js';
import { CliError, ExitCode } from '../errors.js';
import { maybeDone, sendChange, unverified, type Change } from '../outcome.js';
import { writeJson } from '../output/json.js';
import { askCluster, authed } from './shared/auth-step.js';
import { requireSavedConfirmation, warnIfWeak } from './shared/key-safety.js';
import { unreadable } from './shared/observe.js';
import type { Secret } from '../secrets/secret.js';
import { openStaging, promoteOrExplain, savedText, stagedSend, type SavedKey } from '../keychain/save.js';
import { narrowToLeader } from '../kube/leader.js';
import { kubeSecretText, openKubeSecret, withKubeSecret } from '../kube/boot-secret.js';
import { targetFlags } from '../output/target-flags.js';

function alreadyInitialized(server: string, locked: boolean): CliError {
  return new CliError(`encryption is already initialized on ${server}${locked ? ' (and the server is locked)' : ''}`, {
    code: 'already_initialized',
    hint: `${locked ? `Unlock it with: pikactl unlock ${targetFlags(server)}` : `To change the key: pikactl rotate ${targetFlags(server)}`} (if an earlier init ended with exit 8, the key it sent is the server's key now)`,
  });
}

/** The declaration, once: InitOptions is inferred from it. */
function declareInit(program: Command) {
  return typed(program)
    .command('init')
    .description(summary('init'))
    .option('--key-from <source>', 'where the new key comes from (default: asked twice on the terminal)')
    .option(
      '--confirm-saved',
      'confirm the new key is already saved in a password manager (required without a terminal)',
    )
    .option('--save-to-keychain', 'also keep the new key in the OS keychain, so later unlocks need no typing')
    .option('--kube-secret <name/key>', "also write the key to the pods' boot-password Secret (KEY.pending first)")
    .addHelpText(
      'after',
      `
The server re-seals its sensitive settings under the new key and stays unlocked;
every later restart needs the key.

--save-to-keychain writes the key to the keychain entry
"server-key-pending:<server>" BEFORE it is sent (so no crash can lose it) and
renames it to "server-key:<server>" once the server confirmed it;
\`pikactl unlock\` then finds it. The keychain is not a backup: keep the key in
your password manager too.
Exit codes: 0 done, 1 already initialized or keychain unusable
(--save-to-keychain), 2 input needed, 4 not logged in / not permitted,
7 unreachable (nothing sent), 8 may have been applied (no answer, a garbled one,
or interrupted after sending; the pending entry is kept;
\`pikactl status --server URL\` finds out).

Examples:
  pikactl init --server https://pika.example:8080
  pikactl init --save-to-keychain`,
    );
}

export type InitOptions = OptionsOf<typeof declareInit>;

export function registerInit(program: Command, app: App, run: RunCommand<InitOptions> = runInit): void {
  app.action(declareInit(program), (opts, g, args) => run(app, g, opts, args));
}

export const runInit: RunCommand<InitOptions> = async (app, g, opts) => {
  const { ctx } = app;
  const inv = await openInvocation(app, g, [{ flag: '--key-from', spec: opts.keyFrom }]);
  try {
    await narrowToLeader(app, inv, 'init', askCluster(app, g, inv));
    const t = singleTarget(inv, 'init');
    // The initialize call's own outcome (maybe applied: exit 8) is decided in sendInitialize.
    return await mapApiErrors(t.server, 'init', async () => {
      const before = await observeNode(t.client, ctx.signal);
      if (before.state === 'unreachable') throw before.error!;
      if (before.state === 'unreadable') throw unreadable(t, before);
      if (before.state !== 'off') throw alreadyInitialized(t.server.id, before.state === 'locked');
      // Before any key is asked for: no keychain, or an unfinished earlier staging, stops here.
      const staging = opts.saveToKeychain ? await openStaging(ctx, t.server, 'init') : undefined;
      const kubeSecret = await openKubeSecret(app, g, inv, opts.kubeSecret);
      let followed: { previous: boolean } | undefined;
      let saved: SavedKey | undefined;
      await authed(app, g, inv, t, 'init', async () => {
        const key = await inv.secrets.read({
          spec: opts.keyFrom ?? undefined,
          flag: '--key-from',
          label: 'new server key',
          confirm: true,
          server: t.server,
        });
        warnIfWeak(app, key);
        await requireSavedConfirmation(app, opts.confirmSaved, t.server.id);
        followed = await withKubeSecret(app, kubeSecret, key, () =>
          stagedSend(
            ctx,
            t.server,
            'init',
            staging,
            key,
            () => sendInitialize(t, key, ctx.signal),
            () => verifyInit(t, key, ctx.signal),
          ),
        );
        if (staging) saved = await promoteOrExplain(staging, key, t.server, 'initialized');
      });
      const kube =
        kubeSecret && followed
          ? { kube_secret: { secret: kubeSecret.ref.name, namespace: kubeSecret.namespace, key: kubeSecret.ref.key } }
          : {};
      if (g.json)
        writeJson(ctx.io, {
          ok: true,
          server: t.server.id,
          action: 'initialized',
          state: 'unlocked',
          ...(saved ? { keychain: saved } : {}),
          ...kube,
          exit_code: 0,
        });
      else {
        ctx.io.stdout.write(
          `Encryption is on for ${t.server.id}. The server is unlocked; every restart from now on needs the key (pikactl unlock ${targetFlags(t.server)}).\n`,
        );
        if (saved) ctx.io.stdout.write(savedText(saved));
        if (kubeSecret && followed) ctx.io.stdout.write(kubeSecretText(kubeSecret, followed));
      }
      return ExitCode.OK;
    });
  } finally {
    await inv.close();
  }
};

const change = (t: Target): Change => ({ op: 'initialize', server: t.server });

async function sendInitialize(t: Target, key: Secret, signal?: AbortSignal): Promise<void> {
  try {
    await sendChange(change(t), () => t.client.initialize(key, signal));
  } catch (err) {
    if (err instanceof ApiError && (err.kind === 'already_initialized' || err.kind === 'locked')) {
      throw alreadyInitialized(t.server.id, err.kind === 'locked');
    }
    throw err;
  }
}

/**
 * Status says initialized+unlocked, and the verifier accepts the key (an unlock with
 * the right key on an unlocked server re-verifies and changes nothing).
 */
async function verifyInit(t: Target, key: Secret, signal?: AbortSignal): Promise<void> {
  try {
    const after = await observeNode(t.client, signal);
    if (after.state !== 'unlocked')
      throw maybeDone(change(t), `the server answered OK, but now reports "${after.state}"`, after.error);
    await t.client.unlock(key, signal);
  } catch (err) {
    // Accepted but not confirmed (the check timed out, was interrupted, or was refused).
    if (err instanceof ApiError) throw unverified(change(t), err);
    throw err;
  }
}
