import type { App } from '../app.js';
import { CliError } from '../../errors.js';
import { askTypedWord, askYesNo, TYPED_ATTEMPTS } from '../../io/confirm.js';

/** A No is the operator's decision, not an error: exit 130 with code `declined`, printed plainly. */
export function declined(message: string): CliError {
  return new CliError(message, { code: 'declined' });
}

/**
 * Confirmation in proportion to risk: show the target first, default No,
 * `--yes` for automation; without a terminal `--yes` is required.
 * `typed` makes the operator type a word (e.g. the host name, or "saved"): asked up to
 * TYPED_ATTEMPTS times, wiped off the screen, a key pasted there recognised (io/confirm.ts).
 */
export async function confirmAction(
  app: App,
  opts: { yes?: boolean; question: string; what: string; typed?: { word: string; prompt: string; noun?: string } },
): Promise<void> {
  if (opts.yes) return;
  const { io } = app.ctx;
  const need = `confirmation to ${opts.what}`;
  if (!opts.typed) {
    if (!(await askYesNo(io, need, opts.question))) throw declined(`Answered No: did not ${opts.what}.`);
    return;
  }
  const { word, prompt, noun = 'the word' } = opts.typed;
  const answer = await askTypedWord(io, need, {
    word,
    prompt,
    noun,
    wrong: `That is not "${word}".`,
    stop: 'Ctrl-C stops',
    secrets: app.secretsRead,
  });
  if (answer !== 'yes') throw declined(`Not confirmed after ${TYPED_ATTEMPTS} answers: did not ${opts.what}.`);
}
