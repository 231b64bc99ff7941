import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, singleTarget } from './shared/invocation.js';
import { toCliError } from './shared/api-errors.js';
import { authed } from './shared/auth-step.js';
import { ApiError } from '../api/types.js';
import { CliError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import type { RenderInfo } from '../recovery/render.js';
import { targetFlags } from '../output/target-flags.js';
import { jsonText } from '../output/json.js';

/** Shell-safe, and never repeats a cmd: line (it may hold a secret). */
function specArg(spec: string): string {
  if (spec.startsWith('cmd:')) return 'SPEC';
  return /^[\w@%+=:,./~-]+$/.test(spec) ? spec : `'${spec.replace(/'/g, `'\\''`)}'`;
}

/** "keychain:server-key-pending:https://…" → "keychain:server-key-pending" (the short form names the same entry). */
function shortSource(source: string | undefined): string | undefined {
  if (!source) return undefined;
  const m = /^keychain:(server-key(?:-pending|-previous)?):/.exec(source);
  if (m) return `keychain:${m[1]}`;
  return source === 'prompt' ? undefined : specArg(source);
}

/**
 * A new key taken from the keychain's pending entry (a `rotate --save-to-keychain` that
 * did not confirm) stays pending until the operator settles it: say how, once the
 * server's key is known. pikactl does not move keychain entries it was not asked to.
 */
function pendingNote(server: string, newSource: string | undefined, end: string): string {
  if (!newSource?.startsWith('keychain:server-key-pending:')) return '';
  const s = targetFlags(server);
  const drop = `pikactl keychain delete --kind server-key-pending ${s}`;
  if (end === 'nothing_to_do') {
    return `The server runs on the new key, still stored as the keychain's pending entry. Make it the live entry: pikactl keychain set ${s} --key-from keychain:server-key-pending, then ${drop}\n`;
  }
  if (end === 'consistent_on_old')
    return `The server runs on the old key: the keychain's pending entry holds a key it does not use. When sure: ${drop}\n`;
  return '';
}

/** The declaration, once: RecoverRotationOptions is inferred from it. */
function declareRecoverRotation(program: Command) {
  return typed(program)
    .command('recover-rotation')
    .description(summary('recover-rotation'))
    .option(
      '--old-key-from <source>',
      'the key from before the rotation (default: keychain server-key-previous / server-key, else asked)',
    )
    .option(
      '--new-key-from <source>',
      'the key the rotation was meant to install (default: keychain server-key-pending / server-key, else asked)',
    )
    .option('-y, --yes', 'do not ask before each step (required without a terminal); also runs the offered re-rotation')
    .option('--plan', 'only diagnose and print the steps; sends no key and changes nothing (GETs only)')
    .addHelpText(
      'after',
      `
pikactl reads key/status and the settings, sends each key you hold at most once
(a wrong key changes nothing but counts toward the unlock rate limit), decides,
and carries the plan out:
each step is re-checked against the live server, confirmed (severe ones by
typing the host name), verified, and recorded in a journal that holds no secret.
An interrupted run resumes where it stopped. Holding only one of the two keys is
fine: pikactl works with what you have.

A key typed at the prompt is asked twice. When the server's verifier refuses the
keys you gave, pikactl says so first (check for a typo, or name the keychain
entries) before any restore step; instructions are checked against key/status
right before they are printed.

Exit codes: 0 consistent and unlocked on a key you hold, 2 input needed, 4 not
logged in, 5 the keys you gave do not open the server, 6 not initialized,
7 unreachable, 8 ends at the restore step (instructions printed), 9 rate
limited, 130 cancelled.

Examples:
  pikactl recover-rotation --plan
  pikactl recover-rotation --old-key-from keychain:server-key-previous \\
    --new-key-from env:NEW_KEY
  # rehearse: then pikactl rotate, then pikactl recover-rotation
  pikactl sandbox --fault rotate-write`,
    );
}

export type RecoverRotationOptions = OptionsOf<typeof declareRecoverRotation>;

export function registerRecoverRotation(
  program: Command,
  app: App,
  run: RunCommand<RecoverRotationOptions> = runRecoverRotation,
): void {
  app.action(declareRecoverRotation(program), (opts, g, args) => run(app, g, opts, args));
}

export const runRecoverRotation: RunCommand<RecoverRotationOptions> = (app, g, opts) => recoverRotation(app, g, opts);

