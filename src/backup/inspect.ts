import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CliError, usageError } from '../errors.js';
import type { Secret } from '../secrets/secret.js';
import { StreamingOpen } from './cipher.js';
import {
  BackupFormatError,
  completeness,
  containerKey,
  HEADER_SIZE,
  parseHeader,
  type BackupHeader,
} from './format.js';

/**
 * Offline look at a .pikabw file: header, completeness, SHA-256 and, with the backup
 * password, whether the container opens. One streaming pass in 1 MiB reads: memory
 * stays bounded whatever the file size, and the decrypted bytes are dropped as they
 * come (never written anywhere). The tag proves the password; the inner database
 * stream stays opaque (only the server can load it).
 */
export interface Inspection {
  path: string;
  size: number;
  sha256: string;
  header: BackupHeader;
  /** Bytes after the payload (Pika never reads them). */
  trailing: number;
  /** not_checked: plain backup, or no password given. */
  opens: 'yes' | 'wrong_password' | 'not_checked';
}

export async function readHeader(path: string): Promise<{ header: BackupHeader; size: number }> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw usageError(`${path} is not a file`);
    const size = st.size;
    const buf = Buffer.alloc(HEADER_SIZE);
    const { bytesRead } = await fh.read(buf, 0, HEADER_SIZE, 0);
    try {
      return { header: parseHeader(buf.subarray(0, bytesRead)), size };
    } catch (err) {
      if (err instanceof BackupFormatError) throw usageError(`${path} is not a usable Pika backup: ${err.message}`);
      throw err;
    }
  } finally {
    await fh.close();
  }
}

/** Refuses an incomplete file (nothing is sent then). */
export function assertComplete(path: string, header: BackupHeader, size: number): number {
  const c = completeness(header, size);
  if (!c.ok) {
    throw usageError(
      `${path} is truncated: the header announces ${HEADER_SIZE + header.payloadSize} bytes, the file has ${size} (${c.missing} missing)`,
      'A short file is a broken transfer or copy; use another copy of the backup, or export again.',
    );
  }
  return c.trailing;
}

export async function inspectBackup(path: string, password?: Secret, signal?: AbortSignal): Promise<Inspection> {
  const { header, size } = await readHeader(path);
  const trailing = assertComplete(path, header, size);
  const hash = createHash('sha256');
  const opener = header.encrypted && password ? new StreamingOpen(containerKey(password.reveal())) : undefined;
  let pos = 0;
  const end = HEADER_SIZE + header.payloadSize;
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024, signal });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (opener) {
        const from = Math.max(0, HEADER_SIZE - pos);
        const to = Math.min(chunk.length, end - pos);
        if (to > from) opener.update(chunk.subarray(from, to));
      }
      pos += chunk.length;
    }
  } catch (err) {
    if (signal?.aborted) throw new CliError('cancelled while reading the backup', { code: 'cancelled' });
    throw usageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const opens = !opener ? 'not_checked' : opener.finish() ? 'yes' : 'wrong_password';
  return { path, size, sha256: hash.digest('hex'), header, trailing, opens };
}

export function wrongPassword(path: string, flag: string): CliError {
  return new CliError(`the backup password does not open ${path} (the authentication tag does not match)`, {
    code: 'wrong_key',
    hint: `Check the password given with ${flag}: it is the one typed at export (--encrypt-with), not the server key.`,
  });
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
