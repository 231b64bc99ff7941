import { askTypedWord, askYesNo, TYPED_ATTEMPTS } from '../io/confirm.js';
import type { IO } from '../io/types.js';
import type { Secret } from '../secrets/secret.js';
import type { Confirmer, ConfirmRequest } from './types.js';

/**
 * A step's confirmation, over the one prompting logic of io/confirm.ts. Defaults to No. A
 * severe step asks the operator to type the server's host name, so muscle memory ("y, enter")
 * cannot run it against the wrong server: a typo is asked again (TYPED_ATTEMPTS in all), the
 * answer is wiped off the screen, and a key pasted there (one of `secretsRead`, the
 * invocation's secrets, read when asked) is named as such. "no" (or Enter alone) answers No at
 * once: an optional step is skipped that way, where Ctrl-C would cancel the whole run. False
 * makes the engine stop, or skip an optional step. Without a terminal it never hangs: it fails
 * with a usage error that names --yes.
 */
export function interactiveConfirmer(io: IO, secretsRead: readonly Secret[]): Confirmer {
  return {
    async confirm(req: ConfirmRequest): Promise<boolean> {
      const need = `Confirmation for "${req.title}"`;
      if (req.severity !== 'severe') {
        return askYesNo(io, need, `${req.optional ? 'Optional: run' : 'Run'} "${req.title}" on ${req.host}?`);
      }
      const otherwise = req.optional ? 'skip it' : 'stop';
      const answer = await askTypedWord(io, need, {
        word: req.host,
        prompt: `${req.optional ? 'Optional severe step' : 'Severe step'}. Type the server host name (${req.host}) to run it, or no to ${otherwise}:`,
        noun: 'the host name',
        wrong: `${io.style.yellow('Host name did not match.')}`,
        stop: req.optional ? 'no skips it' : 'no stops',
        noAnswers: true,
        secrets: secretsRead,
      });
      if (answer === 'wrong')
        io.stderr.write(`Not confirmed after ${TYPED_ATTEMPTS} answers: not running "${req.title}".\n`);
      return answer === 'yes';
    },
  };
}
