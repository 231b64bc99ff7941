import type { App } from './app.js';
import { cancelled, needsInput } from '../errors.js';

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
  const prompter = io.prompter();
  if (opts.typed) {
    const answer = await prompter.input(opts.typed.prompt);
    if (answer.trim() !== opts.typed.word) throw cancelled(`not confirmed (expected "${opts.typed.word}")`);
    return;
  }
  const ok = await prompter.confirm(opts.question, false);
  if (!ok) throw cancelled(`did not ${opts.what}`);
}
