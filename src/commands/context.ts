import { summary } from './summaries.js';
import type { Command } from 'commander';
import type { App, RunCommand } from './app.js';
import { typed, option, type OptionsOf } from './shared/typed.js';
import { confirmAction } from './shared/confirm.js';
import { writeJson } from '../output/json.js';
import { checkContextName } from '../config/schema.js';
import { loadConfig } from '../config/store.js';
import {
  addContext,
  buildContextEntry,
  contextToShow,
  removeContext,
  requireContext,
  useContext,
  type RawConnectionFlags,
} from '../config/contexts.js';
import {
  contextAddedJson,
  contextAddedText,
  contextJson,
  contextListJson,
  contextListText,
  contextRemovedJson,
  contextRemovedText,
  renderContext,
} from '../output/contexts.js';

/** `context add`'s declaration, once: ContextAddOptions is inferred from it. */
function declareAdd(context: Command) {
  return typed(context)
    .command('add')
    .argument('<name>', 'context name (letters, digits, . _ : -)')
    .usage('NAME --server URL [--server URL...] [options]')
    .description('save a context: one or more replica URLs and how to trust and log in to them')
    .addOption(
      option(
        '--key-from <spec>',
        'default key source for unlock: a secret SOURCE such as keychain or file:PATH (never the key)',
      ),
    )
    .addOption(option('--use', 'make it the current context'))
    .addOption(option('--force', 'replace an existing context of the same name'))
    .addHelpText(
      'after',
      `
Also stores these global flags when given on the command line (env vars are not
saved):
  -s, --server <url>      a replica URL; repeat for several (required)
  --cacert <file>         PEM certificate or CA to trust (stored absolute)
  --pin <sha256>          certificate fingerprint to require (pikactl trust)
  -u, --user <name>       login user
  --timeout <duration>    per-request timeout, e.g. 30s
  --proxy <url>           HTTP(S) proxy for these servers (no credentials here)
  --insecure, --allow-http
  --kube <ref>            the servers are pods (instead of --server), with -n,
                          --kube-context, --kubeconfig, --kube-port and
                          --kube-connect

Examples:
  pikactl context add prod --kube sts/pika -n pika --use
  pikactl context add prod --server https://pika-0:8080 \\
    --server https://pika-1:8080 --key-from keychain --use
  # pin the self-signed certificate instead of --insecure:
  pikactl trust --context prod`,
    );
}

/** The global flags `context add` stores ride along with its own options. */
export type ContextAddOptions = OptionsOf<typeof declareAdd> & { connection: RawConnectionFlags };

/** The run functions of `context`'s subcommands, each replaceable (parse tests). */
export interface ContextRuns {
  add: RunCommand<ContextAddOptions>;
  list: RunCommand<ContextListOptions>;
  use: RunCommand<ContextUseOptions>;
  show: RunCommand<ContextShowOptions>;
  remove: RunCommand<ContextRemoveOptions>;
}

export function registerContext(program: Command, app: App, override: Partial<ContextRuns> = {}): void {
  const runs: ContextRuns = {
    add: runContextAdd,
    list: runContextList,
    use: runContextUse,
    show: runContextShow,
    remove: runContextRemove,
    ...override,
  };
  const context = program
    .command('context')
    .description(summary('context'))
    .addHelpText(
      'after',
      '\nContexts live in $XDG_CONFIG_HOME/pikactl/config.json (mode 0600). They never\nhold a secret. Select one with --context NAME or PIKACTL_CONTEXT; flags and env\nvars override its values.',
    );

  // --server, --cacert, --pin... are global: commander hands `context add prod --server URL`
  // to the PROGRAM's --server even if `add` declared its own (its copy stays empty). So `add`
  // reads the program's parsed flags (flags only: a stray PIKA_SERVER must not be saved).
  const add = declareAdd(context);
  app.action(add, (opts, g, args) =>
    runs.add(app, g, { ...opts, connection: (add as unknown as Command).optsWithGlobals<RawConnectionFlags>() }, args),
  );
  app.action(declareList(context), (opts, g, args) => runs.list(app, g, opts, args));
  app.action(declareUse(context), (opts, g, args) => runs.use(app, g, opts, args));
  app.action(declareShow(context), (opts, g, args) => runs.show(app, g, opts, args));
  app.action(declareRemove(context), (opts, g, args) => runs.remove(app, g, opts, args));
}

