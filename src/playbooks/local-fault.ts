import { dirname } from 'node:path';
import { CliError } from '../errors.js';
import type { Journal, JournalEntry } from './journal.js';

/**
 * A playbook that fails on this machine (the disk is full, the journal's file system
 * went read-only) has still changed the server for every step that ran. The operator
 * needs exactly that: which steps ran on the server, and the command that resumes
 * (every step re-checks live state, so a resume skips what is done even when the
 * journal missed its line).
 */

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'the journal folder is gone',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
};

export function describeLocalFault(code: string): string {
  return `${code}: ${WHY[code] ?? 'local error'}`;
}

/**
 * A journal line that could not be written. A CliError (never "unexpected error:
 * ENOSPC"): it names the file, the errno and the line that is missing, so a caller
 * outside the engine (a diagnostic lock) still says what ran.
 */
export class JournalWriteError extends CliError {
  constructor(
    readonly localCode: string,
    readonly path: string,
    what: string,
    cause: unknown,
  ) {
    super(`cannot write the playbook journal ${path} (${describeLocalFault(localCode)}): ${what}`, {
      code: 'error',
      hint: `Free space or make ${dirname(path)} writable, then run the command again: it re-checks the server before every step.`,
      cause,
      details: { local_error: localCode, journal: path },
    });
    this.name = 'JournalWriteError';
  }
}

/** An errno error from the local file system (not a server answer, not a refused secret). */
export function localFaultCode(err: unknown): string | undefined {
  if (err instanceof JournalWriteError) return err.localCode;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(WHY, code) && !(err instanceof CliError) ? code : undefined;
}

/** "1/3 "Lock the server", 2/3 "…"" or undefined when none ran. */
export function stepList(ran: readonly string[]): string | undefined {
  return ran.length === 0 ? undefined : ran.join(', ');
}

/**
 * The journal could not be written. `ran`: steps this run did on the server (or
 * found done), in order, as "i/n title". needs_recovery (exit 8) once anything ran:
 * the server is part way through the playbook; otherwise a plain error (nothing changed).
 */
export function journalFault(err: unknown, journalPath: string, ran: readonly string[], resume: string): CliError {
  const code = localFaultCode(err)!;
  const steps = stepList(ran);
  const where = `${steps ? `Already done on the server: ${steps}.` : 'Nothing was changed on the server by this run.'}`;
  return new CliError(`cannot write the playbook journal ${journalPath} (${describeLocalFault(code)}). ${where}`, {
    code: steps ? 'needs_recovery' : 'error',
    hint: `Free space or make ${dirname(journalPath)} writable, then resume with: ${resume} (each step re-checks the server, so the steps already done are skipped).`,
    cause: err,
    details: { local_error: code, steps_done: [...ran], resume },
  });
}

/** A step's own local failure (e.g. writing a file): the same facts, with the step's title. */
export function stepLocalFault(title: string, err: unknown, ran: readonly string[], resume: string): CliError {
  const code = localFaultCode(err)!;
  const steps = stepList(ran);
  return new CliError(
    `"${title}" failed on this machine (${describeLocalFault(code)}). ${steps ? `Already done on the server: ${steps}.` : 'No earlier step of this run changed the server.'}`,
    {
      code: steps ? 'needs_recovery' : 'error',
      hint: `Fix the local problem, then resume with: ${resume}`,
      cause: err,
      details: { local_error: code, steps_done: [...ran], resume },
    },
  );
}

/**
 * The engine's journal writes. `record`: a local fault becomes journalFault (after
 * `onFault`, which ends the event stream). `recordFailure`: for paths that already
 * fail, where a journal that cannot be written must not hide the real error.
 * A note the secret guard refuses (a server message echoing input) is kept as a line
 * without its text. No journal (--plan): nothing is written.
 */
export function journalRecorder(
  journal: Journal | undefined,
  ran: readonly string[],
  resume: string,
  onFault: () => void,
) {
  const append = async (entry: JournalEntry) => {
    if (!journal) return;
    try {
      await journal.append(entry);
    } catch (err) {
      if (entry.note && err instanceof Error && err.message.startsWith('journal: refusing')) {
        await journal.append({ ...entry, note: '[note withheld: it matched a secret]' });
      } else throw err;
    }
  };
  const record = async (entry: JournalEntry) => {
    try {
      await append(entry);
    } catch (err) {
      if (journal && localFaultCode(err)) {
        onFault();
        throw journalFault(err, journal.path, ran, resume);
      }
      throw err;
    }
  };
  const recordFailure = (entry: JournalEntry) =>
    append(entry).catch((err: unknown) => {
      if (!localFaultCode(err)) throw err;
    });
  return { record, recordFailure };
}
