import type { Command, Option } from 'commander';
import { HELP_TOPICS } from '../commands/help-topics.js';

/**
 * The model of the command tree that the completion writers (bash.ts, zsh.ts, fish.ts)
 * turn into scripts; see index.ts for why we generate completion ourselves.
 *
 * The model (describeProgram) is also what scripts/man.ts renders into the man page.
 */

/** How an option's value (or a positional argument) completes. */
export type ValueHint =
  | { kind: 'free' }
  | { kind: 'choices'; values: string[] }
  /** A secret source: prompt - file:PATH env:NAME keychain keychain:NAME cmd:COMMAND. */
  | { kind: 'secret' }
  | { kind: 'file' }
  | { kind: 'dir' }
  /** Context names, read from the config file at completion time. */
  | { kind: 'contexts' };

export interface FlagSpec {
  long?: string;
  short?: string;
  /** commander's flags text, e.g. "-s, --server <url>". */
  flags: string;
  /** Undefined for a switch. */
  value?: { name: string; optional: boolean; hint: ValueHint };
  /** The option's own text (completion menus). */
  summary: string;
  /** With choices and default, as --help shows it (man page). */
  description: string;
}

export interface ArgSpec {
  name: string;
  required: boolean;
  variadic: boolean;
  description: string;
  hint: ValueHint;
}

export interface CommandSpec {
  /** Words after "pikactl", e.g. ["context", "add"]; [] for the program. */
  path: string[];
  name: string;
  aliases: string[];
  summary: string;
  description: string;
  /** commander's usage line, e.g. "pikactl status [options]". */
  usage: string;
  args: ArgSpec[];
  /** Options of this command only (global ones are on the root's `globals`). */
  flags: FlagSpec[];
  commands: CommandSpec[];
  /** Text commands add around --help (addHelpText): examples, exit codes, notes. */
  helpBefore: string;
  helpAfter: string;
}

export interface ProgramSpec extends CommandSpec {
  /** Program options accepted anywhere on the line (the program does not use positional options). */
  globals: FlagSpec[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Secret-source forms offered by completion; those ending in ":" take more text. */
export const SECRET_SCHEMES = ['prompt', '-', 'file:', 'env:', 'keychain', 'keychain:', 'cmd:'] as const;

/** Positional arguments whose values pikactl knows (keyed by command path). */
const ARG_HINTS: Record<string, (program: Command) => Promise<ValueHint>> = {
  'context use': async () => ({ kind: 'contexts' }),
  'context show': async () => ({ kind: 'contexts' }),
  'context remove': async () => ({ kind: 'contexts' }),
  'runbook show': async () => ({ kind: 'choices', values: [...(await import('../runbooks/index.js')).RUNBOOK_NAMES] }),
  help: async (program) => ({
    kind: 'choices',
    values: [...Object.keys(HELP_TOPICS), ...visible(program).map((c) => c.name())],
  }),
};

function visible(cmd: Command): Command[] {
  return cmd.createHelp().visibleCommands(cmd);
}

function optionHint(o: Option): ValueHint {
  const valueName = o.flags.match(/[<[]([^>\]]+)[>\]]/)?.[1] ?? '';
  if (o.argChoices) return { kind: 'choices', values: [...o.argChoices] };
  if (o.long?.endsWith('-from')) return { kind: 'secret' };
  if (o.long === '--context') return { kind: 'contexts' };
  if (valueName === 'file') return { kind: 'file' };
  if (valueName === 'dir') return { kind: 'dir' };
  return { kind: 'free' };
}

function flagSpec(cmd: Command, o: Option): FlagSpec {
  const help = cmd.createHelp();
  const valueName = o.flags.match(/[<[]([^>\]]+)[>\]]/)?.[1];
  return {
    long: o.long,
    short: o.short,
    flags: o.flags,
    value:
      o.required || o.optional ? { name: valueName ?? 'value', optional: o.optional, hint: optionHint(o) } : undefined,
    summary: oneLine(o.description),
    description: oneLine(help.optionDescription(o)),
  };
}

/** Captures what addHelpText() prints for `position` (commander keeps it as event listeners). */
function helpText(cmd: Command, position: 'before' | 'after'): string {
  let text = '';
  // Command is an EventEmitter at run time; its typings do not say so.
  (cmd as unknown as NodeJS.EventEmitter).emit(`${position}Help`, {
    error: false,
    command: cmd,
    write: (s: string) => (text += s),
  });
  return text.replace(/^\n+/, '').replace(/\s+$/, '');
}

/** Walks the tree as --help shows it: hidden commands and options are left out. */
export async function describeProgram(program: Command): Promise<ProgramSpec> {
  // Every program option but --version and --help works after any command; each command has its own --help.
  const globalOptions = program.options.filter((o) => !o.hidden && o.long !== '--version');
  const globals = globalOptions.map((o) => flagSpec(program, o));
  // `parent` is passed along because commander's implicit `help` subcommands have none set.
  const walk = async (cmd: Command, path: string[], parent?: Command): Promise<CommandSpec> => {
    const help = cmd.createHelp();
    const own = help.visibleOptions(cmd).filter((o) => !globalOptions.includes(o));
    const key = path.join(' ');
    const helpOf = cmd.name() === 'help' ? parent : undefined;
    const hintFor =
      ARG_HINTS[key] ??
      (helpOf ? async () => ({ kind: 'choices' as const, values: visible(helpOf).map((c) => c.name()) }) : undefined);
    const args: ArgSpec[] = [];
    for (const a of cmd.registeredArguments) {
      args.push({
        name: a.name(),
        required: a.required,
        variadic: a.variadic,
        description: oneLine(help.argumentDescription(a)),
        hint: a.argChoices
          ? { kind: 'choices', values: [...a.argChoices] }
          : hintFor
            ? await hintFor(program)
            : { kind: 'free' },
      });
    }
    const commands: CommandSpec[] = [];
    for (const sub of visible(cmd)) commands.push(await walk(sub, [...path, sub.name()], cmd));
    return {
      path,
      name: cmd.name(),
      aliases: cmd.aliases(),
      summary: oneLine(cmd.summary() || cmd.description()),
      description: cmd.description(),
      usage: fullUsage(help.commandUsage(cmd), path),
      args,
      flags: own.map((o) => flagSpec(cmd, o)),
      commands,
      helpBefore: helpText(cmd, 'before'),
      helpAfter: helpText(cmd, 'after'),
    };
  };
  return { ...(await walk(program, [])), globals };
}

/** commander puts the ancestors' names in front, except for its implicit `help` commands (no parent set). */
function fullUsage(usage: string, path: string[]): string {
  const ancestors = ['pikactl', ...path.slice(0, -1)].join(' ');
  return path.length === 0 || usage.startsWith(`${ancestors} `) ? usage : `${ancestors} ${usage}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Every command, depth first (the program first). */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(allCommands)];
}
