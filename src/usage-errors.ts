import type { Command } from 'commander';
import { CliError } from './errors.js';

/**
 * commander's own errors ("error: unknown option '-v'", "(Did you mean --json?)") rewritten
 * as pikactl's: one `Error:` line and one `Hint:` line, printed by cli.ts like every other
 * error. Usage errors are exit 2 (code `usage`).
 */
export function usageFromCommander(
  err: { code: string; message: string },
  program: Command | undefined,
  argv: string[],
): CliError {
  let message = err.message.replace(/^error: /, '').trim();
  let hint: string | undefined;
  const suggestion = /\s*\(Did you mean (.+)\?\)$/.exec(message);
  if (suggestion) {
    message = message.slice(0, suggestion.index);
    hint = `Did you mean ${suggestion[1]}?`;
  }
  // Version guesses: -v is "verbose" in as many tools as it is "version", so it stays unknown
  // rather than silently doing one of the two; the hint names the one spelling.
  const versionGuess =
    (err.code === 'commander.unknownOption' && /^unknown option '(-v|--v|-version)'$/.test(message)) ||
    (err.code === 'commander.unknownCommand' && message === "unknown command 'version'");
  if (versionGuess) hint = 'The version is printed by: pikactl --version (or -V)';
  if (err.code === 'commander.excessArguments') {
    const name = /for '([^']+)'/.exec(message)?.[1];
    const cmd = name && program ? findCommand(program, name, argv) : undefined;
    const keyFlags = cmd ? cmd.options.map((o) => o.long ?? '').filter((l) => /key-from$/.test(l)) : [];
    if (keyFlags.length > 0) {
      return new CliError(
        `too many arguments for '${name}': a key is never a command-line argument (it would show in ps and in the shell history)`,
        {
          code: 'usage',
          hint:
            `Give ${keyFlags.length === 1 ? 'it' : 'keys'} with ${keyFlags.join(' / ')} SOURCE: prompt, -, file:PATH, env:NAME, keychain[:NAME], ` +
            `cmd:COMMAND (see: pikactl help secrets). On a terminal, leave ${keyFlags.length === 1 ? 'it' : 'them'} out to be asked.`,
        },
      );
    }
  }
  hint ??= `See: pikactl ${helpPath(program, argv)}--help`;
  return new CliError(message, { code: 'usage', hint });
}

/** The command of that name that argv names (depth first, the first whose name is in argv). */
function findCommand(root: Command, name: string, argv: string[]): Command | undefined {
  for (const sub of root.commands) {
    if (!argv.includes(sub.name())) continue;
    if (sub.name() === name) return sub;
    const deeper = findCommand(sub, name, argv);
    if (deeper) return deeper;
  }
  return undefined;
}

/** "keychain set " for `pikactl keychain set --bogus`: the words of argv that name commands. */
function helpPath(program: Command | undefined, argv: string[]): string {
  let cmd = program;
  const words: string[] = [];
  for (const a of argv) {
    const sub = cmd?.commands.find((c) => c.name() === a);
    if (!sub) continue;
    words.push(a);
    cmd = sub;
  }
  return words.map((w) => `${w} `).join('');
}
