import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, singleTarget, type Target } from './shared/invocation.js';
import { mapApiErrors } from './shared/api-errors.js';
import { readServerKey } from './shared/server-key.js';
import { requireServing } from '../ops/serving.js';
import { sendRotation, verifyRotation, type RotationLabel } from '../ops/rotation.js';
import { findOutCommand } from '../outcome.js';
import { ApiError } from '../api/types.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { writeJson } from '../output/json.js';
import type { Secret } from '../secrets/secret.js';
import { askCluster, authed } from './shared/auth-step.js';
import { requireSavedConfirmation, warnIfWeak } from './shared/key-safety.js';
import { keychainEntryOf, wrongStoredKey } from '../keychain/server-key.js';
import { openStaging, promoteOrExplain, savedText, stagedSend, type SavedKey } from '../keychain/save.js';
// Light modules: the Kubernetes client itself loads only when one of them needs the API.
import { narrowToLeader } from '../kube/leader.js';
import { kubeSecretText, openKubeSecret, withKubeSecret } from '../kube/boot-secret.js';

const label = (t: Target): RotationLabel => ({ op: 'rotate', server: t.server });

/** The declaration, once: RotateOptions is inferred from it. */
function declareRotate(program: Command) {
  return typed(program)
    .command('rotate')
    .description(summary('rotate'))
    .option(
      '--current-key-from <source>',
      'where the current key comes from (default: the keychain entry, else a prompt)',
    )
    .option('--new-key-from <source>', 'where the new key comes from (default: asked twice on the terminal)')
    .option(
      '--confirm-saved',
      'confirm the new key is already saved in a password manager (required without a terminal)',
    )
    .option(
      '--save-to-keychain',
      'also keep the new key in the OS keychain (the old one is kept as server-key-previous)',
    )
    .option(
      '--kube-secret <name/key>',
      "the pods' boot password Secret follows the key (KEY.pending, then KEY; old key in KEY.previous)",
    )
    .addHelpText(
      'after',
      `
The next restart needs the NEW key. When the rotation may have been applied but
was not confirmed (HTTP 5xx, a lost, late or garbled answer, an interrupt after
sending, a failed check), pikactl exits 8 and names the command that repairs it:
\`pikactl recover-rotation --server URL\`.
Without --current-key-from (and no key_from in the context) the current key
comes from the keychain entry "server-key:<server>" when there is one, else from
a hidden prompt.

--save-to-keychain writes the new key to "server-key-pending:<server>" BEFORE it
is sent, so no crash can lose it. Once the server confirmed and the key is
verified, the old "server-key:<server>" entry moves to
"server-key-previous:<server>" (kept until you delete it) and the new key
becomes "server-key:<server>". If the outcome is unknown, the pending entry
stays for \`pikactl recover-rotation\`.
--kube-secret NAME/KEY (Kubernetes): the pods' boot-password Secret follows the
key: KEY.pending is written before the send, then one patch makes KEY the new
key and KEY.previous the old one (kept until \`pikactl kube secret prune\`).
Every write carries the Secret's resourceVersion: a concurrent change (409) is
reported, never overwritten. Without it, a rotation of pods that boot from such
a Secret warns first. With --kube REF, the leader pod is rotated.
Exit codes: 0 rotated and verified, 1 keychain unusable (--save-to-keychain),
3 locked, 5 current key wrong, 6 not initialized, 7 unreachable (nothing was
sent), 8 may have been applied (recover-rotation finds out).

Examples:
  # current key from the keychain, new key typed twice:
  pikactl rotate --save-to-keychain
  pikactl rotate --current-key-from keychain \\
    --new-key-from cmd:"pass show pika/new-key" --confirm-saved`,
    );
}

export type RotateOptions = OptionsOf<typeof declareRotate>;

export function registerRotate(program: Command, app: App, run: RunCommand<RotateOptions> = runRotate): void {
  app.action(declareRotate(program), (opts, g, args) => run(app, g, opts, args));
}