async function recoverRotation(app: App, g: GlobalOptions, opts: RecoverRotationOptions): Promise<number> {
  const { ctx } = app;
  const inv = await openInvocation(app, g, [
    { flag: '--old-key-from', spec: opts.oldKeyFrom },
    { flag: '--new-key-from', spec: opts.newKeyFrom },
  ]);
  try {
    const t = singleTarget(inv, 'recover-rotation');
    const [{ apiErrorToCli }, { observeStatus }, { decideRecovery, emptyObservation, recordObservation }] =
      await Promise.all([
        import('../api/errors.js'),
        import('../recovery/diagnose.js'),
        import('../recovery/decision.js'),
      ]);
    const mapError = (err: unknown) =>
      err instanceof ApiError ? apiErrorToCli(err, t.server, 'recover-rotation') : undefined;
    try {
      const [
        { runRecovery },
        { resolveRecoveryKeys },
        { interactiveConfirmer },
        { humanSink, jsonLinesSink },
        { renderDiagnosis },
      ] = await Promise.all([
        import('../recovery/run.js'),
        import('../recovery/keys.js'),
        import('../playbooks/confirm.js'),
        import('../output/playbook-events.js'),
        import('../recovery/render.js'),
      ]);
      const render: RenderInfo = {
        server: t.server.id,
        newKeyFrom: opts.newKeyFrom === undefined ? undefined : specArg(opts.newKeyFrom),
      };
      // Unreachable or not initialized: said without asking for keys or a login.
      const first = await observeStatus(t.client, ctx.signal);
      if (first.kind === 'unreachable' || (first.kind === 'ok' && !first.initialized)) {
        const seen = recordObservation(emptyObservation({ old: false, new: false }), { kind: 'status', result: first });
        const plan = decideRecovery(seen);
        if (g.json)
          ctx.io.stdout.write(
            `${jsonText({ event: 'result', ok: false, server: t.server.id, outcome: plan.code, title: plan.title, exit_code: plan.exitCode })}\n`,
          );
        else ctx.io.stdout.write(renderDiagnosis(plan, seen, ctx.io.style, render));
        return plan.exitCode;
      }
      const keys = await resolveRecoveryKeys(
        ctx,
        t.server,
        { old: opts.oldKeyFrom, new: opts.newKeyFrom },
        (spec, flag, label, confirm) => inv.secrets.read({ spec, flag, label, confirm }),
        {
          planOnly: Boolean(opts.plan),
        },
      );
      // A key typed at recovery's own prompt or found in the keychain is one this run read too:
      // pasted at a severe step's "type the host name", it is recognised and wiped (io/confirm.ts).
      for (const k of [keys.keys.old, keys.keys.new]) if (k && !app.secretsRead.includes(k)) app.secretsRead.push(k);
      render.newKeyFrom ??= shortSource(keys.sources.new);
      render.sources = keys.sources;
      if (!g.json) {
        const from = (k: 'old' | 'new') => (keys.held[k] ? (keys.sources[k] ?? 'asked when needed') : 'not supplied');
        ctx.io.stderr.write(ctx.io.style.dim(`Keys: old ${from('old')}; new ${from('new')}.\n`));
      }
      const resume = [
        `pikactl recover-rotation ${targetFlags(t.server)}`,
        ...(opts.oldKeyFrom ? [`--old-key-from ${specArg(opts.oldKeyFrom)}`] : []),
        ...(opts.newKeyFrom ? [`--new-key-from ${specArg(opts.newKeyFrom)}`] : []),
      ].join(' ');
      const { end, exitCode } = await authed(app, g, inv, t, 'recover-rotation', () =>
        runRecovery({
          ctx,
          client: t.client,
          server: t.server,
          keys,
          yes: Boolean(opts.yes),
          planOnly: Boolean(opts.plan),
          json: g.json,
          confirmer: interactiveConfirmer(ctx.io, app.secretsRead),
          events: g.json ? jsonLinesSink(ctx.io) : humanSink(ctx.io),
          resumeCommand: resume,
          render,
          mapError,
        }),
      );
      if (!g.json) ctx.io.stderr.write(pendingNote(t.server.id, keys.sources.new, end));
      return exitCode;
    } catch (err) {
      const cli =
        err instanceof CliError
          ? err
          : err instanceof ApiError
            ? await toCliError(err, t.server, 'recover-rotation')
            : undefined;
      if (!cli) throw err;
      if (!g.json) throw cli;
      // --json streams one event per line: the error is the last line, not a pretty document.
      ctx.io.stdout.write(
        `${jsonText({ event: 'result', ok: false, server: t.server.id, error: { code: cli.code, message: cli.message, ...(cli.hint ? { hint: cli.hint } : {}) }, exit_code: cli.exitCode })}\n`,
      );
      return cli.exitCode;
    }
  } finally {
    await inv.close();
  }
}
