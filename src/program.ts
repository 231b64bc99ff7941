import { Command, Option } from 'commander';
import type { Deps } from './deps.js';
import { HELP_OPTION, ROOT_DESCRIPTION, ROOT_HELP_AFTER, ROOT_OPTIONS, VERSION_OPTION } from './root-help.js';
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
export async function buildProgram(_ctx: Deps, app: App, opts: BuildOptions = {}): Promise<Command> {
  const program = new Command('pikactl')
    .description(ROOT_DESCRIPTION)
    .version(VERSION, VERSION_OPTION.flags, VERSION_OPTION.description)
    .helpOption(HELP_OPTION.flags, HELP_OPTION.description)
    .showSuggestionAfterError(true)
    // "status", not "status [options]": the list is the same whether a command's module was
    // loaded or is a stub (see buildProgram); each command's --help shows its options and arguments.
    .configureHelp({ subcommandTerm: (cmd) => cmd.name() })
    .enablePositionalOptions(false);
  // Declared in root-help.ts, which also prints `pikactl --help` without commander (start-up).
  for (const o of ROOT_OPTIONS) {
    const option = new Option(o.flags, o.description);
    if (o.repeatable) option.argParser(collect);
    if (o.defaultDescription !== undefined) option.default(undefined, o.defaultDescription);
    program.addOption(option);
  }
  program.addHelpText('after', ROOT_HELP_AFTER);

  if (opts.commands) {
    for (const register of opts.commands) register(program, app);
    return program;
  }
  const scan = opts.argv ? scanArgv(program, opts.argv) : undefined;
  const word = scan?.word;
  const whole = !scan?.sure || (word !== undefined && NEEDS_WHOLE_TREE.has(word));
  const modules = await Promise.all(
    COMMANDS.map((e) => (whole || (word !== undefined && (e.names as string[]).includes(word)) ? e.load() : undefined)),
  );
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
      throw new CliError(
        `internal error: the command "${name}" was not loaded (the argument scan found ${scanned === undefined ? 'no command' : `"${scanned}"`})`,
        {
          code: 'error',
          hint: 'Please report this with the command line you ran (without secrets).',
        },
      );
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