export const runRotate: RunCommand<RotateOptions> = async (app, g, opts) => {
  const { ctx } = app;
  const inv = await openInvocation(app, g, [
    { flag: '--current-key-from', spec: opts.currentKeyFrom },
    { flag: '--new-key-from', spec: opts.newKeyFrom },
  ]);
  try {
    await narrowToLeader(app, inv, 'rotate', askCluster(app, g, inv));
    const t = singleTarget(inv, 'rotate');
    return await mapApiErrors(t.server, 'rotate', async () => {
      await requireServing(t.client, t.server, ctx.signal, 'rotate');
      const kubeSecret = await openKubeSecret(app, g, inv, opts.kubeSecret);
      let followed: { previous: boolean } | undefined;
      // Before any key is asked for: no keychain, or an unfinished earlier rotation, stops here.
      const staging = opts.saveToKeychain ? await openStaging(ctx, t.server, 'rotate') : undefined;
      let saved: SavedKey | undefined;
      let currentKey: Promise<Secret> | undefined; // once per run: a re-login retry must not print the note twice
      await authed(app, g, inv, t, 'rotate', async () => {
        const current = await (currentKey ??= readServerKey(app, g, inv, t, {
          spec: opts.currentKeyFrom ?? inv.conn.keyFrom,
          flag: '--current-key-from',
          label: 'current server key',
        }));
        const next = await inv.secrets.read({
          spec: opts.newKeyFrom,
          flag: '--new-key-from',
          label: 'new server key',
          confirm: true,
        });
        if (next.equals(current)) throw usageError('the new key must differ from the current key');
        warnIfWeak(app, next);
        await requireSavedConfirmation(app, opts.confirmSaved, t.server.id);
        followed = await withKubeSecret(app, kubeSecret, next, () =>
          stagedSend(
            ctx,
            t.server,
            'rotate',
            staging,
            next,
            () => sendRotate(t, current, next, ctx.signal),
            () => verifyRotation(t.client, label(t), next, ctx.signal),
          ),
        );
        if (staging) saved = await promoteOrExplain(staging, next, t.server, 'rotated');
      });
      const kube =
        kubeSecret && followed
          ? {
              secret: kubeSecret.ref.name,
              namespace: kubeSecret.namespace,
              key: kubeSecret.ref.key,
              previous: followed.previous ? kubeSecret.previousKey : null,
            }
          : undefined;
      if (g.json)
        writeJson(ctx.io, {
          ok: true,
          server: t.server.id,
          action: 'rotated',
          state: 'unlocked',
          verified: true,
          ...(saved ? { keychain: saved } : {}),
          ...(kube ? { kube_secret: kube } : {}),
          exit_code: 0,
        });
      else {
        ctx.io.stdout.write(`Rotated the key of ${t.server.id} and verified it. The next restart needs the NEW key.\n`);
        if (saved) ctx.io.stdout.write(savedText(saved));
        if (kubeSecret && followed) ctx.io.stdout.write(kubeSecretText(kubeSecret, followed));
      }
      return ExitCode.OK;
    });
  } finally {
    await inv.close();
  }
};

async function sendRotate(t: Target, current: Secret, next: Secret, signal?: AbortSignal): Promise<void> {
  try {
    await sendRotation(t.client, label(t), current, next, signal);
  } catch (err) {
    if (!(err instanceof ApiError && err.kind === 'wrong_key')) throw err;
    const entry = keychainEntryOf(current);
    if (entry) throw wrongStoredKey(t.server, entry, 'the current key', err);
    throw new CliError('the server rejected the current key; nothing was changed', {
      code: 'wrong_key',
      hint:
        'Check --current-key-from (the key the server was last unlocked with). If an earlier rotate ended with exit 8, ' +
        `that rotation may be live: ${findOutCommand('rotate', t.server)}`,
    });
  }
}
