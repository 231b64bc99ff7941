import { statSync } from 'node:fs';
import { summary } from './summaries.js';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { App, RunCommand } from './app.js';
import { typed, option, type OptionsOf } from './shared/typed.js';
import { confirmAction } from './shared/confirm.js';
import { parseServerUrl } from '../api/url.js';
import { usageError } from '../errors.js';
import { writeJson } from '../output/json.js';
import { parseDuration } from '../util/duration.js';
import { unknownContextError } from '../config/resolve.js';
import { parseSecretSpec } from '../secrets/spec.js';
import { checkContextName, type ConfigFile, type ContextConfig } from '../config/schema.js';
import { loadConfig, updateConfig } from '../config/store.js';
import { normalizePin } from '../transport/pin.js';
import { parseProxyUrl } from '../transport/proxy-config.js';
import { contextJson, renderContext, renderContextTable } from '../output/contexts.js';
import { kubeOptionsOf } from '../config/kube-ref.js';

/** The global flags `context add` stores, as commander hands them to the program. */
interface RawConnectionFlags {
  server?: string[];
  cacert?: string;
  pin?: string;
  user?: string;
  timeout?: string;
  insecure?: boolean;
  allowHttp?: boolean;
  proxy?: string;
  kube?: string;
  namespace?: string;
  kubeContext?: string;
  kubeconfig?: string;
  kubePort?: string;
  kubeConnect?: string;
}

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

  // `--server`, `--cacert`, `--pin`, `--user`, `--timeout`, `--insecure` and `--allow-http`
  // are global options. The program does not use positional options, so commander hands
  // `pikactl context add prod --server URL` to the PROGRAM's --server even if `add`
  // declared its own (checked: the subcommand's copy stays empty). So `add` declares none
  // of them and reads the program's parsed flags (flags only, not env vars: a stray
  // PIKA_SERVER must not end up saved in a context).
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
  const names = Object.keys(config.contexts);
  if (g.json) {
    return writeJson(app.ctx.io, {
      current_context: config.current_context ?? null,
      contexts: names.map((n) => contextJson(n, config.contexts[n], n === config.current_context)),
      config_file: path,
    });
  }
  if (names.length === 0) {
    app.ctx.io.stderr.write('No contexts yet. Add one with: pikactl context add NAME --server URL\n');
    return;
  }
  app.ctx.io.stdout.write(renderContextTable(config));
  if (config.current_context !== undefined && !names.includes(config.current_context)) {
    app.ctx.io.stderr.write(
      `Warning: the current context "${config.current_context}" does not exist. Pick one: pikactl context use NAME\n`,
    );
  }
};

export const runContextUse: RunCommand<ContextUseOptions> = async (app, g, _opts, args) => {
  const name = args[0];
  const { file } = await updateConfig(app.ctx, (config) => {
    requireContext(config, name);
    config.current_context = name;
  });
  if (g.json) return writeJson(app.ctx.io, { ok: true, current_context: name, config_file: file });
  app.ctx.io.stdout.write(`Current context is now ${name}.\n`);
};

export const runContextShow: RunCommand<ContextShowOptions> = async (app, g, _opts, args) => {
  const { config, path } = await loadConfig(app.ctx);
  const name = args[0] ?? g.context ?? config.current_context;
  if (name === undefined)
    throw usageError(
      'no context named and no current context',
      'Pass a NAME, or set one with: pikactl context use NAME',
    );
  const entry = requireContext(config, name);
  const current = name === config.current_context;
  if (g.json) return writeJson(app.ctx.io, { ...contextJson(name, entry, current), config_file: path });
  app.ctx.io.stdout.write(renderContext(name, entry, current, path));
};

