import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import type { ProgramSpec, Shell } from './model.js';
import { zshScript } from './zsh.js';

/**
 * Shell completion, generated from the live commander tree: `pikactl completion
 * bash|zsh|fish` prints a script, and `npm run gen` writes the same text to
 * completions/ (scripts/gen.ts calls completionScript() too, so the two cannot drift).
 *
 * Why our own small generator rather than a library: the libraries that hook into
 * commander (tabtab, omelette, @bomb.sh/tab) make the shell call back into pikactl on
 * every TAB, which costs a Node start-up (~0.1-0.2 s) per key press and a dependency;
 * none emits static scripts from a commander 14 tree. Ours emits static tables plus a
 * small engine per shell, answers instantly, and calls pikactl only for values that
 * live in the user's config (context names: the hidden `pikactl __complete contexts`).
 *
 * The model (describeProgram) is also what scripts/man.ts renders into the man page.
 *
 * Layout: model.ts (the tree as data), shared.ts (the tables every shell gets), and one
 * writer per shell (bash.ts, zsh.ts, fish.ts) with its engine text.
 */

export {
  allCommands,
  describeProgram,
  SECRET_SCHEMES,
  SHELLS,
  type ArgSpec,
  type CommandSpec,
  type FlagSpec,
  type ProgramSpec,
  type Shell,
  type ValueHint,
} from './model.js';

export function completionScript(shell: Shell, spec: ProgramSpec): string {
  switch (shell) {
    case 'bash':
      return bashScript(spec);
    case 'zsh':
      return zshScript(spec);
    case 'fish':
      return fishScript(spec);
  }
}
