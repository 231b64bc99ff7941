import type { Readable, Writable } from 'node:stream';

/** Prompts always draw on stderr, so stdout stays clean for results. */
export interface Prompter {
  /** Hidden input: nothing is echoed. */
  password(message: string): Promise<string>;
  /** clearAfter: erase the prompt and the answer from the screen once answered (a pasted secret must not stay visible). */
  input(message: string, defaultValue?: string, opts?: { clearAfter?: boolean }): Promise<string>;
  confirm(message: string, defaultValue?: boolean): Promise<boolean>;
}

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export interface IO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Colour decided once from TTY, NO_COLOR, FORCE_COLOR and --no-color. */
  readonly style: Style;
  readonly colorEnabled: boolean;
  /** True when a prompt may be shown: stdin and stderr are terminals and --no-input was not given. */
  canPrompt(): boolean;
  prompter(): Prompter;
  /** A spinner on stderr when it is a terminal; otherwise a no-op (or plain lines). */
  spinner(text: string): Spinner;
  /** Loads what output needs (colours) before a command runs; optional for test doubles. */
  ready?(): Promise<void>;
  /**
   * The first write error on stdout or stderr (EPIPE, ENOSPC, EIO), looked at once pending
   * writes have settled; optional for test doubles.
   */
  outputFailure?(): Promise<OutputFailure | undefined>;
  /** Settings applied by global flags before a command runs. */
  configure(opts: { color?: boolean; noInput?: boolean }): void;
}

export interface OutputFailure {
  stream: 'stdout' | 'stderr';
  /** errno code, e.g. ENOSPC; never a stack. */
  code: string;
}

export const plainStyle: Style = {
  bold: (s) => s,
  dim: (s) => s,
  red: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  cyan: (s) => s,
};

export const noopSpinner: Spinner = {
  update() {},
  succeed() {},
  fail() {},
  stop() {},
};
