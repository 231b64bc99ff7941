import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** The file is not a regular file; `kind` says what it is ("a directory", "a named pipe (FIFO)"…). */
export class NotRegularFileError extends Error {
  constructor(readonly kind: string) {
    super(`it is ${kind}, not a regular file`);
  }
}

/** The file holds more than the caller's cap. */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`it is larger than ${maxBytes} bytes`);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

// Windows has no O_NONBLOCK (and no FIFOs to block on).
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * Reads a regular file of at most maxBytes. Anything else is refused BEFORE a
 * blocking open: opening a FIFO with no writer blocks the thread (not just a
 * promise) until someone writes, and /dev/zero never ends. stat first (a symlink to
 * a regular file is fine), then open with O_NONBLOCK and fstat the descriptor, so a
 * file swapped for a FIFO between the two is refused too. `check` sees the fstat
 * result (mode checks) before anything is read. fs errors are thrown as they are.
 */
export async function readRegularFile(path: string, maxBytes: number, check?: (st: Stats) => void): Promise<Buffer> {
  const first = await stat(path);
  if (!first.isFile()) throw new NotRegularFileError(kindOf(first));
  const fh = await open(path, constants.O_RDONLY | O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError(kindOf(st));
    check?.(st);
    if (st.size > maxBytes) throw new FileTooLargeError(maxBytes);
    const buf = Buffer.alloc(maxBytes + 1);
    let size = 0;
    // A file may grow while we read: the cap holds whatever stat said.
    for (;;) {
      const { bytesRead } = await fh.read(buf, size, buf.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) throw new FileTooLargeError(maxBytes);
    }
    return buf.subarray(0, size);
  } finally {
    await fh.close();
  }
}
