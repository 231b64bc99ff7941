import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, option, type OptionsOf } from './shared/typed.js';
import type { GlobalOptions } from '../globals.js';
import { confirmAction } from './shared/confirm.js';
import { CliError, ExitCode } from '../errors.js';
import { writeJson } from '../output/json.js';
import { wrap } from '../output/runbook.js';
import { KEYCHAIN_ACCOUNT_DOCS, KEYCHAIN_KINDS } from '../keychain/accounts.js';

const NAMING = `
Entries live under service "pikactl"; the account names what they hold and for
which server (the server URL as pikactl normalises it, base path included):
${KEYCHAIN_ACCOUNT_DOCS.map((d) => wrap(d.holds, `  ${d.account.padEnd(30)} `, ' '.repeat(33), 80)).join('\n')}
On Linux: secret-tool search --all service pikactl. macOS: Keychain Access,
search "pikactl".
Values are never printed. With no usable keychain pikactl fails; it never writes
a plaintext file.`;

/** `keychain set`'s declaration, once: SetOptions is inferred from it (keychain-set.ts imports it as a type). */
function declareSet(keychain: Command) {
  return typed(keychain)
    .command('set')
    .description("store the current server's key in the keychain, verified against the server first")
    .option('--key-from <source>', 'where the key comes from (default: typed twice on the terminal)')
    .option('--no-verify', 'store without testing the key against the server')
    .option(
      '--name <name>',
      'store under another entry: a kind of the current server (e.g. server-key-previous) or any name (not tested)',
    )
    .option('-y, --yes', 'replace an existing entry without asking (required without a terminal)')
    .addHelpText(
      'after',
      `
The key is tested with an unlock: on an unlocked server that changes nothing, on
a locked server it unlocks it. A key the server rejects is not stored (exit 5),
nor is one it cannot test: unreachable (exit 7) or settings unreadable (exit 8);
--no-verify stores it untested.
When encryption is off there is nothing to test against: stored with a warning.
An existing entry is replaced only after you confirm (default No; --yes without
a terminal); the server key it held is kept as server-key-previous.
After this, \`pikactl unlock\` and \`pikactl rotate\` use the entry without asking.

Examples:
  pikactl keychain set --server https://pika.example:8080
  pikactl keychain set --key-from cmd:"op read op://ops/pika/key"
  # then: --password-from keychain:pika-admin-password
  pikactl keychain set --name pika-admin-password --no-verify`,
    );
}

export type SetOptions = OptionsOf<typeof declareSet>;

function declareList(keychain: Command) {
  return typed(keychain)
    .command('list')
    .description('list the entries pikactl keeps (kind and server; never the values)')
    .addHelpText('after', '\nWith --server, only the entries of that server. --json for scripts.');
}

export type ListOptions = OptionsOf<typeof declareList>;

function declareDelete(keychain: Command) {
  return typed(keychain)
    .command('delete')
    .description("delete one of the current server's entries (default: its server key)")
    .addOption(option('--kind <kind>', 'which entry of the current server').choices([...KEYCHAIN_KINDS]))
    .option('--name <name>', 'delete this entry by name (see `pikactl keychain list`)')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .addHelpText(
      'after',
      `
The keychain may hold the only copy of a key: keep it in your password manager
first.
To end a login session, prefer \`pikactl logout\` (it also ends it on the server).

Examples:
  pikactl keychain delete --kind server-key-previous
  pikactl keychain delete --name "server-key:https://old-pika.example" --yes`,
    );
}

export type DeleteOptions = OptionsOf<typeof declareDelete>;

function declareTest(keychain: Command) {
  return typed(keychain)
    .command('test')
    .description('check that a keychain is usable here: names the backend and stores, reads and deletes a test entry')
    .addHelpText('after', '\nExit codes: 0 usable, 1 not usable (the message says why and what to use\ninstead).');
}

export type TestOptions = OptionsOf<typeof declareTest>;

/** The run functions of `keychain`'s subcommands, each replaceable (parse tests). */
export interface KeychainRuns {
  set: RunCommand<SetOptions>;
  list: RunCommand<ListOptions>;
  delete: RunCommand<DeleteOptions>;
  test: RunCommand<TestOptions>;
}

