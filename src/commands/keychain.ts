import { Option, type Command } from 'commander';
import { summary } from './summaries.js';
import type { App } from './app.js';
import type { GlobalOptions } from '../globals.js';
import { openSession, singleTarget, toCliError, type Session, type Target } from './target.js';
import { authed } from './auth-step.js';
import { confirmAction } from './confirm.js';
import { CliError, ExitCode } from '../errors.js';
import { writeJson } from '../output/json.js';
import { KEYCHAIN_ACCOUNT_DOCS, KEYCHAIN_KINDS, type KeychainKind } from '../secrets/accounts.js';
import type { Secret } from '../secrets/secret.js';
import type { Keychain } from '../secrets/keychain.js';

const NAMING = `
Entries live under service "pikactl"; the account names what they hold and for which server
(the server URL as pikactl normalises it, base path included):
${KEYCHAIN_ACCOUNT_DOCS.map((d) => `  ${d.account.padEnd(30)} ${d.holds}`).join('\n')}
On Linux: secret-tool search --all service pikactl. macOS: Keychain Access, search "pikactl".
Values are never printed. With no usable keychain pikactl fails; it never writes a plaintext file.`;

interface SetOptions {
  keyFrom?: string;
  verify: boolean;
  name?: string;
}

interface DeleteOptions {
  kind?: KeychainKind;
  name?: string;
  yes?: boolean;
}

export function registerKeychain(program: Command, app: App): void {
  const keychain = program
    .command('keychain')
    .description(summary('keychain'))
    .addHelpText('after', NAMING);

  const set = keychain
    .command('set')
    .description("store the current server's key in the keychain, verified against the server first")
    .option('--key-from <source>', 'where the key comes from (default: typed twice on the terminal)')
    .option('--no-verify', 'store without testing the key against the server')
    .option('--name <name>', 'store under another entry: a kind of the current server (e.g. server-key-previous) or any name (not tested)')
    .addHelpText(
      'after',
      `
The key is tested with an unlock: on an unlocked server that changes nothing, on a locked
server it unlocks it. A key the server rejects is not stored (exit 5). When encryption is off
or the server cannot be reached, the key is stored unverified, with a warning.
After this, \`pikactl unlock\` and \`pikactl rotate\` use the entry without asking.

Examples:
  pikactl keychain set --server https://pika.example:8080
  pikactl keychain set --key-from cmd:"op read op://ops/pika/key"
  pikactl keychain set --name pika-admin-password --no-verify   # then: --password-from keychain:pika-admin-password`,
    );
  app.action<SetOptions>(set, (opts, g) => runSet(app, g, opts));

  const list = keychain
    .command('list')
    .description('list the entries pikactl keeps (kind and server; never the values)')
    .addHelpText('after', '\nWith --server, only the entries of that server. --json for scripts.');
  app.action(list, async (_opts, g) => {
    const { ctx } = app;
    const { entryRows, renderEntries } = await import('../keychain/entries.js');
    const kc = await ctx.keychain();
    let rows = entryRows(await kc.list());
    // Only an explicit --server filters: a PIKA_SERVER in the environment must not hide entries.
    const only = list.optsWithGlobals<{ server?: string[] }>().server ?? [];
    if (only.length > 0) {
      const { parseServerUrl } = await import('../api/url.js');
      const ids = new Set(only.map((s) => parseServerUrl(s).id));
      rows = rows.filter((r) => r.server !== null && ids.has(r.server));
    }
    if (g.json) return writeJson(ctx.io, { ok: true, backend: kc.backend, entries: rows, exit_code: 0 });
    if (rows.length === 0) ctx.io.stderr.write(`No pikactl entries in ${kc.backend}.\n`);
    else ctx.io.stdout.write(renderEntries(rows));
  });

  const del = keychain
    .command('delete')
    .description("delete one of the current server's entries (default: its server key)")
    .addOption(new Option('--kind <kind>', 'which entry of the current server').choices([...KEYCHAIN_KINDS]))
    .option('--name <name>', 'delete this entry by name (see `pikactl keychain list`)')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .addHelpText(
      'after',
      `
The keychain may hold the only copy of a key: keep it in your password manager first.
To end a login session, prefer \`pikactl logout\` (it also ends it on the server).

Examples:
  pikactl keychain delete --kind server-key-previous
  pikactl keychain delete --name "server-key:https://old-pika.example:8080" --yes`,
    );
  app.action<DeleteOptions>(del, (opts, g) => runDelete(app, g, opts));

  const test = keychain
    .command('test')
    .description('check that a keychain is usable here: names the backend and stores, reads and deletes a test entry')
    .addHelpText('after', '\nExit codes: 0 usable, 1 not usable (the message says why and what to use instead).');
  app.action(test, async (_opts, g) => {
    const { ctx } = app;
    const { roundTrip, explainUnavailable } = await import('../keychain/entries.js');
    // When it fails, name the missing piece (Linux: bus address, bus, Secret Service, collection, lock).
    const kc = await ctx.keychain().catch((err: unknown) => explainUnavailable(ctx.env, err));
    await roundTrip(kc).catch((err: unknown) => explainUnavailable(ctx.env, err));
    if (g.json) return writeJson(ctx.io, { ok: true, backend: kc.backend, round_trip: true, exit_code: 0 });
    ctx.io.stdout.write(`Backend: ${kc.backend}\nRound trip: stored, read back and deleted a test entry: OK\n`);
  });
}