function declareList(context: Command) {
  return typed(context).command('list').alias('ls').description('list contexts; * marks the current one');
}

function declareUse(context: Command) {
  return typed(context)
    .command('use')
    .argument('<name>', 'context to make current')
    .description('make a context the current one');
}

function declareShow(context: Command) {
  return typed(context)
    .command('show')
    .argument('[name]', 'context to show (default: --context, else the current one)')
    .description("show a context's settings");
}

export type ContextListOptions = OptionsOf<typeof declareList>;
export type ContextUseOptions = OptionsOf<typeof declareUse>;
export type ContextShowOptions = OptionsOf<typeof declareShow>;

export const runContextList: RunCommand<ContextListOptions> = async (app, g) => {
  const { config, path } = await loadConfig(app.ctx);
  if (g.json) return writeJson(app.ctx.io, contextListJson(config, path));
  const { out, warning } = contextListText(config);
  app.ctx.io.stdout.write(out);
  if (warning) app.ctx.io.stderr.write(warning);
};

export const runContextUse: RunCommand<ContextUseOptions> = async (app, g, _opts, args) => {
  const name = args[0];
  const file = await useContext(app.ctx, name);
  if (g.json) return writeJson(app.ctx.io, { ok: true, current_context: name, config_file: file });
  app.ctx.io.stdout.write(`Current context is now ${name}.\n`);
};

export const runContextShow: RunCommand<ContextShowOptions> = async (app, g, _opts, args) => {
  const { config, path } = await loadConfig(app.ctx);
  const { name, entry, current } = contextToShow(config, args[0] ?? g.context);
  if (g.json) return writeJson(app.ctx.io, { ...contextJson(name, entry, current), config_file: path });
  app.ctx.io.stdout.write(renderContext(name, entry, current, path));
};

export const runContextAdd: RunCommand<ContextAddOptions> = async (app, g, opts, args) => {
  const name = checkContextName(args[0]);
  const entry = buildContextEntry(opts.connection, opts.keyFrom, app.ctx.cwd);
  const added = await addContext(app.ctx, name, entry, opts);
  if (g.json) return writeJson(app.ctx.io, contextAddedJson(name, entry, added));
  const { out, warning } = contextAddedText(name, entry, added);
  app.ctx.io.stdout.write(out);
  if (warning) app.ctx.io.stderr.write(warning);
};

/** `context remove`'s declaration. */
function declareRemove(context: Command) {
  return typed(context)
    .command('remove')
    .alias('rm')
    .argument('<name>', 'context to remove')
    .option('-y, --yes', 'do not ask for confirmation (needed without a terminal)')
    .description('delete a context from the config file');
}

export type ContextRemoveOptions = OptionsOf<typeof declareRemove>;

export const runContextRemove: RunCommand<ContextRemoveOptions> = async (app, g, opts, args) => {
  const name = args[0];
  const { config } = await loadConfig(app.ctx);
  const entry = requireContext(config, name);
  if (!opts.yes) app.ctx.io.stderr.write(`Context ${name}: ${entry.servers.join(', ')}\n`);
  await confirmAction(app, { yes: opts.yes, question: `Remove context ${name}?`, what: `remove context ${name}` });
  const removed = await removeContext(app.ctx, name);
  if (g.json) return writeJson(app.ctx.io, contextRemovedJson(name, removed));
  app.ctx.io.stdout.write(contextRemovedText(name, removed.wasCurrent));
};
