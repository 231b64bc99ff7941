import type { Readable, Writable } from 'node:stream';
import {
  noopSpinner,
  plainStyle,
  type IO,
  type OutputFailure,
  type Prompter,
  type Spinner,
  type Style,
} from './types.js';

interface StreamLike {
  isTTY?: boolean;
}

export interface SystemIOOptions {
  /** A stream, or a function giving one on first use: creating process.stdin costs start-up time. */
  stdin: Readable | (() => Readable);
  /** Whether stdin is a terminal, when stdin is given as a function; a function is asked on first use. */
  stdinIsTTY?: boolean | (() => boolean);
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** The invocation's signal (SIGINT/SIGTERM/SIGHUP): aborting it closes any open prompt. */
  signal?: AbortSignal;
  /** Called on the first write error of stdout or stderr: the command is to end (exit 1). */
  onOutputError?: (failure: OutputFailure) => void;
  /**
   * Who asks the questions; default: the @inquirer prompts on stdin/stderr. Tests inject a
   * scripted prompter here, and every other decision (canPrompt, colour, spinner) stays this class's.
   */
  prompter?: () => Prompter;
}

/** Decide colour the way most CLIs do: NO_COLOR wins, FORCE_COLOR forces, else the stream must be a TTY. */
export function colorWanted(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/**
 * A prompter over the three @inquirer prompts pikactl shows, each its own package (not the
 * @inquirer/prompts bundle of ten), each loaded only when that prompt is really shown (with
 * settle.js, so a command that never prompts does not load it).
 */
export function inquirerPrompter(input: Readable, output: Writable, signal?: AbortSignal): Prompter {
  return {
    async password(message) {
      const [{ default: password }, { settled }] = await Promise.all([
        import('@inquirer/password'),
        import('./settle.js'),
      ]);
      return settled(input, signal, {}, output, (ctx) => password({ message, mask: false }, ctx));
    },
    async input(message, defaultValue, opts = {}) {
      const [{ default: ask }, { settled }] = await Promise.all([import('@inquirer/input'), import('./settle.js')]);
      return settled(input, signal, { clear: opts.clearAfter }, output, (ctx) =>
        ask({ message, default: defaultValue }, ctx),
      );
    },
    // Not @inquirer/confirm: it reads any answer that starts with "y" ("yikes", a key pasted by
    // mistake) as Yes. Here only y or yes is a Yes, Enter alone the default, anything else No.
    // Only the start of a yes or no is drawn as typed (a key pasted there, then Ctrl-C, must not
    // stay on the screen); once answered the line shows the answer taken, not what was typed.
    async confirm(message, defaultValue = false) {
      const [{ default: ask }, { settled }] = await Promise.all([import('@inquirer/input'), import('./settle.js')]);
      const taken = (typed: string) => yesNoAnswer(typed, defaultValue);
      const drawn = (v: string) => (/^\s*(y|ye|yes|n|no)?\s*$/i.test(v) ? v : '*'.repeat(v.length));
      const typed = await settled(input, signal, {}, output, (ctx) =>
        ask(
          {
            message: `${message} (${defaultValue ? 'Y/n' : 'y/N'})`,
            transformer: (v, { isFinal }) => (isFinal ? (taken(v) ? 'Yes' : 'No') : drawn(v)),
          },
          ctx,
        ),
      );
      return taken(typed);
    },
  };
}

/** A y/N (or Y/n) answer: y or yes is Yes, an empty answer the default, anything else No. */
export function yesNoAnswer(typed: string, defaultValue: boolean): boolean {
  const a = typed.trim().toLowerCase();
  return a === '' ? defaultValue : a === 'y' || a === 'yes';
}

export class SystemIO implements IO {
  private stdinStream: Readable | (() => Readable);
  readonly stdout: Writable;
  readonly stderr: Writable;
  private stdinTTY: boolean | (() => boolean);
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  private readonly env: Record<string, string | undefined>;
  private colorOverride: boolean | undefined;
  private noInput = false;
  private cachedStyle: Style | undefined;
  private readonly signal: AbortSignal | undefined;
  private failure: OutputFailure | undefined;
  private readonly makePrompter: (() => Prompter) | undefined;

  constructor(opts: SystemIOOptions) {
    this.stdinStream = opts.stdin;
    this.makePrompter = opts.prompter;
    this.signal = opts.signal;
    // A full disk, a closed pipe (`| head`), a vanished terminal: without a listener the stream's
    // 'error' is an uncaught exception with a stack. Later errors of a failed stream are expected.
    for (const [name, stream] of [
      ['stdout', opts.stdout],
      ['stderr', opts.stderr],
    ] as const) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (this.failure) return;
        this.failure = { stream: name, code: err.code ?? 'EIO' };
        opts.onOutputError?.(this.failure);
      });
    }
    this.stdout = opts.stdout;
    this.stderr = opts.stderr;
    this.env = opts.env;
    this.stdinTTY =
      typeof opts.stdin === 'function' ? (opts.stdinIsTTY ?? false) : Boolean((opts.stdin as StreamLike).isTTY);
    this.stdoutIsTTY = Boolean((opts.stdout as StreamLike).isTTY);
    this.stderrIsTTY = Boolean((opts.stderr as StreamLike).isTTY);
  }

  get stdinIsTTY(): boolean {
    if (typeof this.stdinTTY === 'function') this.stdinTTY = Boolean(this.stdinTTY());
    return this.stdinTTY;
  }

  get stdin(): Readable {
    if (typeof this.stdinStream === 'function') this.stdinStream = this.stdinStream();
    return this.stdinStream;
  }

  configure(opts: { color?: boolean; noInput?: boolean }): void {
    if (opts.color === false) this.colorOverride = false;
    if (opts.noInput) this.noInput = true;
    this.cachedStyle = undefined;
  }

  get colorEnabled(): boolean {
    if (this.colorOverride === false) return false;
    // One style colours both streams (status fields on stdout, warnings on stderr), so both
    // must be terminals: `pikactl status | grep` must not get escape codes.
    return colorWanted(this.env, this.stderrIsTTY && this.stdoutIsTTY);
  }

  /** Loads chalk only when colour will really be used (a terminal): nothing for pipes and CI. */
  async ready(): Promise<void> {
    if (this.colorEnabled && !colorStyle) colorStyle = chalkStyle(new (await import('chalk')).Chalk({ level: 1 }));
  }

  get style(): Style {
    if (this.cachedStyle) return this.cachedStyle;
    // Until ready() has loaded chalk, output is plain rather than wrong.
    this.cachedStyle = this.colorEnabled && colorStyle ? colorStyle : plainStyle;
    return this.cachedStyle;
  }

  async outputFailure(): Promise<OutputFailure | undefined> {
    // Errors of writes already made are emitted on a later tick (sync streams too).
    await new Promise((resolve) => setImmediate(resolve));
    return this.failure;
  }

  canPrompt(): boolean {
    return !this.noInput && this.stdinIsTTY && this.stderrIsTTY && this.env.CI !== 'true';
  }

  prompter(): Prompter {
    return this.makePrompter ? this.makePrompter() : inquirerPrompter(this.stdin, this.stderr, this.signal);
  }

  spinner(text: string): Spinner {
    if (!this.stderrIsTTY || !this.colorEnabled || !roomForSpinner(this.stderr)) return noopSpinner;
    return lazySpinner(text, this.stderr);
  }
}