/** Outcome of testing a key against the server before it is stored. */
type Verified = { verified: true; unlocked: boolean } | { verified: false; reason: string };

async function runSet(app: App, g: GlobalOptions, opts: SetOptions): Promise<number> {
  const { ctx } = app;
  const [{ requireKeychain }, { isKeychainKind, keychainAccount }] = await Promise.all([import('../keychain/open.js'), import('../secrets/accounts.js')]);
  const name = opts.name?.trim();
  if (name === '') throw new CliError('--name needs an entry name', { code: 'usage', hint: 'See `pikactl keychain list`.' });
  if (name === 'session') throw new CliError('the session entry is written by `pikactl login`, not by keychain set', { code: 'usage', hint: 'pikactl login' });
  const openKeychain = () => requireKeychain(ctx, 'keychain set', 'Pass the key to each command with --key-from env:NAME, file:PATH or cmd:COMMAND instead.');

  // An entry named in full (`--name my-password`) belongs to no server: store it as given, untested.
  if (name !== undefined && !isKeychainKind(name)) {
    const { validateSecretSpecs } = await import('../secrets/spec.js');
    validateSecretSpecs([{ flag: '--key-from', spec: opts.keyFrom }]);
    const kc = await openKeychain();
    const { SecretReader } = await import('../secrets/reader.js');
    const value = await new SecretReader(ctx).read({ spec: opts.keyFrom, flag: '--key-from', label: `secret for keychain entry "${name}"`, confirm: true });
    return store(app, g, kc, name, value, { verified: false, reason: 'an entry named with --name is not tested against a server' });
  }

  const session = await openSession(app, g, [{ flag: '--key-from', spec: opts.keyFrom }]);
  try {
    const t = singleTarget(session, 'keychain set');
    const kind = (name ?? 'server-key') as Exclude<KeychainKind, 'session'>;
    const account = keychainAccount(kind, t.server);
    // Before the key is asked for: an operator without a keychain learns it before typing anything.
    const kc = await openKeychain();
    const label = kind === 'server-key' ? 'server key' : `key for ${kind}`;
    const key = await session.secrets.read({ spec: opts.keyFrom, flag: '--key-from', label, confirm: true, server: t.server });
    // Only the live key can be tested: the server's verifier accepts nothing else.
    const check: Verified =
      kind !== 'server-key'
        ? { verified: false, reason: `a ${kind} entry is not the live key` }
        : opts.verify
          ? await verifyKey(app, g, session, t, key)
          : { verified: false, reason: '--no-verify' };
    return await store(app, g, kc, account, key, check, t.server.id);
  } finally {
    await session.close();
  }
}

