import { Argument, type Command } from 'commander';
import { completionScript, describeProgram, SHELLS, type Shell } from '../completion/index.js';
import { summary } from './summaries.js';
import type { App } from './app.js';

/** `pikactl completion SHELL`, and the hidden `pikactl __complete contexts` the scripts call. */
export function registerCompletion(program: Command, app: App): void {
  const cmd = program
    .command('completion')
    .description(summary('completion'))
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
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
  app.action<Record<string, never>>(cmd, async (_opts, _g, args) => {
    app.ctx.io.stdout.write(completionScript(args[0] as Shell, await describeProgram(program)));
    return 0;
  });

  // Values only the user's files know, printed one per line. Completion must never
  // print an error into the middle of a command line, so every failure prints nothing.
  const hidden = program.command('__complete', { hidden: true }).argument('<what>', 'contexts');
  app.action<Record<string, never>>(hidden, async (_opts, _g, args) => {
    if (args[0] !== 'contexts') return 0;
    try {
      const { loadConfig } = await import('../config/store.js');
      const { config } = await loadConfig(app.ctx);
      for (const name of Object.keys(config.contexts)) app.ctx.io.stdout.write(`${name}\n`);
    } catch {
      // unreadable or invalid config: no names
    }
    return 0;
  });
}
