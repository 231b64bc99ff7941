import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, singleTarget } from './shared/invocation.js';
import { toCliError } from './shared/api-errors.js';
import { authed } from './shared/auth-step.js';
import { ApiError } from '../api/types.js';
import type { GlobalOptions } from '../globals.js';
import { writeJson } from '../output/json.js';

/** `backup export`'s declaration, once: ExportOptions is inferred from it (so for each subcommand). */
function declareExport(backup: Command) {
  return typed(backup)
    .command('export')
    .description('download a backup (.pikabw) of the server into a file (0600)')
    .option('-o, --out <file>', 'where to write it (default: the name the server gives, in the current directory)')
    .option(
      '--encrypt-with <source>',
      'a backup password to encrypt the file with (env:NAME, file:PATH, keychain:NAME, cmd:..., stdin, prompt)',
    )
    .option('--since <version>', 'only changes newer than this database version (incremental)')
    .option('--until <version>', 'the state up to this database version (point in time)')
    .option('--force', 'replace an existing file')
    .addHelpText(
      'after',
      `
Needs a login with settings.manage; refused (503) while the server is locked.
The file is written beside its final name and renamed only once complete and
checked (header, size).
Exit codes: 0 saved, 2 bad flags or the file exists, 3 locked, 4 not logged in
or not permitted, 7 unreachable or the download broke off.

Examples:
  pikactl backup export --out pika.pikabw
  pikactl backup export --encrypt-with env:BACKUP_PASSWORD --json`,
    );
}

export type ExportOptions = OptionsOf<typeof declareExport>;

function declareInspect(backup: Command) {
  return typed(backup)
    .command('inspect')
    .description('check a backup file offline: header, completeness, SHA-256, and the password')
    .argument('<file>', 'the .pikabw file')
    .option(
      '--decrypt-with <source>',
      'the backup password, to check that the file opens (nothing decrypted is written)',
    )
    .addHelpText(
      'after',
      `
Reads the file once in 1 MiB pieces (bounded memory, whatever its size); with a
password the authentication tag is checked and the decrypted bytes are dropped.
Sends nothing.
Exit codes: 0 readable (and opens, when a password was given), 2 not a backup or
truncated, 5 the password does not open it.`,
    );
}

export type InspectOptions = OptionsOf<typeof declareInspect>;

function declareRestore(backup: Command) {
  return typed(backup)
    .command('restore')
    .description('restore a backup file into a server (merge, or --wipe)')
    .argument('<file>', 'the .pikabw file')
    .option('--wipe', 'make the database exactly the backup (ends the current session)')
    .option('--decrypt-with <source>', 'the backup password of an encrypted file')
    .option('-y, --yes', 'do not ask for the host name (required without a terminal)')
    .addHelpText(
      'after',
      `
The file is checked first (as inspect). A locked server refuses a restore (503):
restore into a fresh server, or unlock first. Merge keeps rows the backup lacks;
--wipe keeps nothing else. A restore writes rows only: afterwards the server
reads "initialized, locked", and unlocks with the key that was live when the
backup was taken.
Exit codes: 0 restored, 2 bad file, 3 locked, 4 not logged in, 5 wrong password,
8 the restore may have been applied (check with pikactl status), 130 declined.

Examples:
  pikactl backup restore pika.pikabw --server https://new-pika:8080
  pikactl recover-from-backup --backup pika.pikabw --backup-key-from prompt`,
    );
}

/** backup-restore.ts (loaded when `backup restore` runs) imports it as a type. */
export type RestoreOptions = OptionsOf<typeof declareRestore>;

/** The run functions of `backup`'s subcommands, each replaceable (parse tests). */
export interface BackupRuns {
  export: RunCommand<ExportOptions>;
  inspect: RunCommand<InspectOptions>;
  restore: RunCommand<RestoreOptions>;
}

const BACKUP_RUNS: BackupRuns = {
  export: (app, g, opts) => exportCommand(app, g, opts),
  inspect: (app, g, opts, args) => inspectCommand(app, g, args[0], opts),
  restore: async (app, g, opts, args) => (await import('./backup-restore.js')).restoreCommand(app, g, args[0], opts),
};

export function registerBackup(program: Command, app: App, override: Partial<BackupRuns> = {}): void {
  const runs = { ...BACKUP_RUNS, ...override };
  const backup = program.command('backup').description(summary('backup'));
  backup.addHelpText(
    'after',
    `
A backup holds the database exactly as stored: the settings still sealed under
the server key that was live at export, and users, sessions and tokens in plain
bytes. It is as sensitive as the database, and useless without that key: keep
the two together, in the same secure store. The backup password (--encrypt-with)
protects only the file.`,
  );
  app.action(declareExport(backup), (opts, g, args) => runs.export(app, g, opts, args));
  app.action(declareInspect(backup), (opts, g, args) => runs.inspect(app, g, opts, args));
  app.action(declareRestore(backup), (opts, g, args) => runs.restore(app, g, opts, args));
}