const KEYCHAIN_RUNS: KeychainRuns = {
  // Loaded when it runs: keychain-set.ts holds the verify-then-store logic.
  set: async (app, g, opts) => (await import('./keychain-set.js')).runSet(app, g, opts),
  list: (app, g) => runList(app, g),
  delete: (app, g, opts) => runDelete(app, g, opts),
  test: (app, g) => runTest(app, g),
};

export function registerKeychain(program: Command, app: App, override: Partial<KeychainRuns> = {}): void {
  const runs = { ...KEYCHAIN_RUNS, ...override };
  const keychain = program.command('keychain').description(summary('keychain')).addHelpText('after', NAMING);
  app.action(declareSet(keychain), (opts, g, args) => runs.set(app, g, opts, args));
  app.action(declareList(keychain), (opts, g, args) => runs.list(app, g, opts, args));
  app.action(declareDelete(keychain), (opts, g, args) => runs.delete(app, g, opts, args));
  app.action(declareTest(keychain), (opts, g, args) => runs.test(app, g, opts, args));
}

async function runList(app: App, g: GlobalOptions): Promise<void> {
  const { ctx } = app;
  const { entryRows, renderEntries } = await import('../keychain/entries.js');
  const kc = await ctx.keychain();
  let rows = entryRows(await kc.list());
  // Only an explicit --server filters: a PIKA_SERVER in the environment must not hide entries.
  const only = g.typed.servers ? g.servers : [];
  if (only.length > 0) {
    const { parseServerUrl } = await import('../api/url.js');
    const ids = new Set(only.map((s) => parseServerUrl(s).id));
    rows = rows.filter((r) => r.server !== null && ids.has(r.server));
  }
  if (g.json) return writeJson(ctx.io, { ok: true, backend: kc.backend, entries: rows, exit_code: 0 });
  if (rows.length === 0) ctx.io.stderr.write(`No pikactl entries in ${kc.backend}.\n`);
  else ctx.io.stdout.write(renderEntries(rows));
}

async function runTest(app: App, g: GlobalOptions): Promise<void> {
  const { ctx } = app;
  const { roundTrip, explainUnavailable } = await import('../keychain/entries.js');
  // When it fails, name the missing piece (Linux: bus address, bus, Secret Service, collection, lock).
  const kc = await ctx.keychain().catch((err: unknown) => explainUnavailable(ctx.env, err));
  await roundTrip(kc).catch((err: unknown) => explainUnavailable(ctx.env, err));
  if (g.json) return writeJson(ctx.io, { ok: true, backend: kc.backend, round_trip: true, exit_code: 0 });
  ctx.io.stdout.write(`Backend: ${kc.backend}\nRound trip: stored, read back and deleted a test entry: OK\n`);
}

async function runDelete(app: App, g: GlobalOptions, opts: DeleteOptions): Promise<number> {
  const { ctx } = app;
  const { resolveEntryName } = await import('../keychain/entries.js');
  const { account, kind } = await resolveEntryName(opts, async () => {
    // Naming an entry needs only the server's identity: no connection, no network.
    const { resolveConnection } = await import('../config/resolve.js');
    const conn = await resolveConnection(ctx, g);
    if (conn.servers.length !== 1)
      throw new CliError(`keychain delete acts on one server, but ${conn.servers.length} were given`, {
        code: 'usage',
        hint: 'Pass one --server, or the full entry name with --name.',
      });
    return conn.servers[0];
  });
  const kc = await ctx.keychain();
  if ((await kc.get(account)) === null) {
    throw new CliError(`no keychain entry "${account}" in ${kc.backend}`, {
      code: 'keychain_not_found',
      hint: 'See what is stored with: pikactl keychain list',
    });
  }
  const warning =
    kind === 'session'
      ? 'This forgets the session without ending it on the server (`pikactl logout` does both).'
      : kind === 'server-key-pending'
        ? 'A pending key may be the key the server holds after an unfinished init or rotate (pikactl recover-rotation reads it).'
        : 'The keychain may hold the only copy of this key: make sure it is in your password manager.';
  if (!opts.yes && ctx.io.canPrompt()) ctx.io.stderr.write(`${warning}\n`);
  await confirmAction(app, {
    yes: opts.yes,
    what: 'delete the keychain entry',
    question: `Delete the keychain entry "${account}"?`,
  });
  await kc.delete(account);
  if (g.json) writeJson(ctx.io, { ok: true, entry: account, deleted: true, exit_code: 0 });
  else ctx.io.stdout.write(`Deleted the keychain entry "${account}".\n`);
  return ExitCode.OK;
}
