import { open, stat } from 'node:fs/promises';
import { platform } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CliError } from '../errors.js';

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
 * Reads a secret file. Refuses one that group or others may read, like ssh does
 * for private keys: a key in a world-readable file is already leaked. Pipes
 * (`file:<(pass show pika)` gives /dev/fd/63) have mode 0600 and pass.
 */
export async function readSecretFile(display: string, fullPath: string, checkMode = platform() !== 'win32'): Promise<string> {
  let mode: number;
  try {
    const st = await stat(fullPath);
    if (st.isDirectory()) throw fileError(`${display} is a directory, not a file with a secret in it`);
    mode = st.mode;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw fileError(`cannot read the secret file ${display}: ${describeFsError(err)}`, undefined, err);
  }
  // Windows has no such bits (stat reports 0o666); its ACLs are not checked here.
  if (checkMode && (mode & 0o077) !== 0) {
    throw fileError(
      `refusing to read the secret file ${display}: group or others may read it (mode ${(mode & 0o777).toString(8).padStart(3, '0')})`,
      `chmod 600 ${display}`,
    );
  }
  let buf: Buffer;
  try {
    const fh = await open(fullPath, 'r');
    try {
      buf = Buffer.alloc(MAX_SECRET_BYTES + 1);
      let size = 0;
      // Read in a loop: a pipe delivers its data in pieces.
      for (;;) {
        const { bytesRead } = await fh.read(buf, size, buf.length - size, null);
        if (bytesRead === 0) break;
        size += bytesRead;
        if (size > MAX_SECRET_BYTES) throw fileError(`the secret file ${display} is larger than 64 KiB; is it the right file?`);
      }
      buf = buf.subarray(0, size);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw fileError(`cannot read the secret file ${display}: ${describeFsError(err)}`, undefined, err);
  }
  // A byte-order mark from a Windows editor is not part of the passphrase.
  const text = trimOneNewline(buf.toString('utf8').replace(/^\uFEFF/, ''));
  if (text === '') throw fileError(`the secret file ${display} is empty`, `Write the secret into ${display}, or use another source.`);
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
