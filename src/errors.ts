/**
 * Exit codes are part of pikactl's contract with scripts: few, documented
 * (`pikactl help exit-codes`), and tested end to end.
 */
export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  LOCKED: 3,
  AUTH: 4,
  WRONG_KEY: 5,
  NOT_INITIALIZED: 6,
  UNREACHABLE: 7,
  NEEDS_RECOVERY: 8,
  RATE_LIMITED: 9,
  CANCELLED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_DOCS: ReadonlyArray<{ code: number; name: string; meaning: string }> = [
  { code: 0, name: 'ok', meaning: 'success (status: the server serves requests: unlocked, or encryption off)' },
  {
    code: 1,
    name: 'error',
    meaning: 'an error not covered below (unexpected server answer, local failure, stdout or stderr not writable)',
  },
  {
    code: 2,
    name: 'usage',
    meaning: 'bad flags or arguments, or input needed but no terminal to ask on (--no-input, CI)',
  },
  { code: 3, name: 'locked', meaning: 'the server is locked (status), or the action needs an unlocked server' },
  { code: 4, name: 'auth', meaning: 'not logged in, session expired, bad credentials, or missing settings.manage' },
  { code: 5, name: 'wrong-key', meaning: 'the server rejected the key (403 invalid server key)' },
  { code: 6, name: 'not-initialized', meaning: 'encryption is not initialized on the server' },
  {
    code: 7,
    name: 'unreachable',
    meaning:
      'server unreachable (incl. a gateway in front of Pika answering 5xx/429), TLS failure (incl. pin mismatch), or no answer in time to a request that changes nothing',
  },
  {
    code: 8,
    name: 'needs-recovery',
    meaning:
      'maybe done: a change was sent and may have been applied (an answer lost, late or garbled, an interrupt after sending, a half-done rotation; the hint names the command that finds out), or a multi-node action partly succeeded',
  },
  { code: 9, name: 'rate-limited', meaning: 'the server rate-limited the request (429); retry after the time shown' },
  {
    code: 130,
    name: 'cancelled',
    meaning: 'cancelled: Ctrl-C, SIGTERM or SIGHUP, end of input (Ctrl-D) at a prompt, or answered No',
  },
];

/** Stable machine-readable error codes for `--json` output. */
export type ErrorCode =
  | 'error'
  | 'usage'
  | 'locked'
  | 'auth'
  | 'not_permitted'
  | 'session_expired'
  | 'wrong_key'
  | 'not_initialized'
  | 'already_initialized'
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'needs_recovery'
  | 'partial'
  | 'rate_limited'
  | 'cancelled'
  | 'not_pika'
  | 'server_error'
  | 'keychain_unavailable'
  | 'keychain_not_found'
  | 'keychain_write_failed'
  | 'gateway'
  | 'maybe_done'
  | 'declined';

/**
 * The one table from an error kind to its exit code: nothing pairs them by hand.
 * `maybe_done` is the outcome "the change was sent and may have been applied" (exit 8),
 * `declined` a No at a confirmation (not an error, but nothing was done: exit 130).
 */
export const EXIT_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  error: ExitCode.ERROR,
  usage: ExitCode.USAGE,
  locked: ExitCode.LOCKED,
  auth: ExitCode.AUTH,
  not_permitted: ExitCode.AUTH,
  session_expired: ExitCode.AUTH,
  wrong_key: ExitCode.WRONG_KEY,
  not_initialized: ExitCode.NOT_INITIALIZED,
  already_initialized: ExitCode.ERROR,
  unreachable: ExitCode.UNREACHABLE,
  tls: ExitCode.UNREACHABLE,
  timeout: ExitCode.UNREACHABLE,
  gateway: ExitCode.UNREACHABLE,
  needs_recovery: ExitCode.NEEDS_RECOVERY,
  maybe_done: ExitCode.NEEDS_RECOVERY,
  partial: ExitCode.NEEDS_RECOVERY,
  rate_limited: ExitCode.RATE_LIMITED,
  cancelled: ExitCode.CANCELLED,
  declined: ExitCode.CANCELLED,
  not_pika: ExitCode.ERROR,
  server_error: ExitCode.ERROR,
  keychain_unavailable: ExitCode.ERROR,
  keychain_not_found: ExitCode.ERROR,
  keychain_write_failed: ExitCode.ERROR,
};

export function exitCodeFor(code: ErrorCode): number {
  return EXIT_BY_CODE[code];
}

export interface CliErrorOptions {
  code: ErrorCode;
  /** What to do next: printed after the message. */
  hint?: string;
  cause?: unknown;
  /** Extra machine-readable detail for --json (never secrets). */
  details?: Record<string, unknown>;
}

/** An error meant for the operator: message, hint and exit code. Printed once, by run(). */
export class CliError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(message: string, opts: CliErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CliError';
    this.code = opts.code;
    this.exitCode = EXIT_BY_CODE[opts.code];
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, { code: 'usage', hint });
}

export function cancelled(message = 'cancelled'): CliError {
  return new CliError(message, { code: 'cancelled' });
}

/** Input was needed but there is no terminal to ask on. Names the flag that supplies it. */
export function needsInput(what: string, flag: string): CliError {
  return usageError(`${what} is needed, but there is no terminal to ask on (no TTY or --no-input).`, `Pass ${flag}.`);
}
