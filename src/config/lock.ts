import { randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import { CliError, cancelled } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import { ownPid } from '../io/os.js';

/** How long a writer waits for another pikactl's lock before giving up. */
export const LOCK_TIMEOUT_MS = 10_000;
/** A lock older than this is left over from a crashed run (a write holds it for milliseconds). */
export const LOCK_STALE_MS = 30_000;

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs fn while holding `lockPath`, a file created with O_EXCL (so exactly one
 * pikactl at a time does a read-modify-write of the config; without it, parallel
 * `context add` runs each read the old file and the last rename wins). Waits up to
 * timeoutMs, retrying every 20-50 ms; a lock older than staleMs is taken over.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? LOCK_TIMEOUT_MS;
  const staleMs = opts.staleMs ?? LOCK_STALE_MS;
  const deadline = Date.now() + timeoutMs;
  let handle: fs.FileHandle | undefined;
  for (;;) {
    try {
      handle = await fs.open(lockPath, 'wx', 0o600);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        const code = (err as NodeJS.ErrnoException).code;
        throw new CliError(`cannot create the lock file ${lockPath}${code ? ` (${code})` : ''}`, {
          code: 'error',
          hint: 'Check that the config directory is writable.',
          cause: err,
        });
      }
    }
    if (await breakIfStale(lockPath, staleMs)) continue;
    if (Date.now() >= deadline) {
      throw new CliError(
        `another pikactl has been changing the config for over ${formatDuration(timeoutMs)} (lock file ${lockPath})`,
        {
          code: 'error',
          hint: `Retry when it is done. If no other pikactl is running, the lock is left over: remove ${lockPath} (it is taken over by itself after ${formatDuration(staleMs)}).`,
        },
      );
    }
    await sleep(20 + Math.floor(Math.random() * 30), opts.signal);
  }
  try {
    // For a human who finds the file: who holds it. Best effort.
    await handle.writeFile(`${ownPid()}\n`).catch(() => {});
    return await fn();
  } finally {
    await handle.close().catch(() => {});
    await fs.rm(lockPath, { force: true }).catch(() => {});
  }
}

/**
 * Takes a stale lock away: renamed aside first (atomic, one winner), then checked
 * to be the same file that was found stale; if another pikactl replaced it with a
 * fresh lock in between, that one is put back. True when the caller should retry at once.
 */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let st: Stats;
  try {
    st = await fs.stat(lockPath);
  } catch {
    return true; // gone already: retry the create
  }
  if (Date.now() - st.mtimeMs < staleMs) return false;
  const aside = `${lockPath}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return true;
  }
  try {
    const moved = await fs.stat(aside);
    if (moved.ino !== st.ino || moved.dev !== st.dev) await fs.link(aside, lockPath).catch(() => {});
  } finally {
    await fs.rm(aside, { force: true }).catch(() => {});
  }
  return true;
}
