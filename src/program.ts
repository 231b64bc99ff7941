import { Command, Option } from 'commander';
import type { Context } from './context.js';
import { GLOBAL_ENV, DEFAULT_TIMEOUT } from './globals.js';
import type { App, RegisterCommand } from './commands/app.js';
import { COMMANDS, NEEDS_WHOLE_TREE } from './commands/index.js';
import { SUMMARIES } from './commands/summaries.js';
import { VERSION } from './version.js';
import { CliError } from './errors.js';

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
    .addOption(new Option('--kube <ref>', 'the servers are the pods of sts/NAME, deploy/NAME, svc/NAME or po/NAME'))
    .addOption(new Option('-n, --namespace <ns>', 'Kubernetes namespace for --kube, kube-secret and kube: (default: the kubeconfig context\'s)'))
    .addOption(new Option('--kube-context <name>', 'kubeconfig context to use (default: its current context)'))
    .addOption(new Option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the pod\'s service account)'))
    .addOption(new Option('--kube-port <port>', 'pod port, a name or number (default: the port named http, else 8080)'))
    .addOption(new Option('--kube-connect <mode>', 'forward (port-forward via the API server) or direct (pod IP); default: direct in a pod, else forward'))
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
  const scan = opts.argv ? scanArgv(program, opts.argv) : undefined;
  const word = scan?.word;
  const whole = !scan || !scan.sure || (word !== undefined && NEEDS_WHOLE_TREE.has(word));
  const modules = await Promise.all(COMMANDS.map((e) => (whole || (word !== undefined && (e.names as string[]).includes(word)) ? e.load() : undefined)));
  COMMANDS.forEach((entry, i) => {
    const register = modules[i];
    if (register) register(program, app);
    else for (const name of entry.names) addStub(program, name, word);
  });
  program.helpCommand(false); // ours (help-topics.ts) knows the topics too
  return program;
}

/**
 * A stand-in that lists a command in `pikactl --help` without loading its module. It is
 * never meant to run: if the pre-scan named the wrong command, running the stub would
 * silently "succeed" (exit 0) having done nothing, so it fails loudly instead.
 */
function addStub(program: Command, name: string, scanned: string | undefined): void {
  program
    .command(name === 'help' ? 'help [topic-or-command...]' : name)
    .description(SUMMARIES[name as keyof typeof SUMMARIES])
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliError(`internal error: the command "${name}" was not loaded (the argument scan found ${scanned === undefined ? 'no command' : `"${scanned}"`})`, {
        code: 'error',
        hint: 'Please report this with the command line you ran (without secrets).',
      });
    });
}

export interface ArgvScan {
  /** The command word, when there is one. */
  word?: string;
  /** False when an option the program does not know comes first: only commander can tell, so load everything. */
  sure: boolean;
}

/**
 * Finds the command word the way commander's parseOptions will: global options and their
 * values are skipped, including combined short flags (`-ks URL`, `-ku admin`, `-sURL`) and
 * `--opt=value`. Help flags before any word mean the program's own help.
 */
export function scanArgv(program: Command, argv: string[]): ArgvScan {
  const find = (flag: string) => program.options.find((o) => o.short === flag || o.long === flag);
  const takesValue = (o: { required?: boolean; optional?: boolean }) => Boolean(o.required || o.optional);
  const isOption = (a: string | undefined) => a !== undefined && a.length > 1 && a.startsWith('-');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return { word: argv[i + 1], sure: true };
    if (!isOption(a)) return { word: a, sure: true };
    if (a === '-h' || a === '--help') return { sure: true };
    const exact = find(a);
    if (exact) {
      if (exact.required) i++;
      else if (exact.optional && !isOption(argv[i + 1])) i++;
      continue;
    }
    if (a[1] !== '-') {
      // A group of short flags: booleans, then at most one value-taking flag, whose value is
      // the rest of the group or, when it ends the group, the next argument.
      for (let j = 1; j < a.length; j++) {
        const o = find(`-${a[j]}`);
        if (!o) return { sure: false };
        if (takesValue(o)) {
          if (j === a.length - 1 && (o.required || !isOption(argv[i + 1]))) i++;
          break;
        }
      }
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 2) {
      const o = find(a.slice(0, eq));
      if (o && takesValue(o)) continue;
    }
    return { sure: false };
  }
  return { sure: true };
}

/** The command word of argv (see scanArgv), undefined when there is none or it cannot be told. */
export function commandWord(program: Command, argv: string[]): string | undefined {
  return scanArgv(program, argv).word;
}
