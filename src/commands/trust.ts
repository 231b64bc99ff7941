import { summary } from './summaries.js';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { App, RunCommand } from './app.js';
import { typed, option, type OptionsOf } from './shared/typed.js';
import { confirmAction, declined } from './shared/confirm.js';
import { parseServerUrl, type ServerUrl } from '../api/url.js';
import { CliError, needsInput, usageError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import { writeJson } from '../output/json.js';
import { parseDuration } from '../util/duration.js';
import { NO_SERVER_HINT, unknownContextError } from '../config/resolve.js';
import { checkContextName, isValidContextName, type ConfigFile } from '../config/schema.js';
import { loadConfig, updateConfig } from '../config/store.js';
import { normalizePin } from '../transport/pin.js';
import { certJson, renderCert } from '../output/contexts.js';
import type { CertInfo } from '../config/tls-probe.js';
import { proxyFor, resolveProxy } from '../transport/proxy-config.js';

/** Which context receives the pin, and which servers to look at. */
interface TrustTarget {
  name: string;
  created: boolean;
  servers: ServerUrl[];
  timeout?: string;
  /** A CA file already configured (flag, env or context): used only to say whether normal verification passes. */
  cacert?: string;
}

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
  const target = chooseTarget(config, path, g, app.ctx.cwd);
  const http = target.servers.find((s) => s.url.protocol !== 'https:');
  if (http)
    throw usageError(
      `${http.id} uses plain http: there is no certificate to trust`,
      'Use the https:// URL (Pika serves TLS by default).',
    );

  const { fetchPeerCertificate } = await import('../config/tls-probe.js');
  const timeoutMs =
    g.timeoutExplicit || target.timeout === undefined ? g.timeoutMs : parseDuration(target.timeout, 'timeout');
  const ca = await trustAnchor(target.cacert);
  const proxies = resolveProxy(
    app.ctx.env,
    g.typed.proxy,
    target.created ? undefined : config.contexts[target.name].proxy,
  );
  const certs = await Promise.all(
    target.servers.map(async (s) => ({
      server: s,
      cert: await fetchPeerCertificate(s, {
        timeoutMs,
        signal: app.ctx.signal,
        now: app.ctx.clock.now(),
        ca,
        proxy: proxyFor(proxies, s.url),
      }),
    })),
  );
  const fp = certs[0].cert.fingerprintSha256;
  const human = g.json ? io.stderr : io.stdout;
  // With --json the details still go to the terminal (stderr) when the operator must compare them.
  if (!g.json || expected === undefined) for (const c of certs) human.write(renderCert(c.server.id, c.cert));
  if (certs.some((c) => c.cert.fingerprintSha256 !== fp)) {
    throw new CliError(`the servers of ${target.name} present different certificates; one context holds one pin`, {
      code: 'error',
      hint: 'Trust each replica in its own context (--context NAME --server URL), or give them one certificate and trust it with --cacert.',
      details: { fingerprints: Object.fromEntries(certs.map((c) => [c.server.id, c.cert.fingerprintSha256])) },
    });
  }

  const previous = target.created ? undefined : config.contexts[target.name].pin;
  const result = (changed: boolean) => ({
    ok: true,
    context: target.name,
    pinned: true,
    changed,
    fingerprint_sha256: fp,
    ...(previous && previous !== fp ? { previous_pin: previous } : {}),
    servers: certs.map((c) => ({ server: c.server.id, certificate: certJson(c.cert) })),
  });
  if (previous === fp) {
    if (g.json) writeJson(io, result(false));
    else io.stdout.write(`Context ${target.name} already pins this certificate. Nothing to do.\n`);
    return 0;
  }

  if (certs.every((c) => c.cert.verified)) {
    io.stderr.write(
      'A normal connection already trusts this certificate; a pin is optional (it also refuses a renewed certificate until you trust again).\n',
    );
  }
  if (previous) {
    io.stderr.write(
      `Context ${target.name} pins ${previous}, but the server now presents ${fp}.\n` +
        'Replace the pin only if the certificate was changed on purpose (regenerated or renewed); otherwise someone may be intercepting the connection.\n',
    );
  }
  await confirmFingerprint(app, fp, expected, certs[0].cert);
  if (previous && expected !== undefined) {
    await confirmAction(app, {
      yes: opts.yes,
      question: `Replace the pin of context ${target.name}?`,
      what: `replace the pin of context ${target.name}`,
    });
  }

  // Re-read the file under its lock: the operator may have taken a while to compare, and another pikactl may have written it.
  const {
    file,
    result: { existing, entry, wasInsecure, madeCurrent, current },
  } = await updateConfig(app.ctx, (fresh) => {
    const existing = Object.hasOwn(fresh.contexts, target.name) ? fresh.contexts[target.name] : undefined;
    const entry = existing ?? { servers: target.servers.map((s) => s.id) };
    entry.pin = fp;
    const wasInsecure = entry.insecure === true;
    // The pin is the trust decision now; "insecure" would only add a misleading "verification OFF" warning to every run.
    delete entry.insecure;
    fresh.contexts[target.name] = entry;
    const madeCurrent = fresh.current_context === undefined;
    if (madeCurrent) fresh.current_context = target.name;
    return { existing, entry, wasInsecure, madeCurrent, current: fresh.current_context === target.name };
  });

  if (g.json) {
    writeJson(io, { ...result(true), created_context: existing === undefined, current, config_file: file });
    return 0;
  }
  io.stdout.write(
    existing
      ? `Pinned SHA-256 ${fp} in context ${target.name} (${file}).\n`
      : `Created context ${target.name} for ${entry.servers.join(', ')} with pin SHA-256 ${fp} (${file}).\n`,
  );
  if (madeCurrent) io.stdout.write(`Current context is now ${target.name}.\n`);
  if (wasInsecure) io.stdout.write('Turned off "insecure" for this context: the pin now decides.\n');
  io.stdout.write(
    `pikactl now accepts exactly this certificate for ${target.name}. If the server's certificate changes, connections fail\n` +
      `(exit 7) naming both fingerprints; check the new one on the server, then run: pikactl trust --context ${target.name}\n`,
  );
  return 0;
}

