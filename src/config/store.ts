import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { platform } from 'node:os';
import { dirname, join } from 'node:path';
import { configDir, type Deps } from '../deps.js';
import { CliError } from '../errors.js';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../util/read-file.js';
import { emptyConfig, serializeConfig, validateConfig, type ConfigFile } from './schema.js';

export const CONFIG_FILE_NAME = 'config.json';
/** pikactl writes a few KiB; a bigger file is not a config (and is not read into memory). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** POSIX modes mean nothing on Windows (ACLs apply); skip the mode checks there. */
const IS_WINDOWS = platform() === 'win32';

export interface LoadedConfig {
  path: string;
  /** False when the file does not exist yet (config is then empty). */
  exists: boolean;
  config: ConfigFile;
}

/** `$XDG_CONFIG_HOME/pikactl/config.json` (else ~/.config/pikactl/config.json). */
export function configPath(ctx: Pick<Deps, 'env' | 'homedir'>): string {
  return join(configDir(ctx), CONFIG_FILE_NAME);
}

function configError(
  message: string,
  file: string,
  hint: string,
  cause?: unknown,
  details: Record<string, unknown> = {},
): CliError {
  return new CliError(message, { code: 'error', hint, cause, details: { file, ...details } });
}

/**
 * Reads and validates the config file. A missing file is an empty config. A
 * malformed one is an error naming file:line:column; it is never rewritten, so
 * the operator's hand edits are not lost.
 */
export async function loadConfig(ctx: Pick<Deps, 'env' | 'homedir'>): Promise<LoadedConfig> {
  const path = configPath(ctx);
  let text: string;
  try {
    // A regular file, capped: a FIFO would block the open, a huge file the memory.
    text = (await readRegularFile(path, MAX_CONFIG_BYTES)).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path, exists: false, config: emptyConfig() };
    if (err instanceof NotRegularFileError)
      throw configError(
        `refusing to read config file ${path}: ${err.message}`,
        path,
        'Make it a regular file (or remove it).',
        err,
      );
    if (err instanceof FileTooLargeError) {
      throw configError(
        `config file ${path} is larger than 1 MiB; it cannot be pikactl's`,
        path,
        'Check the file (pikactl writes a few KiB at most).',
        err,
      );
    }
    throw configError(
      `cannot read config file ${path}${code ? ` (${code})` : ''}`,
      path,
      'Check the file and its permissions.',
      err,
    );
  }
  // Editors on Windows may add a byte order mark; JSON.parse would reject it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    // Loaded here: reading (every command) needs neither this nor the writers' modules below.
    const { locateJsonError } = await import('./json-position.js');
    const loc = locateJsonError(body, err);
    throw configError(
      `${path}:${loc.line}:${loc.column}: malformed JSON: ${loc.reason}`,
      path,
      `Fix line ${loc.line} of ${path} with an editor (pikactl leaves the file as it is).`,
      err,
      { line: loc.line, column: loc.column },
    );
  }
  return { path, exists: true, config: validateConfig(raw, path) };
}

/**
 * A read-modify-write of the config under its lock file (config.json.lock), so
 * concurrent `context add`/`trust` runs each see the others' changes instead of
 * the last rename silently dropping them. fn changes the config in place and may
 * throw to leave the file alone; its result is returned with the file's path.
 */
export async function updateConfig<T>(
  ctx: Pick<Deps, 'env' | 'homedir' | 'io' | 'signal'>,
  fn: (config: ConfigFile) => T | Promise<T>,
): Promise<{ file: string; result: T }> {
  const path = configPath(ctx);
  const [{ ensurePrivateDir }, { withFileLock }] = await Promise.all([
    import('../util/private-fs.js'),
    import('./lock.js'),
  ]);
  await ensurePrivateDir(dirname(path));
  return withFileLock(
    `${path}.lock`,
    async () => {
      const { config } = await loadConfig(ctx);
      const result = await fn(config);
      return { file: await saveConfig(ctx, config), result };
    },
    { signal: ctx.signal },
  );
}

/**
 * Writes the config atomically (callers that read first use updateConfig, which locks): a 0600 temp file in the same directory, fsync,
 * rename over the old file, fsync the directory. A crash leaves either the old or
 * the new file, never half of one. The directory is 0700.
 */
export async function saveConfig(ctx: Pick<Deps, 'env' | 'homedir' | 'io'>, config: ConfigFile): Promise<string> {
  const path = configPath(ctx);
  const dir = dirname(path);
  // Validate what we are about to write with the same rules as load, so a bug here cannot brick the next run.
  const text = serializeConfig(config);
  validateConfig(JSON.parse(text), path);

  const { ensurePrivateDir, openPrivateFile } = await import('../util/private-fs.js');
  await ensurePrivateDir(dir);
  await tightenDir(dir);
  await warnIfReadable(ctx, path);

  const tmp = join(dir, `.${CONFIG_FILE_NAME}.${randomBytes(8).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await openPrivateFile(tmp);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    throw configError(
      `cannot write config file ${path}${code ? ` (${code})` : ''}`,
      path,
      `Check that ${dir} is writable.`,
      err,
    );
  }
  await syncDir(dir);
  return path;
}

/** Our own directory: tighten it if someone loosened it (harmless where modes do not exist). */
async function tightenDir(dir: string): Promise<void> {
  if (IS_WINDOWS) return;
  try {
    const st = await fs.stat(dir);
    if ((st.mode & 0o077) !== 0) await fs.chmod(dir, 0o700);
  } catch {
    // Best effort: the write below reports real problems.
  }
}

async function warnIfReadable(ctx: Pick<Deps, 'io'>, path: string): Promise<void> {
  if (IS_WINDOWS) return;
  try {
    const st = await fs.stat(path);
    const mode = st.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      ctx.io.stderr.write(
        `Warning: ${path} was readable by group/others (mode ${mode.toString(8).padStart(4, '0')}); it is rewritten with mode 0600.\n`,
      );
    }
  } catch {
    // No existing file: nothing to warn about.
  }
}

async function syncDir(dir: string): Promise<void> {
  if (IS_WINDOWS) return;
  try {
    const h = await fs.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}
