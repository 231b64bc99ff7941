import { needsInput } from '../errors.js';
import type { IO } from '../io/types.js';
import type { Confirmer, ConfirmRequest } from './types.js';

/**
 * Confirmation over the injected prompter. Defaults to No. A severe step asks the
 * operator to type the server's host name, so muscle memory ("y, enter") cannot
 * run it against the wrong server. Without a terminal it never hangs: it fails
 * with a usage error that names --yes.
 */
export function interactiveConfirmer(io: IO): Confirmer {
  return {
    async confirm(req: ConfirmRequest): Promise<boolean> {
      if (!io.canPrompt()) throw needsInput(`Confirmation for "${req.title}"`, '--yes');
      const prompter = io.prompter();
      const otherwise = req.optional ? 'skip it' : 'stop';
      if (req.severity !== 'severe') {
        return prompter.confirm(`${req.optional ? 'Optional: run' : 'Run'} "${req.title}" on ${req.host}?`, false);
      }
      const typed = await prompter.input(
        `${req.optional ? 'Optional severe step' : 'Severe step'}. Type the server host name (${req.host}) to run it, anything else to ${otherwise}:`,
      );
      const ok = typed.trim().toLowerCase() === req.host.toLowerCase();
      if (!ok) io.stderr.write(`${io.style.yellow('Host name did not match;')} not running "${req.title}".\n`);
      return ok;
    },
  };
}
