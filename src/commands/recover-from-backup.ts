import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, singleTarget } from './shared/invocation.js';
import { toCliError } from './shared/api-errors.js';
import { authed } from './shared/auth-step.js';
import { requireSavedConfirmation, warnIfWeak } from './shared/key-safety.js';
import { ApiError } from '../api/types.js';
import { CliError, usageError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import type { Secret } from '../secrets/secret.js';
import { targetFlags } from '../config/target-flags.js';
import { jsonText } from '../output/json.js';

const PLAYBOOK = 'recover-from-backup';
/** Shell-safe, and never repeats a cmd: line (it may hold a secret). */
const specArg = (spec: string) =>
  spec.startsWith('cmd:') ? 'SPEC' : /^[\w@%+=:,./~-]+$/.test(spec) ? spec : `'${spec.replace(/'/g, `'\\''`)}'`;

/** The declaration, once: RecoverFromBackupOptions is inferred from it. */
function declareRecoverFromBackup(program: Command) {
  return typed(program)
    .command('recover-from-backup')
    .description(summary('recover-from-backup'))
    .requiredOption('--backup <file>', 'the .pikabw backup file')
    .option('--backup-key-from <source>', 'the server key that was live when the backup was taken (default: asked)')
    .option('--new-key-from <source>', 'the new key to rotate to (default: asked twice)')
    .option('--decrypt-with <source>', 'the backup password of an encrypted file')
    .option('--confirm-saved', 'confirm the new key is already saved (required without a terminal)')
    .option('--save-to-keychain', 'also keep the new key in the OS keychain (saved before it is sent)')
    .option('-y, --yes', 'do not ask before each step (required without a terminal)')
    .option('--plan', 'print the steps and their live state; reads no key, changes nothing')
    .addHelpText(
      'after',
      `
The runbook "lost key, have a backup" (pikactl runbook show
lost-key-with-backup), step by step against a FRESH server (never initialized; a
locked one refuses restores): check the file and the target, restore (merge),
unlock with the backup's key (a wrong key stops there, changing nothing), check
the settings open, rotate to a new key, verify. Each step is re-checked,
confirmed, verified and journaled (no secret in the journal); an interrupted run
resumes where it stopped when run again with the same backup file.
Exit codes: 0 serving on the new key, 2 bad file or input needed, 3 locked
target, 4 not logged in, 5 wrong backup password or backup key, 8 a step may
have run.

Examples:
  pikactl recover-from-backup --server https://new:8080 --backup b.pikabw --plan
  pikactl recover-from-backup --backup b.pikabw --backup-key-from env:OLD \\
    --new-key-from env:NEW --confirm-saved --yes`,
    );
}

export type RecoverFromBackupOptions = OptionsOf<typeof declareRecoverFromBackup>;

export function registerRecoverFromBackup(
  program: Command,
  app: App,
  run: RunCommand<RecoverFromBackupOptions> = runRecoverFromBackup,
): void {
  app.action(declareRecoverFromBackup(program), (opts, g, args) => run(app, g, opts, args));
}

export const runRecoverFromBackup: RunCommand<RecoverFromBackupOptions> = (app, g, opts) =>
  recoverFromBackup(app, g, opts);

async function recoverFromBackup(app: App, g: GlobalOptions, opts: RecoverFromBackupOptions): Promise<number> {
  const { ctx } = app;
  const [
    { resolve },
    inspect,
    { sendRestore, restoreTarget },
    journalMod,
    { runPlaybook },
    { backupSteps },
    { interactiveConfirmer },
    sinks,
    { apiErrorToCli },
  ] = await Promise.all([
    import('node:path'),
    import('../backup/inspect.js'),
    import('../backup/restore.js'),
    import('../playbooks/journal.js'),
    import('../playbooks/engine.js'),
    import('../playbooks/backup-steps.js'),
    import('../playbooks/confirm.js'),
    import('../output/playbook-events.js'),
    import('../api/errors.js'),
  ]);
  const path = resolve(ctx.cwd, opts.backup!);
  const first = await inspect.readHeader(path);
  inspect.assertComplete(path, first.header, first.size);
  const session = await openInvocation(app, g, [
    { flag: '--backup-key-from', spec: opts.backupKeyFrom },
    { flag: '--new-key-from', spec: opts.newKeyFrom },
    { flag: '--decrypt-with', spec: opts.decryptWith },
  ]);
  try {
    const t = singleTarget(session, PLAYBOOK);
    const plan = Boolean(opts.plan);
    const read = (spec: string | undefined, flag: string, label: string, confirm = false) =>
      session.secrets.read({ spec, flag, label, confirm });
    const staging =
      opts.saveToKeychain && !plan
        ? await (await import('../keychain/save.js')).openStaging(ctx, t.server, PLAYBOOK)
        : undefined;
    const password =
      first.header.encrypted && !plan ? await read(opts.decryptWith, '--decrypt-with', 'backup password') : undefined;
    const file = await inspect.inspectBackup(path, password, ctx.signal);
    const tie = `backup sha256 ${file.sha256}`;
    const resume = [
      `pikactl ${PLAYBOOK} ${targetFlags(t.server)} --backup ${specArg(path)}`,
      ...(['backupKeyFrom', 'newKeyFrom', 'decryptWith'] as const).flatMap((k) =>
        opts[k] ? [`--${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} ${specArg(opts[k]!)}`] : [],
      ),
    ].join(' ');
    // An unfinished run for this server and this very file is continued; another file's is closed.
    const found = plan ? null : await journalMod.findUnfinishedJournal(ctx, PLAYBOOK, t.server.id);
    const records = found?.records.some((r) => r.state === 'decided' && r.note === tie) ? found.records : undefined;
    const last = (step: string) => [...(records ?? [])].reverse().find((r) => r.step === step);
    const restoredBefore =
      ['done', 'started', 'skipped'].includes(last('restore')?.state ?? '') ||
      (last('restore')?.state === 'failed' && /may have been applied/.test(last('restore')!.note));
    const rot = last('rotate');
    const rotated = !rot
      ? 'no'
      : rot.state === 'done' || rot.state === 'skipped'
        ? 'done'
        : rot.state === 'started' || /may have been applied/.test(rot.note)
          ? 'unknown'
          : 'no';

    // A locked server that is not our own restore is refused up front (exit 3), before any key is asked for.
    if (!restoredBefore)
      await restoreTarget(t.client, ctx.signal).catch(async (err: unknown) => {
        throw err instanceof ApiError ? await toCliError(err, t.server, PLAYBOOK) : err;
      });
    let backupKey: Secret | undefined;
    let newKey: Secret | undefined;
    if (!plan) {
      backupKey = await read(opts.backupKeyFrom, '--backup-key-from', "backup's server key");
      if (rotated !== 'done') {
        newKey = await read(opts.newKeyFrom, '--new-key-from', 'new server key', true);
        if (newKey.equals(backupKey)) throw usageError("the new key must differ from the backup's key");
        warnIfWeak(app, newKey);
      }
    }
    const guard = [backupKey, newKey, password].filter((s): s is Secret => s !== undefined);
    let journal: import('../playbooks/journal.js').Journal | undefined;
    if (!plan) {
      if (found && !records)
        await journalMod
          .reopenJournal(ctx, found, { playbook: PLAYBOOK, server: t.server.id, guard })
          .then((j) => j.append({ step: '-', state: 'finished', note: 'not resumed: another backup file' }));
      journal = records
        ? await journalMod.reopenJournal(ctx, found!, { playbook: PLAYBOOK, server: t.server.id, guard })
        : await journalMod.createJournal(ctx, { playbook: PLAYBOOK, server: t.server.id, guard });
      if (!records) await journal.append({ step: 'plan', state: 'decided', note: tie });
    }
    const [{ sendRotation, verifyRotation }, save] = await Promise.all([
      import('../ops/rotation.js'),
      import('../keychain/save.js'),
    ]);
    let saved: import('../keychain/save.js').SavedKey | undefined;
    const label = {
      op: 'rotate' as const,
      server: t.server,
      caution: 'The backup key may no longer open this server.',
    };
    const stepCtx: import('../playbooks/backup-steps.js').BackupStepContext = {
      client: t.client,
      restored: restoredBefore,
      rotated,
      held: {
        backupKey: plan ? true : backupKey !== undefined,
        newKey: plan ? true : newKey !== undefined || rotated === 'done',
      },
      signal: ctx.signal,
      async checkFile() {
        if (file.opens === 'wrong_password') throw inspect.wrongPassword(path, '--decrypt-with');
      },
      async restore() {
        const message = await sendRestore({
          client: t.client,
          io: ctx.io,
          path,
          size: file.size,
          wipe: false,
          password,
          progress: !g.json,
          signal: ctx.signal,
        });
        if (!g.json) ctx.io.stderr.write(`The server says: ${message}\n`);
      },
      backupKey: () => backupKey!,
      async rotate() {
        await requireSavedConfirmation(app, opts.confirmSaved, t.server.id);
        await save.stagedSend(
          ctx,
          t.server,
          PLAYBOOK,
          staging,
          newKey!,
          () => sendRotation(t.client, label, backupKey!, newKey!, ctx.signal),
          () => verifyRotation(t.client, label, newKey!, ctx.signal),
        );
        if (staging) saved = await save.promoteOrExplain(staging, newKey!, t.server, 'rotated');
      },
    };
    const mapError = (err: unknown) => (err instanceof ApiError ? apiErrorToCli(err, t.server, PLAYBOOK) : undefined);
    try {
      await authed(app, g, session, t, PLAYBOOK, () =>
        runPlaybook(
          {
            name: PLAYBOOK,
            title: 'Recover from a backup',
            server: t.server,
            steps: backupSteps(),
            state: stepCtx,
            resumeCommand: resume,
          },
          {
            confirmer: interactiveConfirmer(ctx.io, app.secretsRead),
            events: g.json ? sinks.jsonLinesSink(ctx.io) : sinks.humanSink(ctx.io),
            journal,
            resumed: records ? found! : undefined,
            yes: Boolean(opts.yes),
            planOnly: plan,
            signal: ctx.signal,
            mapError,
          },
        ),
      );
    } catch (err) {
      const cli =
        err instanceof CliError ? err : err instanceof ApiError ? await toCliError(err, t.server, PLAYBOOK) : undefined;
      if (!cli) throw err;
      if (!g.json) throw cli;
      ctx.io.stdout.write(
        `${jsonText({ event: 'result', ok: false, server: t.server.id, error: { code: cli.code, message: cli.message, ...(cli.hint ? { hint: cli.hint } : {}) }, exit_code: cli.exitCode })}\n`,
      );
      return cli.exitCode;
    }
    if (plan) return 0;
    const where = saved ? `the keychain entry "${saved.live}"` : 'your password manager';
    if (g.json)
      ctx.io.stdout.write(
        `${jsonText({ event: 'result', ok: true, server: t.server.id, outcome: 'serving_on_new_key', ...(saved ? { keychain: saved } : {}), exit_code: 0 })}\n`,
      );
    else
      ctx.io.stdout.write(
        `${t.server.id} serves the backup's data on the NEW key (kept in ${where}). Take a fresh backup now and keep it with that key: pikactl backup export ${targetFlags(t.server)}\n`,
      );
    return 0;
  } finally {
    await session.close();
  }
}