/** The comparison: a matching --expect-fingerprint, or the operator typing "yes" on a terminal. */
async function confirmFingerprint(app: App, fp: string, expected: string | undefined, cert: CertInfo): Promise<void> {
  const { io } = app.ctx;
  if (expected !== undefined) {
    if (expected !== fp) {
      throw new CliError(`fingerprint mismatch: expected ${expected}, the server presented ${fp}`, {
        code: 'tls',
        hint: 'Nothing was stored. Check the fingerprint on the server (TLS page in the web UI, or openssl x509 -noout -fingerprint -sha256 -in <storage>/tls/server.crt); if they differ, the connection may be intercepted.',
        details: { expected, presented: fp },
      });
    }
    return;
  }
  if (!io.canPrompt())
    throw needsInput(
      'confirmation of the certificate fingerprint',
      '--expect-fingerprint SHA256 (the fingerprint the server shows)',
    );
  io.stderr.write(
    'Compare the SHA-256 fingerprint above with the one the server shows, obtained by a route you trust:\n' +
      "  - the TLS page in Pika's web UI settings (GET /api/v1/tls/status, fingerprint_sha256), or\n" +
      '  - on the server host: openssl x509 -noout -fingerprint -sha256 -in <storage>/tls/server.crt\n' +
      '    (<storage> is PIKA_STORAGE_BW_PATH, default data/pika)\n',
  );
  const answer = await io.prompter().input(`Type "yes" if it matches ${cert.fingerprintColons.slice(0, 11)}…:`);
  if (answer.trim().toLowerCase() !== 'yes')
    throw declined('Not trusted: the fingerprint was not confirmed; nothing was stored.');
}

/** Where the pin goes. See the help text: --context NAME, else a context listing the server, else a new one named after the host. */
function chooseTarget(config: ConfigFile, configFile: string, g: GlobalOptions, cwd: string): TrustTarget {
  const t = pickTarget(config, g);
  const fromContext = t.created ? undefined : config.contexts[t.name].cacert;
  const cacert = g.cacert
    ? resolve(cwd, g.cacert)
    : fromContext !== undefined
      ? resolve(dirname(configFile), fromContext)
      : undefined;
  return cacert !== undefined ? { ...t, cacert } : t;
}

function pickTarget(config: ConfigFile, g: GlobalOptions): TrustTarget {
  const given = g.servers.map((s) => parseServerUrl(s));
  const idsOf = (name: string) => config.contexts[name].servers.map((s) => parseServerUrl(s).id);
  if (g.context) {
    const name = g.context;
    if (!Object.hasOwn(config.contexts, name)) {
      if (given.length === 0) throw unknownContextError(name, config);
      return { name: checkContextName(name), created: true, servers: given };
    }
    const ids = idsOf(name);
    const stranger = given.find((s) => !ids.includes(s.id));
    if (stranger) {
      throw usageError(
        `${stranger.id} is not a server of context ${name}`,
        `Add it first (pikactl context add ${name} --force --server ...), or leave out --server to check all of its servers.`,
      );
    }
    return {
      name,
      created: false,
      servers: given.length > 0 ? given : ids.map((s) => parseServerUrl(s)),
      timeout: config.contexts[name].timeout,
    };
  }
  if (given.length > 0) {
    const holders = Object.keys(config.contexts).filter((n) => given.every((s) => idsOf(n).includes(s.id)));
    if (holders.length > 1)
      throw usageError(`several contexts list ${given[0].id}: ${holders.join(', ')}`, 'Pick one with --context NAME.');
    if (holders.length === 1)
      return { name: holders[0], created: false, servers: given, timeout: config.contexts[holders[0]].timeout };
    const name = nameForHost(given[0].host);
    if (Object.hasOwn(config.contexts, name)) {
      throw usageError(
        `a context named ${name} already exists for other servers`,
        `Pass --context NAME to choose where the pin goes.`,
      );
    }
    return { name, created: true, servers: given };
  }
  const current = config.current_context;
  if (current === undefined)
    throw usageError('no server to trust', NO_SERVER_HINT.replace('Pass --server URL', 'Pass --server URL (https)'));
  if (!Object.hasOwn(config.contexts, current)) throw unknownContextError(current, config);
  return {
    name: current,
    created: false,
    servers: idsOf(current).map((s) => parseServerUrl(s)),
    timeout: config.contexts[current].timeout,
  };
}

/** "pika.example.com" stays; an IPv6 literal "[::1]" becomes "host-::1". */
function nameForHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isValidContextName(bare)) return bare;
  const cleaned = `host-${bare.replace(/[^A-Za-z0-9._:-]/g, '-')}`.slice(0, 100);
  return checkContextName(cleaned);
}

/** The --cacert (or context cacert) file, read and checked like the transport reads it. */
async function trustAnchor(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const { loadCaFile } = await import('../transport/ca.js');
  return loadCaFile(file);
}
