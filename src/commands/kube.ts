import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { ExitCode, usageError } from '../errors.js';
import { writeJson } from '../output/json.js';
import { parseSecretRef } from '../config/kube-ref.js';
import { typed, type OptionsOf } from './shared/typed.js';

/** `kube secret prune`'s declaration, once: PruneOptions is inferred from it. */
function declarePrune(secret: Command) {
  return typed(secret)
    .command('prune')
    .description('drop KEY.previous (the key before the last rotation) once every pod runs on the new key')
    .option('--kube-secret <name/key>', 'the Secret and its data key, e.g. pika-encryption/password')
    .addHelpText(
      'after',
      `
Run it after \`pikactl roll\` ended with every pod unlocked: until then
KEY.previous is the way back. Refuses while KEY.pending (an unfinished
rotation) is there. The write carries the Secret's resourceVersion: a
concurrent change is reported (409 Conflict), never overwritten.

Example:
  pikactl kube secret prune --kube-secret pika-encryption/password -n pika`,
    );
}

export type PruneOptions = OptionsOf<typeof declarePrune>;

/** `kube` and `kube secret` are groups: `prune` is the one subcommand that runs. */
export function registerKube(program: Command, app: App, run: RunCommand<PruneOptions> = runPrune): void {
  const kube = program.command('kube').description(summary('kube'));
  const secret = kube
    .command('secret')
    .description('the boot-password Secret that --kube-secret keeps in step with the key');
  app.action(declarePrune(secret), (opts, g, args) => run(app, g, opts, args));
}

export const runPrune: RunCommand<PruneOptions> = async (app, g, opts) => {
  if (!opts.kubeSecret)
    throw usageError(
      'kube secret prune needs --kube-secret NAME/KEY',
      'e.g. --kube-secret pika-encryption/password -n pika',
    );
  const ref = parseSecretRef(opts.kubeSecret);
  const { openKubeApi } = await import('../kube/api.js');
  const { prunePrevious } = await import('../kube/secret-staging.js');
  const api = await openKubeApi(app.ctx, {
    ...(g.kube.kubeconfig ? { kubeconfig: g.kube.kubeconfig } : {}),
    ...(g.kube.kubeContext ? { kubeContext: g.kube.kubeContext } : {}),
  });
  const namespace = g.kube.namespace ?? api.defaultNamespace;
  const removed = await prunePrevious(api, namespace, ref);
  const what = `secret/${ref.name} key ${ref.key}.previous (namespace ${namespace})`;
  if (g.json)
    writeJson(app.ctx.io, {
      ok: true,
      secret: ref.name,
      namespace,
      removed: removed ? `${ref.key}.previous` : null,
      exit_code: 0,
    });
  else app.ctx.io.stdout.write(removed ? `Removed ${what}.\n` : `There is no ${what}; nothing to remove.\n`);
  return ExitCode.OK;
};