let colorStyle: Style | undefined;

/** chalk with a fixed level: the decision was made by colorWanted, not by chalk's own sniffing. */
function chalkStyle(colored: import('chalk').ChalkInstance): Style {
  return {
    bold: (s) => colored.bold(s),
    dim: (s) => colored.dim(s),
    red: (s) => colored.red(s),
    green: (s) => colored.green(s),
    yellow: (s) => colored.yellow(s),
    cyan: (s) => colored.cyan(s),
  };
}

/**
 * Whether the terminal can hold a spinner line. A terminal that reports 0 columns (`script`
 * without a controlling terminal gives a 0x0 pseudo-terminal) makes ora compute endless
 * lines to clear: a busy loop at 100 % CPU writing cursor codes, which never lets a signal
 * handler run. Below 20 columns the line wraps on every frame anyway.
 */
export function roomForSpinner(stream: unknown): boolean {
  const { columns, rows } = stream as { columns?: unknown; rows?: unknown };
  return typeof columns === 'number' && columns >= 20 && typeof rows === 'number' && rows > 0;
}

/** ora is loaded on first use; until it has loaded, updates are remembered. */
function lazySpinner(text: string, stream: Writable): Spinner {
  let current = text;
  let spinner: import('ora').Ora | undefined;
  let done = false;
  // A terminal resized below the minimum mid-spin: stop before ora draws its next frame
  // ('resize' comes with SIGWINCH, frames come from a timer); later lines are plain.
  const onResize = () => {
    if (roomForSpinner(stream)) return;
    spinner?.stop();
    spinner = undefined;
    finish();
  };
  const finish = () => {
    done = true;
    stream.off('resize', onResize);
  };
  stream.on('resize', onResize);
  const ready = import('ora').then(({ default: ora }) => {
    if (done || !roomForSpinner(stream)) return;
    spinner = ora({ text: current, stream: stream as NodeJS.WritableStream, discardStdin: false }).start();
  });
  void ready.catch(() => undefined);
  return {
    update(t) {
      current = t;
      if (spinner) spinner.text = t;
    },
    succeed(t) {
      finish();
      if (spinner) spinner.succeed(t ?? current);
      else stream.write(`✔ ${t ?? current}\n`);
    },
    fail(t) {
      finish();
      if (spinner) spinner.fail(t ?? current);
      else stream.write(`✖ ${t ?? current}\n`);
    },
    stop() {
      finish();
      spinner?.stop();
    },
  };
}
