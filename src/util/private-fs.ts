import { chmod, mkdir, open, stat } from 'node:fs/promises';
import { platform } from 'node:os';
import { dirname } from 'node:path';

/**
 * Files pikactl writes (config, journals, handover records and checklists, the
 * sandbox's data) are 0600 in 0700 directories whatever the umask. A mode given to
 * open()/mkdir() is only an upper bound (the umask removes bits), and a directory
 * made by `mkdir -p` gets the umask's mode for every parent it creates; so modes are
 * set explicitly after creation. POSIX modes mean nothing on Windows (ACLs apply).
 */

const POSIX = platform() !== 'win32';

export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/**
 * Creates dir and every missing parent as 0700 (each one pikactl created), and
 * tightens dir itself when it exists with group/other bits. Existing parents are
 * left alone: they are not pikactl's.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      await stat(d);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, { mode: PRIVATE_DIR });
    } catch (err) {
      // Another pikactl made it at the same moment: still ours to tighten.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (POSIX) await chmod(d, PRIVATE_DIR);
  }
  if (POSIX && missing.length === 0) {
    const st = await stat(dir);
    if ((st.mode & 0o077) !== 0) await chmod(dir, PRIVATE_DIR);
  }
}

/**
 * Opens a new file (`wx`: never follows or replaces what is there) and sets 0600 on
 * the open handle before any byte is written.
 */
export async function openPrivateFile(path: string, flags = 'wx') {
  const fh = await open(path, flags, PRIVATE_FILE);
  try {
    if (POSIX) await fh.chmod(PRIVATE_FILE);
  } catch (err) {
    await fh.close();
    throw err;
  }
  return fh;
}

/** Writes a whole new file at path with mode 0600 (flag wx), flushed to disk. */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await openPrivateFile(path);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
