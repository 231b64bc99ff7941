import type { Readable, Writable } from 'node:stream';
import { cancelled } from '../errors.js';

/** What an @inquirer prompt is given (its second argument). */
export type InquirerContext = { input: Readable; output: Writable; clearPromptOnDone: boolean; signal: AbortSignal };

/**
 * Runs one @inquirer prompt so that it always settles. @inquirer rejects on Ctrl-C, but when
 * its input ends (Ctrl-D on an empty line makes readline close itself; a closed pipe or a
 * vanished terminal ends the stream) it never settles, and the process would drain its event
 * loop and exit 0 with every `finally` (the logout of an inline login) skipped. End of input
 * is a cancel here, and so is the invocation's signal (SIGINT/SIGTERM/SIGHUP): aborting the
 * prompt makes @inquirer close its readline, which turns the terminal's raw mode off again.
 */
export async function settled<T>(
  input: Readable,
  outer: AbortSignal | undefined,
  opts: { clear?: boolean },
  output: Writable,
  start: (ctx: InquirerContext) => Promise<T>,
): Promise<T> {
  if (outer?.aborted) throw cancelled();
  if (input.readableEnded || input.destroyed) throw cancelled('cancelled at the prompt (end of input)');
  const local = new AbortController();
  let why: 'eof' | 'signal' | undefined;
  const stop = (reason: 'eof' | 'signal') => {
    why ??= reason;
    local.abort(new Error(reason));
  };
  const onEnd = () => stop('eof');
  const onOuter = () => stop('signal');
  // readline's own keypress handler runs first; it closes (and pauses the input) on Ctrl-D at an empty line.
  const onKey = (_s: unknown, key?: { ctrl?: boolean; name?: string }) => {
    if (key?.ctrl && key.name === 'd') setImmediate(() => input.isPaused() && stop('eof'));
  };
  outer?.addEventListener('abort', onOuter, { once: true });
  try {
    const pending = start({ input, output, clearPromptOnDone: Boolean(opts.clear), signal: local.signal });
    input.on('keypress', onKey);
    input.once('end', onEnd);
    input.once('close', onEnd);
    return await pending;
  } catch (err) {
    if (why === 'eof') throw cancelled('cancelled at the prompt (end of input)');
    if (why === 'signal') throw cancelled();
    if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError'))
      throw cancelled('cancelled at the prompt');
    throw err;
  } finally {
    outer?.removeEventListener('abort', onOuter);
    input.off('keypress', onKey);
    input.off('end', onEnd);
    input.off('close', onEnd);
  }
}
