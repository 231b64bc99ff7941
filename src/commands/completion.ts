import type { Command } from 'commander';
import { completionScript, describeProgram, SHELLS, type Shell } from '../completion/index.js';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { argument, typed, type OptionsOf } from './shared/typed.js';

function declareCompletion(program: Command) {
  return typed(program)
    .command('completion')
    .description(summary('completion'))
    .addArgument(argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Install:
  bash  add to ~/.bashrc:  source <(pikactl completion bash)
  zsh   pikactl completion zsh > ~/.zfunc/_pikactl
        (with fpath+=(~/.zfunc) before compinit in ~/.zshrc)
  fish  pikactl completion fish > ~/.config/fish/completions/pikactl.fish
The npm package also ships these files in its completions/ directory.`,
    );
}

function declareComplete(program: Command) {
  return typed(program).command('__complete', { hidden: true }).argument('<what>', 'contexts');
}

export type CompletionOptions = OptionsOf<typeof declareCompletion>;
export type CompleteOptions = OptionsOf<typeof declareComplete>;

/** The run functions of `completion` and the hidden `__complete`, each replaceable (parse tests). */
export interface CompletionRuns {
  completion: RunCommand<CompletionOptions>;
  complete: RunCommand<CompleteOptions>;
}

/** `pikactl completion SHELL`, and the hidden `pikactl __complete contexts` the scripts call. */
export function registerCompletion(program: Command, app: App, override: Partial<CompletionRuns> = {}): void {
  const runs: CompletionRuns = { completion: completionOf(program), complete: runComplete, ...override };
  app.action(declareCompletion(program), (opts, g, args) => runs.completion(app, g, opts, args));
  app.action(declareComplete(program), (opts, g, args) => runs.complete(app, g, opts, args));
}

/** The script for the shell named (commander has checked it against SHELLS), over the whole command tree. */
export function completionOf(program: Command): RunCommand<CompletionOptions> {
  return async (app, _g, _opts, args) => {
    app.ctx.io.stdout.write(completionScript(args[0] as Shell, await describeProgram(program)));
    return 0;
  };
}

// Values only the user's files know, printed one per line. Completion must never
// print an error into the middle of a command line, so every failure prints nothing.
export const runComplete: RunCommand<CompleteOptions> = async (app, _g, _opts, args) => {
  if (args[0] !== 'contexts') return 0;
  try {
    const { loadConfig } = await import('../config/store.js');
    const { config } = await loadConfig(app.ctx);
    for (const name of Object.keys(config.contexts)) app.ctx.io.stdout.write(`${name}\n`);
  } catch {
    // unreadable or invalid config: no names
  }
  return 0;
};