async function store(app: App, g: GlobalOptions, kc: Keychain, account: string, value: Secret, check: Verified, server?: string): Promise<number> {
  const { io } = app.ctx;
  const replaced = (await kc.get(account)) !== null;
  await kc.set(account, value);
  if (g.json) {
    writeJson(io, { ok: true, entry: account, backend: kc.backend, replaced, ...check, exit_code: 0 });
  } else {
    if (check.verified && check.unlocked && server) io.stderr.write(`${server} was locked; the key unlocked it.\n`);
    const how = check.verified ? ', verified against the server' : '';
    io.stdout.write(`${replaced ? 'Replaced' : 'Stored'} the keychain entry "${account}" in ${kc.backend}${how}.\n`);
  }
  return ExitCode.OK;
}

/**
 * Tests a key by unlocking with it: idempotent on an unlocked server (it re-checks the
 * verifier), a real unlock on a locked one. A 403 stops everything: nothing is stored.
 * Encryption off or a server that does not answer cannot test anything: stored with a warning.
 */
async function verifyKey(app: App, g: GlobalOptions, session: Session, t: Target, key: Secret): Promise<Verified> {
  const { ctx } = app;
  const [{ probeNode }, { ApiError }] = await Promise.all([import('../ops/probe.js'), import('../api/types.js')]);
  const warn = (reason: string): Verified => {
    ctx.io.stderr.write(`${ctx.io.style.yellow('Warning:')} the key was NOT verified: ${reason}. \`pikactl unlock\` will tell if it is wrong.\n`);
    return { verified: false, reason };
  };
  try {
    const before = await probeNode(t.client, ctx.signal);
    switch (before.state) {
      case 'off':
        return warn(`encryption is not initialized on ${t.server.id} (pikactl init --key-from keychain would use this entry)`);
      case 'unreachable':
        return warn(`${t.server.id} could not be reached`);
      case 'unreadable':
        return warn(`${t.server.id} cannot read its settings (a half-done rotation? see pikactl recover-rotation)`);
      case 'locked':
      case 'unlocked':
        break;
    }
    await authed(app, g, session, t, 'keychain set', () => t.client.unlock(key, ctx.signal));
    return { verified: true, unlocked: before.state === 'locked' };
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'wrong_key') {
      throw new CliError(`${t.server.id} rejected this key; nothing was stored`, {
        code: 'wrong_key',
        hint: 'Check which key is current (your password manager entry), then run `pikactl keychain set` again.',
        cause: err,
      });
    }
    if (err instanceof ApiError) throw await toCliError(err, t.server, 'verifying the key', true);
    throw err;
  }
}

async function runDelete(app: App, g: GlobalOptions, opts: DeleteOptions): Promise<number> {
  const { ctx } = app;
  const { resolveEntryName } = await import('../keychain/entries.js');
  const { account, kind } = await resolveEntryName(opts, async () => {
    // Naming an entry needs only the server's identity: no connection, no network.
    const { resolveConnection } = await import('../config/resolve.js');
    const conn = await resolveConnection(ctx, g);
    if (conn.servers.length !== 1) throw new CliError(`keychain delete acts on one server, but ${conn.servers.length} were given`, { code: 'usage', hint: 'Pass one --server, or the full entry name with --name.' });
    return conn.servers[0];
  });
  const kc = await ctx.keychain();
  if ((await kc.get(account)) === null) {
    throw new CliError(`no keychain entry "${account}" in ${kc.backend}`, { code: 'keychain_not_found', hint: 'See what is stored with: pikactl keychain list' });
  }
  const warning =
    kind === 'session'
      ? 'This forgets the session without ending it on the server (`pikactl logout` does both).'
      : kind === 'server-key-pending'
        ? 'A pending key may be the key the server holds after an unfinished init or rotate (pikactl recover-rotation reads it).'
        : 'The keychain may hold the only copy of this key: make sure it is in your password manager.';
  if (!opts.yes && ctx.io.canPrompt()) ctx.io.stderr.write(`${warning}\n`);
  await confirmAction(app, { yes: opts.yes, what: 'delete the keychain entry', question: `Delete the keychain entry "${account}"?` });
  await kc.delete(account);
  if (g.json) writeJson(ctx.io, { ok: true, entry: account, deleted: true, exit_code: 0 });
  else ctx.io.stdout.write(`Deleted the keychain entry "${account}".\n`);
  return ExitCode.OK;
}
