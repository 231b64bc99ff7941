import type { App } from './app.js';
import { openInvocation, singleTarget, type Invocation, type Target } from './shared/invocation.js';
import { toCliError } from './shared/api-errors.js';
import { authed } from './shared/auth-step.js';
import { confirmAction } from './shared/confirm.js';
import { ApiError } from '../api/types.js';
import type { GlobalOptions } from '../globals.js';
import { writeJson } from '../output/json.js';
import { targetFlags } from '../config/target-flags.js';
import type { Secret } from '../secrets/secret.js';
// A type only (gone at run time): backup.ts declares `restore` and loads this file when it runs.
import type { RestoreOptions } from './backup.js';

/** A secret for an offline command (no server, so no keychain default). */
export async function readOfflineSecret(app: App, spec: string, flag: string): Promise<Secret> {
  const [{ validateSecretSpecs }, { SourceReader }, { kubeSource }] = await Promise.all([
    import('../secrets/spec.js'),
    import('../secrets/reader.js'),
    import('./shared/kube-source.js'),
  ]);
  validateSecretSpecs([{ flag, spec }]);
  const s = await new SourceReader(app.ctx, { kube: kubeSource(app.ctx, {}) }).read({
    spec,
    flag,
    label: 'backup password',
  });
  app.secretsRead.push(s);
  return s;
}

/** `pikactl backup restore` (registered by backup.ts): check the file, the server, confirm, stream, read key/status. */
export async function restoreCommand(app: App, g: GlobalOptions, file: string, opts: RestoreOptions): Promise<number> {
  const { ctx } = app;
  const [
    { resolve },
    { readHeader, assertComplete, inspectBackup, wrongPassword },
    { restoreTarget, modeText, sendRestore },
  ] = await Promise.all([import('node:path'), import('../backup/inspect.js'), import('../backup/restore.js')]);
  const path = resolve(ctx.cwd, file);
  // The file first: a truncated or foreign file is refused before any login or request.
  const first = await readHeader(path);
  assertComplete(path, first.header, first.size);
  const session = await openInvocation(app, g, [{ flag: '--decrypt-with', spec: opts.decryptWith }]);
  try {
    const t = singleTarget(session, 'backup restore');
    const password = first.header.encrypted
      ? await session.secrets.read({ spec: opts.decryptWith, flag: '--decrypt-with', label: 'backup password' })
      : undefined;
    const checked = await inspectBackup(path, password, ctx.signal);
    if (checked.opens === 'wrong_password') throw wrongPassword(path, '--decrypt-with');
    const state = await restoreTarget(t.client, ctx.signal).catch(async (err: unknown) => {
      throw err instanceof ApiError ? await toCliError(err, t.server, 'backup restore') : err;
    });
    const wipe = Boolean(opts.wipe);
    const onto =
      state.kind === 'fresh'
        ? 'The server has never been initialized: after the restore it reads "initialized, locked" and unlocks with the key that was live when the backup was taken.'
        : "The server is initialized and unlocked under its own key. If the backup was taken under another key, its settings stop opening (500) until you lock it and unlock with the backup's key.";
    if (!g.json) {
      ctx.io.stderr.write(
        `Restore ${path}\n  db_version ${checked.header.dbVersion}, ${checked.size} bytes, sha256 ${checked.sha256}\n  into ${t.server.id}\n  ${modeText(wipe)}\n  ${onto}\n`,
      );
    }
    await confirmAction(app, {
      yes: opts.yes,
      what: 'restore the backup',
      question: `Restore into ${t.server.id}?`,
      typed: {
        word: t.server.host,
        noun: 'the host name',
        prompt: `Type the server host name (${t.server.host}) to restore into it:`,
      },
    });
    const message = await authed(app, g, session, t, 'backup restore', () =>
      sendRestore({
        client: t.client,
        io: ctx.io,
        path,
        size: checked.size,
        wipe,
        password,
        progress: !g.json,
        signal: ctx.signal,
      }),
    ).catch(async (err: unknown) => {
      throw err instanceof ApiError ? await toCliError(err, t.server, 'backup restore') : err;
    });
    if (!g.json) ctx.io.stderr.write(`The server says: ${message}\n`);
    if (wipe) await loginAfterWipe(app, g, session, t);
    return await afterRestore(app, g, t, wipe, message);
  } finally {
    await session.close();
  }
}

/** After a wipe the session that sent it is gone (sessions live in the database): log in again if possible. */
async function loginAfterWipe(app: App, g: GlobalOptions, session: Invocation, t: Target): Promise<boolean> {
  const { io } = app.ctx;
  if (!g.json)
    io.stderr.write('The wipe replaced the users and sessions: the session used for the restore no longer exists.\n');
  t.client.setSession(undefined);
  try {
    const who = await authed(app, g, session, t, 'log in after the wipe', (s) =>
      t.client.me(app.ctx.signal).then(() => s.user),
    );
    if (!g.json) io.stderr.write(`Logged in again${who ? ` as ${who}` : ''} (an account from the backup).\n`);
    return true;
  } catch {
    if (!g.json)
      io.stderr.write(
        `Could not log in again. Log in with an account from the backup: pikactl login ${targetFlags(t.server)}\n`,
      );
    return false;
  }
}

async function afterRestore(app: App, g: GlobalOptions, t: Target, wipe: boolean, message: string): Promise<number> {
  const { ctx } = app;
  const { unverified } = await import('../outcome.js');
  const f = targetFlags(t.server);
  const s = await t.client.keyStatus(ctx.signal).catch((err: unknown) => {
    // §12.5: restored rows sealed under another key than the live one: key/status answers 500.
    if (err instanceof ApiError && err.kind === 'server_error') return 'unreadable' as const;
    throw unverified({ op: 'restore', server: t.server }, err);
  });
  const mode = wipe ? 'wipe' : 'merge';
  const next =
    s === 'unreadable'
      ? `The restore is in, but the key in memory cannot open the restored settings (key/status answers 500): the backup was taken under another key. Next: pikactl lock ${f} --yes, then pikactl unlock ${f} --key-from SPEC with the backup's key.`
      : !s.initialized
        ? `The backup holds no server key verifier (taken before encryption was on): nothing to unlock. Check: pikactl status ${f}`
        : !s.unlocked
          ? `Next: unlock with the key that was live when the backup was taken, then rotate to a new key: pikactl unlock ${f} --key-from SPEC (or run pikactl recover-from-backup ${f} ... for the whole runbook)`
          : `The server stayed unlocked under its own key. If the backup was taken under another key: pikactl lock ${f}, then pikactl unlock ${f} --key-from SPEC with the backup's key.`;
  if (g.json) {
    writeJson(ctx.io, { ok: true, server: t.server.id, restored: true, mode, message, key_status: s, next });
  } else {
    const seen = s === 'unreadable' ? '' : ` key/status: initialized ${s.initialized}, unlocked ${s.unlocked}.`;
    ctx.io.stdout.write(`Restored into ${t.server.id} (${mode}).${seen}\n${next}\n`);
  }
  return 0;
}
