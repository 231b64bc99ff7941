import { needsInput } from '../errors.js';
import type { Secret } from '../secrets/secret.js';
import type { IO } from './types.js';

/**
 * The one way pikactl asks "are you sure?" on a terminal. Two thin wrappers decide what a
 * No means: `confirmAction` (commands/shared/confirm.ts) throws `declined` (exit 130), the
 * playbook's `interactiveConfirmer` (playbooks/confirm.ts) returns false so the engine stops
 * or skips an optional step. Here: no terminal is a usage error naming the flag that answers
 * instead (--yes), y/N defaults to No, and a typed word is asked a bounded number of times.
 */

/** A typed confirmation is asked again after a wrong answer, this many times in all. */
export const TYPED_ATTEMPTS = 3;

/** Without a terminal nothing may hang waiting for an answer: `need` names what was to be asked. */
function requireTerminal(io: IO, need: string): void {
  if (!io.canPrompt()) throw needsInput(need, '--yes');
}

/** y/N, default No. */
export async function askYesNo(io: IO, need: string, question: string): Promise<boolean> {
  requireTerminal(io, need);
  return io.prompter().confirm(question, false);
}

export interface TypedWord {
  /** What must be typed (compared trimmed, in any case), e.g. "saved" or the server's host name. */
  word: string;
  prompt: string;
  /** How the messages name it: "the word" gives `Type the word saved`, `not the word "saved"`. */
  noun: string;
  /** Said after a wrong answer that is not a key, e.g. `That is not "saved".` */
  wrong: string;
  /** How to stop instead, said with the tries left: "Ctrl-C stops". */
  stop: string;
  /**
   * Whether an empty answer, "n" or "no" answers No at once (where No is an answer the caller
   * acts on, like skipping an optional step, rather than only Ctrl-C).
   */
  noAnswers?: boolean;
  /** This invocation's secrets: an answer that is one of them is a key pasted at the wrong prompt. */
  secrets: readonly Secret[];
}

/** yes: the word was typed; no: a No answer (`noAnswers`); wrong: TYPED_ATTEMPTS answers, none the word. */
export type TypedAnswer = 'yes' | 'no' | 'wrong';

/**
 * The operator types a word, so muscle memory ("y, enter") confirms nothing. A wrong answer
 * ("yes", a typo) asks again, a bounded number of times. The answer is wiped off the screen
 * once given (a key pasted there must not stay visible) and, when it is one of this
 * invocation's secrets, the operator is told so; the answer itself is never repeated.
 */
export async function askTypedWord(io: IO, need: string, t: TypedWord): Promise<TypedAnswer> {
  requireTerminal(io, need);
  const prompter = io.prompter();
  for (let attempt = 1; attempt <= TYPED_ATTEMPTS; attempt++) {
    const answer = await prompter.input(t.prompt, undefined, { clearAfter: true });
    const word = answer.trim();
    if (word.toLowerCase() === t.word.toLowerCase()) {
      // The prompt was wiped with the answer: what was confirmed stays on the screen.
      io.stderr.write(`${t.prompt} ${t.word}\n`);
      return 'yes';
    }
    if (t.noAnswers && ['', 'n', 'no'].includes(word.toLowerCase())) return 'no';
    const left = TYPED_ATTEMPTS - attempt;
    const again =
      left > 0 ? ` Type ${t.noun} ${t.word} (${left} ${left === 1 ? 'try' : 'tries'} left; ${t.stop}).` : '';
    if (t.secrets.some((s) => s.reveal() === answer || s.reveal().trim() === word)) {
      io.stderr.write(
        `${io.style.yellow(`That was a key, not ${t.noun}`)} "${t.word}": it has been cleared from the screen.${again}\n`,
      );
    } else {
      io.stderr.write(`${t.wrong}${again}\n`);
    }
  }
  return 'wrong';
}
