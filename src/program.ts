import { Command, Option } from 'commander';
import type { Context } from './context.js';
import { GLOBAL_ENV, DEFAULT_TIMEOUT } from './globals.js';
import type { App, RegisterCommand } from './commands/app.js';
import { COMMANDS, NEEDS_WHOLE_TREE } from './commands/index.js';
import { SUMMARIES } from './commands/summaries.js';
import { VERSION } from './version.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export interface BuildOptions {
  /** Register exactly these (tests). */
  commands?: RegisterCommand[];
  /**
   * The argv to be parsed: only the module of the command it names is loaded; the other
   * commands are stubs with their summary (enough for --help and "unknown command").
   * Without argv, or for help/completion, the whole tree is loaded (man page, completions).
   */
  argv?: string[];
}

/** Builds the command tree. Used by run(), the help tests and the man/completion generator. */
export async function buildProgram(ctx: Context, app: App, opts: BuildOptions = {}): Promise<Command> {
  const program = new Command('pikactl')
    .description("Operator CLI for the Pika server's at-rest encryption key.")
    .version(VERSION, '-V, --version', 'print the pikactl version')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    // "status", not "status [options]": the list is the same whether a command's module was
    // loaded or is a stub (see buildProgram); each command's --help shows its options and arguments.
    .configureHelp({ subcommandTerm: (cmd) => cmd.name() })
    .enablePositionalOptions(false)
    .addOption(new Option('-s, --server <url>', `Pika server URL, may include a base path; repeat for several replicas (env: ${GLOBAL_ENV.server})`).argParser(collect))
    .addOption(new Option('--context <name>', `use a named context from the config file (env: ${GLOBAL_ENV.context})`))
    .addOption(new Option('--cacert <file>', `trust this PEM certificate or CA for TLS, e.g. Pika's tls/server.crt (env: ${GLOBAL_ENV.cacert})`))
    .addOption(new Option('--pin <sha256>', `require this SHA-256 certificate fingerprint; colons and case ignored (env: ${GLOBAL_ENV.pin})`))
    .addOption(new Option('-k, --insecure', `skip TLS verification (dangerous; env: ${GLOBAL_ENV.insecure}=1)`))
    .addOption(new Option('--allow-http', `allow plain http:// to hosts other than loopback (env: ${GLOBAL_ENV.allowHttp}=1)`))
    .addOption(new Option('--proxy <url>', `HTTP(S) proxy for non-loopback servers; "" for none (env: ${GLOBAL_ENV.proxy}, HTTPS_PROXY)`))
    .addOption(new Option('--timeout <duration>', `per-request timeout, default ${DEFAULT_TIMEOUT}; a --wait caps it by what is left (env: ${GLOBAL_ENV.timeout})`).default(undefined, DEFAULT_TIMEOUT))
    .addOption(new Option('-u, --user <name>', `user for an inline login (env: ${GLOBAL_ENV.user})`))
    .addOption(new Option('--password-from <spec>', `where the login password comes from: a secret source (env: ${GLOBAL_ENV.passwordFrom})`))
    .addOption(new Option('--totp-from <spec>', `where a TOTP code comes from, if the account has 2FA (env: ${GLOBAL_ENV.totpFrom})`))
    .addOption(new Option('--strategy <name>', `password login strategy (env: ${GLOBAL_ENV.strategy})`).default(undefined, 'from /login/info, else local'))
    .addOption(new Option('--cookie-name <name>', `session cookie name (env: ${GLOBAL_ENV.cookieName})`).default(undefined, 'pika_session'))
    .addOption(new Option('--json', 'print one JSON document on stdout (errors too)'))
    .addOption(new Option('--no-color', 'disable colour (NO_COLOR is honoured too)'))
    .addOption(new Option('--no-input', 'never prompt; fail with a usage error naming the flag to use'))
    .addOption(new Option('--debug', 'show causes and stack traces of errors'));

  program.addHelpText(
    'after',
    `
Secrets are never taken on the command line. Use a secret source:
  prompt, -, file:PATH, env:NAME, keychain[:NAME], cmd:COMMAND   (see: pikactl help secrets)

--server URL takes the TLS trust, timeout and proxy of the context listing it.
HTTPS_PROXY, HTTP_PROXY and NO_PROXY work as in curl; loopback is never proxied.

Exit codes: pikactl help exit-codes     Environment: pikactl help environment`,
  );

  if (opts.commands) {
    for (const register of opts.commands) register(program, app);
    return program;
  }
  const word = opts.argv ? commandWord(program, opts.argv) : undefined;
  const whole = !opts.argv || (word !== undefined && NEEDS_WHOLE_TREE.has(word));
  const modules = await Promise.all(COMMANDS.map((e) => (whole || (word !== undefined && (e.names as string[]).includes(word)) ? e.load() : undefined)));
  COMMANDS.forEach((entry, i) => {
    const register = modules[i];
    if (register) register(program, app);
    else for (const name of entry.names) program.command(name === 'help' ? 'help [topic-or-command...]' : name).description(SUMMARIES[name]);
  });
  program.helpCommand(false); // ours (help-topics.ts) knows the topics too
  return program;
}

/**
 * The first operand of argv: the command to load. Skips global options and the values
 * of those that take one ("--server URL status" names status).
 */
export function commandWord(program: Command, argv: string[]): string | undefined {
  const takesValue = new Set<string>();
  for (const o of program.options) {
    if (o.required || o.optional) for (const f of [o.long, o.short]) if (f) takesValue.add(f);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-') || a === '-') return a;
    if (!a.includes('=') && takesValue.has(a)) i++;
  }
  return undefined;
}