export const runContextAdd: RunCommand<ContextAddOptions> = async (app, g, opts, args) => {
  const name = checkContextName(args[0]);
  const entry = buildEntry(opts.connection, opts.keyFrom, app.ctx.cwd);
  // Under the config lock: a parallel `context add` must not be lost.
  const {
    file,
    result: { existed, makeCurrent },
  } = await updateConfig(app.ctx, (config) => {
    const existed = Object.hasOwn(config.contexts, name);
    if (existed && !opts.force) {
      throw usageError(
        `context "${name}" already exists`,
        `Pass --force to replace it, or see it with: pikactl context show ${name}`,
      );
    }
    config.contexts[name] = entry;
    const makeCurrent =
      Boolean(opts.use) ||
      config.current_context === undefined ||
      !Object.hasOwn(config.contexts, config.current_context);
    if (makeCurrent) config.current_context = name;
    return { existed, makeCurrent };
  });
  if (g.json)
    return writeJson(app.ctx.io, {
      ok: true,
      action: existed ? 'replaced' : 'added',
      ...contextJson(name, entry, makeCurrent),
      config_file: file,
    });
  const n = entry.servers.length;
  const what = entry.kube
    ? `the pods of ${entry.kube.ref}${entry.kube.namespace ? ` in namespace ${entry.kube.namespace}` : ''}`
    : `${n} server${n === 1 ? '' : 's'}`;
  app.ctx.io.stdout.write(`${existed ? 'Replaced' : 'Added'} context ${name} (${what}) in ${file}\n`);
  if (makeCurrent) app.ctx.io.stdout.write(`Current context is now ${name}.\n`);
  if (entry.insecure)
    app.ctx.io.stderr.write(
      `Warning: context ${name} skips TLS verification. Pin the certificate instead: pikactl trust --context ${name}\n`,
    );
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
  // Re-read under the lock: the file may have changed while the operator answered.
  const { file, result } = await updateConfig(app.ctx, (fresh) => {
    requireContext(fresh, name);
    delete fresh.contexts[name];
    const wasCurrent = fresh.current_context === name;
    if (wasCurrent) delete fresh.current_context;
    return { wasCurrent, current: fresh.current_context };
  });
  const { wasCurrent } = result;
  if (g.json)
    return writeJson(app.ctx.io, {
      ok: true,
      removed: name,
      current_context: result.current ?? null,
      config_file: file,
    });
  app.ctx.io.stdout.write(`Removed context ${name}.\n`);
  if (wasCurrent) app.ctx.io.stdout.write('There is no current context now; pick one with: pikactl context use NAME\n');
};

function requireContext(config: ConfigFile, name: string): ContextConfig {
  if (!Object.hasOwn(config.contexts, name)) throw unknownContextError(name, config);
  return config.contexts[name];
}

/** --kube and its companions as a context's kube block (validated as at load time). */
function kubeEntry(raw: RawConnectionFlags, cwd: string): ContextConfig['kube'] {
  const o = kubeOptionsOf(raw);
  if (!o) return undefined;
  return {
    ref: `${o.ref.kind}/${o.ref.name}`,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(raw.kubeContext ? { context: raw.kubeContext } : {}),
    ...(raw.kubeconfig ? { kubeconfig: resolve(cwd, raw.kubeconfig) } : {}),
    ...(raw.kubePort ? { port: raw.kubePort } : {}),
    ...(raw.kubeConnect ? { connect: raw.kubeConnect } : {}),
  };
}

/** Turns the command line into a context entry, validating every value the way load will. */
function buildEntry(raw: RawConnectionFlags, keyFrom: string | undefined, cwd: string): ContextConfig {
  const servers = raw.server ?? [];
  const kube = kubeEntry(raw, cwd);
  if (kube && servers.length > 0) throw usageError('--kube and --server name the servers twice', 'Pass one of them.');
  if (servers.length === 0 && !kube)
    throw usageError(
      'context add needs at least one --server URL (or --kube REF)',
      'pikactl context add NAME --server https://pika.example:8080',
    );
  const ids: string[] = [];
  for (const s of servers) {
    const id = parseServerUrl(s).id;
    if (!ids.includes(id)) ids.push(id);
  }
  const entry: ContextConfig = { servers: ids, ...(kube ? { kube } : {}) };
  if (raw.cacert !== undefined) {
    const file = resolve(cwd, raw.cacert);
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      // reported below
    }
    if (!isFile)
      throw usageError(
        `--cacert file ${file} does not exist`,
        "Copy the server's certificate (Pika: <storage>/tls/server.crt) here first, or use pikactl trust.",
      );
    entry.cacert = file;
  }
  if (raw.pin !== undefined) entry.pin = normalizePin(raw.pin, '--pin');
  if (raw.user !== undefined) entry.user = raw.user;
  if (keyFrom !== undefined) {
    parseSecretSpec(keyFrom, '--key-from'); // the shared grammar; its errors never echo the text (it may be a passphrase)
    entry.key_from = keyFrom;
  }
  if (raw.timeout !== undefined) {
    if (parseDuration(raw.timeout, '--timeout') <= 0) throw usageError('--timeout must be greater than zero');
    entry.timeout = raw.timeout;
  }
  if (raw.insecure) entry.insecure = true;
  if (raw.allowHttp) entry.allow_http = true;
  if (raw.proxy !== undefined && raw.proxy.trim() !== '') {
    parseProxyUrl(raw.proxy, '--proxy', false);
    entry.proxy = raw.proxy.trim();
  }
  return entry;
}
