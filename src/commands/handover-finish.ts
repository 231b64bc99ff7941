import type { Command } from 'commander';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { confirmAction } from './shared/confirm.js';
import type { GlobalOptions } from '../globals.js';
import { reportStage } from '../handover/render.js';

/** `handover finish` (outgoing operator), declared once: HandoverFinishOptions is inferred from it. */
function declareHandoverFinish(handover: Command) {
  return typed(handover)
    .command('finish')
    .description('outgoing operator: check the incoming side accepted, retire the old key, close the record')
    .requiredOption('--record <file>', 'the handover record, as the incoming operator returned it')
    .option('-y, --yes', 'delete the old keychain entry without asking (required without a terminal)')
    .option('--operator <name>', 'your name in the record (default: $USER, else git user.name)')
    .option('--kube-secret <name/key>', "also drop KEY.previous (the old key) from the pods' boot-password Secret");
}

export type HandoverFinishOptions = OptionsOf<typeof declareHandoverFinish>;

export function registerHandoverFinish(
  handover: Command,
  app: App,
  run: RunCommand<HandoverFinishOptions> = runHandoverFinish,
): void {
  app.action(declareHandoverFinish(handover), (opts, g, args) => run(app, g, opts, args));
}

export const runHandoverFinish: RunCommand<HandoverFinishOptions> = async (app, g, opts) => {
  const { ctx } = app;
  const { operatorName } = await import('../handover/operator.js');
  const operator = await operatorName(ctx, opts.operator);
  const { resolveRecordPath, readRecord } = await import('../handover/record.js');
  const { checkFinishable, finishHandover } = await import('../handover/finish.js');
  const path = resolveRecordPath(ctx.cwd, opts.record);
  const record = await readRecord(path);
  checkFinishable(record, opts.record);
  const res = await finishHandover({
    ctx,
    operator,
    record,
    recordPath: path,
    confirmDelete: (account) =>
      confirmAction(app, {
        yes: opts.yes,
        what: 'delete the old key from the keychain',
        question: `Delete the old key's keychain entry ${account}? The new key is proven; the old one is not needed any more.`,
      }),
  });
  const pruned = opts.kubeSecret === undefined ? '' : await pruneKubeSecret(app, g, opts.kubeSecret);
  const kc = {
    deleted: `Deleted the old key from your keychain (${res.account}).`,
    absent: 'Your keychain holds no old key for this server.',
    unavailable: 'No keychain here: nothing to delete.',
  }[res.keychain];
  reportStage(ctx.io, g.json, {
    server: record.server,
    state: 'finished',
    files: res.files,
    fields: { keychain: res.keychain },
    text:
      `${kc}\n${pruned}Now delete the OLD key's entry from your password manager: pikactl cannot reach it.\n` +
      `Handover of ${record.server} closed: ${res.files.json}\n`,
  });
  return 0;
};

/** handover finish --kube-secret: the old key leaves the boot-password Secret too (a line for the summary). */
async function pruneKubeSecret(app: App, g: GlobalOptions, flag: string): Promise<string> {
  const { parseSecretRef } = await import('../config/kube-ref.js');
  const { openKubeApi } = await import('../kube/api.js');
  const { prunePrevious } = await import('../kube/secret-staging.js');
  const ref = parseSecretRef(flag);
  const api = await openKubeApi(app.ctx, {
    ...(g.kube.kubeconfig ? { kubeconfig: g.kube.kubeconfig } : {}),
    ...(g.kube.kubeContext ? { kubeContext: g.kube.kubeContext } : {}),
  });
  const ns = g.kube.namespace ?? api.defaultNamespace;
  const removed = await prunePrevious(api, ns, ref);
  return removed
    ? `Removed ${ref.key}.previous from secret/${ref.name} (namespace ${ns}).\n`
    : `secret/${ref.name} holds no ${ref.key}.previous.\n`;
}
