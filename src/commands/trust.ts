import { summary } from './summaries.js';
import type { Command } from 'commander';
import type { App, RunCommand } from './app.js';
import { typed, option, type OptionsOf } from './shared/typed.js';
import { confirmAction, declined } from './shared/confirm.js';
import { needsInput } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import { writeJson } from '../output/json.js';
import { loadConfig } from '../config/store.js';
import { normalizePin } from '../transport/pin.js';
import { renderCert } from '../output/contexts.js';
import type { CertInfo } from '../config/tls-probe.js';
import { chooseTrustTarget } from '../config/trust-target.js';
import { agreedFingerprint, checkExpectedFingerprint, fetchPresented, storePin } from '../config/trust.js';
import { alreadyPinnedText, beforePinText, COMPARE_FINGERPRINT_TEXT, pinnedText, trustJson } from '../output/trust.js';

/** The declaration, once: TrustOptions is inferred from it. */
function declareTrust(program: Command) {
  return typed(program)
    .command('trust')
    .description(summary('trust'))
    .addOption(
      option(
        '--expect-fingerprint <sha256>',
        'the fingerprint you got from the server by a trusted route; required without a terminal',
      ),
    )
    .addOption(option('-y, --yes', 'replace a different pin already stored without asking'))
    .addHelpText(
      'after',
      `
The server comes from --server or the context (--context NAME, else the current
one).
The pin goes into --context NAME, else a context that lists the server, else a
new context named after the host (made current if there is none).

Compare the fingerprint with the server's own before confirming: the TLS page in
Pika's web UI settings (GET /api/v1/tls/status), or on the server host:
  openssl x509 -noout -fingerprint -sha256 -in <storage>/tls/server.crt

Once pinned, a server presenting any other certificate is refused (exit 7,
naming both fingerprints). After a deliberate certificate change, run pikactl
trust again.

Examples:
  pikactl trust --server https://pika.example:8080
  pikactl trust --context prod --expect-fingerprint AB:CD:...  # no prompt`,
    );
}

export type TrustOptions = OptionsOf<typeof declareTrust>;

export function registerTrust(
  program: Command,
  app: App,
  run: RunCommand<TrustOptions> = (a, g, opts) => runTrust(a, opts, g),
): void {
  app.action(declareTrust(program), (opts, g, args) => run(app, g, opts, args));
}

async function runTrust(app: App, opts: TrustOptions, g: GlobalOptions): Promise<number> {
  const { io } = app.ctx;
  // Parse the expected value first: a typo should fail before any connection is made.
  const expected =
    opts.expectFingerprint !== undefined ? normalizePin(opts.expectFingerprint, '--expect-fingerprint') : undefined;
  const { config, path } = await loadConfig(app.ctx);
  const target = chooseTrustTarget(config, path, g, app.ctx.cwd);
  const presented = await fetchPresented(app.ctx, g, target);
  // With --json the details still go to the terminal (stderr) when the operator must compare them.
  const human = g.json ? io.stderr : io.stdout;
  if (!g.json || expected === undefined) for (const p of presented) human.write(renderCert(p.server.id, p.cert));
  const fp = agreedFingerprint(target.name, presented);
  if (target.pin === fp) {
    if (g.json) writeJson(io, trustJson(target, fp, presented, false));
    else io.stdout.write(alreadyPinnedText(target.name));
    return 0;
  }

  const before = beforePinText(target.name, fp, presented, target.pin);
  if (before) io.stderr.write(before);
  await confirmFingerprint(app, fp, expected, presented[0].cert);
  if (target.pin && expected !== undefined) {
    await confirmAction(app, {
      yes: opts.yes,
      question: `Replace the pin of context ${target.name}?`,
      what: `replace the pin of context ${target.name}`,
    });
  }
  const stored = await storePin(app.ctx, target, fp);
  if (g.json) {
    const { file, created, current } = stored;
    writeJson(io, { ...trustJson(target, fp, presented, true), created_context: created, current, config_file: file });
  } else io.stdout.write(pinnedText(target.name, fp, stored));
  return 0;
}

/** The comparison: a matching --expect-fingerprint, or the operator typing "yes" on a terminal. */
async function confirmFingerprint(app: App, fp: string, expected: string | undefined, cert: CertInfo): Promise<void> {
  const { io } = app.ctx;
  if (expected !== undefined) return checkExpectedFingerprint(expected, fp);
  if (!io.canPrompt())
    throw needsInput(
      'confirmation of the certificate fingerprint',
      '--expect-fingerprint SHA256 (the fingerprint the server shows)',
    );
  io.stderr.write(COMPARE_FINGERPRINT_TEXT);
  const answer = await io.prompter().input(`Type "yes" if it matches ${cert.fingerprintColons.slice(0, 11)}…:`);
  if (answer.trim().toLowerCase() !== 'yes')
    throw declined('Not trusted: the fingerprint was not confirmed; nothing was stored.');
}
