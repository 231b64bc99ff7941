import type { Command } from 'commander';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, singleTarget } from './shared/invocation.js';
import { mapApiErrors } from './shared/api-errors.js';
import { readServerKey } from './shared/server-key.js';
import { askCluster, authed } from './shared/auth-step.js';
import { requireSavedConfirmation, warnIfWeak } from './shared/key-safety.js';
import { narrowToLeader } from '../kube/leader.js';
import { openKubeSecret, withKubeSecret } from '../kube/boot-secret.js';
import { reportStage } from '../handover/render.js';

/** `handover start` (outgoing operator), declared once: HandoverStartOptions is inferred from it. */
function declareHandoverStart(handover: Command) {
  return typed(handover)
    .command('start')
    .description(
      'outgoing operator: check the server, rotate to a new key you pick, save it, write the handover record',
    )
    .option('--current-key-from <source>', 'the key the server runs on now (default: keychain, else asked)')
    .option('--new-key-from <source>', 'the new key (default: asked twice on the terminal)')
    .option('--confirm-saved', 'confirm the new key is saved in a password manager (required without a terminal)')
    .option(
      '--save-to-keychain',
      'also keep the new key in your OS keychain (the old one stays as server-key-previous until finish)',
    )
    .option('--operator <name>', 'your name in the record (default: $USER, else git user.name)')
    .option('--record <file>', 'where to write the record (default: ./handover-<host>-<date>.json, plus .md)')
    .option(
      '--kube-secret <name/key>',
      "the pods' boot-password Secret follows the key (old key in KEY.previous until finish)",
    );
}

export type HandoverStartOptions = OptionsOf<typeof declareHandoverStart>;

export function registerHandoverStart(
  handover: Command,
  app: App,
  run: RunCommand<HandoverStartOptions> = runHandoverStart,
): void {
  app.action(declareHandoverStart(handover), (opts, g, args) => run(app, g, opts, args));
}

export const runHandoverStart: RunCommand<HandoverStartOptions> = async (app, g, opts) => {
  const { ctx } = app;
  const { operatorName } = await import('../handover/operator.js');
  const operator = await operatorName(ctx, opts.operator);
  const inv = await openInvocation(app, g, [
    { flag: '--current-key-from', spec: opts.currentKeyFrom },
    { flag: '--new-key-from', spec: opts.newKeyFrom },
  ]);
  try {
    await narrowToLeader(app, inv, 'handover start', askCluster(app, g, inv));
    const t = singleTarget(inv, 'handover start');
    const { defaultRecordPath, resolveRecordPath, nextStep } = await import('../handover/record.js');
    const { assertNoRecord, certificatePin, startHandover } = await import('../handover/start.js');
    const path = opts.record
      ? resolveRecordPath(ctx.cwd, opts.record)
      : defaultRecordPath(ctx.cwd, t.server.host, ctx.clock.now());
    await assertNoRecord(path);
    const tlsPin = await certificatePin(ctx, t.server, inv.conn.transport);
    const kubeSecret = await mapApiErrors(t.server, 'handover start', () =>
      openKubeSecret(app, g, inv, opts.kubeSecret),
    );
    const { files } = await mapApiErrors(t.server, 'handover start', () =>
      startHandover({
        ...(kubeSecret
          ? { aroundSend: async (next, run) => void (await withKubeSecret(app, kubeSecret, next, run)) }
          : {}),
        ctx,
        client: t.client,
        server: t.server,
        operator,
        recordPath: path,
        ...(tlsPin !== undefined ? { tlsPin } : {}),
        saveToKeychain: Boolean(opts.saveToKeychain),
        withAuth: (fn) => authed(app, g, inv, t, 'handover start', fn),
        // Default: this server's keychain entry when there is one (said on stderr), else the prompt.
        readCurrentKey: () =>
          readServerKey(app, g, inv, t, {
            spec: opts.currentKeyFrom ?? inv.conn.keyFrom,
            flag: '--current-key-from',
            label: 'current server key',
          }),
        readNewKey: () =>
          inv.secrets.read({ spec: opts.newKeyFrom, flag: '--new-key-from', label: 'new server key', confirm: true }),
        confirmSaved: async (next) => {
          warnIfWeak(app, next);
          await requireSavedConfirmation(app, opts.confirmSaved, t.server.id);
        },
      }),
    );
    const next = nextStep('started', files.json);
    reportStage(ctx.io, g.json, {
      server: t.server.id,
      state: 'started',
      files,
      fields: { next },
      text:
        `Rotated ${t.server.id} to the new key and verified it.\n` +
        `Handover record: ${files.json} (checklist: ${files.markdown}). It holds no secret.\n` +
        `Hand the new key over through your credential-transfer process (never chat or a ticket), the record beside it.\n` +
        `The incoming operator needs their own login with settings.manage (API tokens cannot unlock).\n` +
        `Next: ${next}\n`,
    });
    return 0;
  } finally {
    await inv.close();
  }
};
