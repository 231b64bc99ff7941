import type { App } from '../app.js';
import { CliError, needsInput } from '../../errors.js';

/** A typed confirmation is asked again after a wrong answer, this many times in all. */
export const TYPED_ATTEMPTS = 3;

/** A No is the operator's decision, not an error: exit 130 with code `declined`, printed plainly. */
export function declined(message: string): CliError {
  return new CliError(message, { code: 'declined' });
}

/**
 * Confirmation in proportion to risk: show the target first, default No,
 * `--yes` for automation; without a terminal `--yes` is required.
 * `typed` makes the operator type a word (e.g. the host name, or "saved").
 */
export async function confirmAction(
  app: App,
  opts: { yes?: boolean; question: string; what: string; typed?: { word: string; prompt: string } },
): Promise<void> {
  if (opts.yes) return;
  const { io } = app.ctx;
  if (!io.canPrompt()) throw needsInput(`confirmation to ${opts.what}`, '--yes');
  if (opts.typed) return typedConfirmation(app, opts.typed, opts.what);
  const ok = await io.prompter().confirm(opts.question, false);
  if (!ok) throw declined(`Answered No: did not ${opts.what}.`);
}

/**
 * The operator types a word. A wrong answer ("yes", a typo) asks again, a bounded number of
 * times. The answer is wiped off the screen once given, and when it is one of this
 * invocation's secrets (a key pasted at the wrong prompt) the operator is told so; the answer
 * itself is never repeated.
 */
async function typedConfirmation(app: App, typed: { word: string; prompt: string }, what: string): Promise<void> {
  const { io } = app.ctx;
  const prompter = io.prompter();
  for (let attempt = 1; attempt <= TYPED_ATTEMPTS; attempt++) {
    const answer = await prompter.input(typed.prompt, undefined, { clearAfter: true });
    const word = answer.trim();
    if (word.toLowerCase() === typed.word.toLowerCase()) {
      io.stderr.write(`${typed.prompt} ${typed.word}\n`);
      return;
    }
    const left = TYPED_ATTEMPTS - attempt;
    const again =
      left > 0 ? ` Type the word ${typed.word} (${left} ${left === 1 ? 'try' : 'tries'} left; Ctrl-C stops).` : '';
    if (app.secretsRead.some((s) => s.reveal() === answer || s.reveal().trim() === word)) {
      io.stderr.write(
        `${io.style.yellow('That was a key, not the word')} "${typed.word}": it has been cleared from the screen.${again}\n`,
      );
    } else {
      io.stderr.write(`That is not "${typed.word}".${again}\n`);
    }
  }
  throw declined(`Not confirmed after ${TYPED_ATTEMPTS} answers: did not ${what}.`);
}