async function exportCommand(app: App, g: GlobalOptions, opts: ExportOptions): Promise<number> {
  const { ctx } = app;
  const [{ exportBackup, exportQuery, preflightOut }, { humanBytes }] = await Promise.all([
    import('../backup/export.js'),
    import('../backup/progress.js'),
  ]);
  exportQuery(opts.since, opts.until);
  await preflightOut({ out: opts.out, force: Boolean(opts.force), cwd: ctx.cwd });
  const session = await openInvocation(app, g, [{ flag: '--encrypt-with', spec: opts.encryptWith }]);
  try {
    const t = singleTarget(session, 'backup export');
    const password =
      opts.encryptWith === undefined
        ? undefined
        : await session.secrets.read({
            spec: opts.encryptWith,
            flag: '--encrypt-with',
            label: 'backup password',
            confirm: true,
          });
    const res = await authed(app, g, session, t, 'backup export', () =>
      exportBackup({
        client: t.client,
        io: ctx.io,
        cwd: ctx.cwd,
        out: opts.out,
        force: Boolean(opts.force),
        since: opts.since,
        until: opts.until,
        password,
        progress: !g.json,
        signal: ctx.signal,
        now: new Date(ctx.clock.now()),
      }),
    ).catch(async (err: unknown) => {
      throw err instanceof ApiError ? await toCliError(err, t.server, 'backup export') : err;
    });
    const key = await knownKeyEntry(app, t.server.id);
    const reminder = key
      ? `The matching server key: pikactl holds it in the keychain entry "${key}" (service pikactl), if that is still the live key. Keep this file and that key together, in the same secure store.`
      : 'pikactl holds no server key for this server: this file is useless without the key that is live now. Keep the two together, in the same secure store.';
    if (g.json) {
      writeJson(ctx.io, {
        ok: true,
        server: t.server.id,
        file: res.path,
        bytes: res.bytes,
        sha256: res.sha256,
        db_version: res.header.dbVersion.toString(),
        encrypted: res.header.encrypted,
        key_entry: key ?? null,
      });
      return 0;
    }
    const out = ctx.io.stdout;
    out.write(`Saved ${res.path}\n`);
    out.write(
      `  size        ${humanBytes(res.bytes)} (${res.bytes} bytes)\n  sha256      ${res.sha256}\n  db_version  ${res.header.dbVersion}\n`,
    );
    out.write(
      `  encrypted   ${res.header.encrypted ? 'yes (backup password)' : 'no: users, sessions and tokens are in plain bytes'}\n`,
    );
    out.write(`${reminder}\nCheck it any time: pikactl backup inspect ${res.path}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

/** "server-key:<url>" when the keychain has that entry (only names are listed, no value is read). */
async function knownKeyEntry(app: App, serverId: string): Promise<string | undefined> {
  const [{ openKeychainOrNull }, { keychainAccount }] = await Promise.all([
    import('../keychain/open.js'),
    import('../keychain/accounts.js'),
  ]);
  const kc = await openKeychainOrNull(app.ctx);
  const account = keychainAccount('server-key', serverId);
  const names: string[] = (await kc?.list().catch(() => [] as string[])) ?? [];
  return names.includes(account) ? account : undefined;
}

async function inspectCommand(app: App, g: GlobalOptions, file: string, opts: InspectOptions): Promise<number> {
  const { ctx } = app;
  const [{ inspectBackup, wrongPassword }, { resolve }, { humanBytes }, { readOfflineSecret }] = await Promise.all([
    import('../backup/inspect.js'),
    import('node:path'),
    import('../backup/progress.js'),
    import('./backup-restore.js'),
  ]);
  const path = resolve(ctx.cwd, file);
  const password =
    opts.decryptWith === undefined ? undefined : await readOfflineSecret(app, opts.decryptWith, '--decrypt-with');
  const r = await inspectBackup(path, password, ctx.signal);
  if (g.json) {
    writeJson(ctx.io, {
      ok: r.opens !== 'wrong_password',
      file: r.path,
      bytes: r.size,
      sha256: r.sha256,
      format_version: r.header.version,
      encrypted: r.header.encrypted,
      payload_bytes: r.header.payloadSize,
      db_version: r.header.dbVersion.toString(),
      complete: true,
      trailing_bytes: r.trailing,
      opens: r.opens,
    });
  } else {
    const out = ctx.io.stdout;
    out.write(
      `${r.path}\n  format      .pikabw version ${r.header.version}, complete${r.trailing ? ` (${r.trailing} trailing bytes, ignored by Pika)` : ''}\n`,
    );
    out.write(
      `  size        ${humanBytes(r.size)} (${r.size} bytes; payload ${r.header.payloadSize})\n  sha256      ${r.sha256}\n  db_version  ${r.header.dbVersion}\n`,
    );
    const opens =
      r.opens === 'yes'
        ? 'the password opens it (checked in memory, nothing written)'
        : r.opens === 'wrong_password'
          ? 'the password does NOT open it'
          : r.header.encrypted
            ? 'not checked (pass --decrypt-with)'
            : 'not encrypted';
    out.write(`  encrypted   ${r.header.encrypted ? 'yes' : 'no'}; ${opens}\n`);
  }
  if (r.opens === 'wrong_password') {
    if (g.json) return wrongPassword(r.path, '--decrypt-with').exitCode;
    throw wrongPassword(r.path, '--decrypt-with');
  }
  return 0;
}
