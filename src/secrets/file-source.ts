import { platform } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CliError } from '../errors.js';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../util/read-file.js';

/** A secret is a passphrase or a cookie; anything bigger is the wrong file (a binary, a log). */
export const MAX_SECRET_BYTES = 64 * 1024;

/** Drops exactly one trailing "\n" or "\r\n": what `echo`, editors and password managers append. */
export function trimOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** `~` and `~/x` are the home directory; relative paths are relative to the working directory. */
export function expandPath(path: string, cwd: string, homedir: string): string {
  if (path === '~') return homedir;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homedir, path.slice(2));
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function fileError(message: string, hint?: string, cause?: unknown): CliError {
  return new CliError(message, { code: 'error', hint, cause });
}

/**
 * The secret in bytes read from a file, a command or stdin. Bytes that are not
 * UTF-8, or a NUL, are refused: decoding them leniently would turn them into
 * U+FFFD and send a key that is not the one in the file, and a NUL is never part
 * of a passphrase (it is a binary file, or UTF-16). A byte-order mark from a
 * Windows editor is dropped; so is one trailing newline. `what` starts a message:
 * "the secret file key.txt", "cmd:pass (--key-from)".
 */
export function decodeSecret(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (err) {
    throw fileError(
      `${what} is not valid UTF-8 text; refusing to guess what the secret is`,
      'Save the secret as UTF-8 text (not UTF-16, not a binary file).',
      err,
    );
  }
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    throw fileError(
      `${what} contains a NUL byte (at byte ${Buffer.byteLength(text.slice(0, nul))}); a secret is text`,
      'Save the secret as UTF-8 text (not UTF-16, not a binary file).',
    );
  }
  return trimOneNewline(text);
}

/**
 * Reads a secret file: a regular file of at most 64 KiB (a FIFO or device is
 * refused before it is opened for reading, so nothing can block on it). Refuses
 * one that group or others may read, like ssh does for private keys: a key in a
 * world-readable file is already leaked. For a secret that comes out of a program,
 * `cmd:` is the source (it has a timeout); `file:<(...)` is a pipe and is refused.
 */
export async function readSecretFile(
  display: string,
  fullPath: string,
  checkMode = platform() !== 'win32',
): Promise<string> {
  let buf: Buffer;
  try {
    buf = await readRegularFile(fullPath, MAX_SECRET_BYTES, (st) => {
      // Windows has no such bits (stat reports 0o666); its ACLs are not checked here.
      if (checkMode && (st.mode & 0o077) !== 0) {
        throw fileError(
          `refusing to read the secret file ${display}: group or others may read it (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')})`,
          `chmod 600 ${display}`,
        );
      }
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof NotRegularFileError) {
      throw fileError(
        `refusing to read the secret file ${display}: ${err.message}`,
        'Point file: at a regular file; for a secret printed by a program use cmd:COMMAND, for a pipe use - (stdin).',
        err,
      );
    }
    if (err instanceof FileTooLargeError)
      throw fileError(`the secret file ${display} is larger than 64 KiB; is it the right file?`, undefined, err);
    throw fileError(`cannot read the secret file ${display}: ${describeFsError(err)}`, undefined, err);
  }
  const text = decodeSecret(buf, `the secret file ${display}`);
  if (text === '')
    throw fileError(`the secret file ${display} is empty`, `Write the secret into ${display}, or use another source.`);
  return text;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return code ?? (err instanceof Error ? err.message : String(err));
  }
}
