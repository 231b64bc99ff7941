import { createHash, randomBytes } from 'node:crypto';
import { link, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ApiError, type PikaClient } from '../api/types.js';
import { CliError, usageError } from '../errors.js';
import type { IO } from '../io/types.js';
import type { Secret } from '../secrets/secret.js';
import { openPrivateFile } from '../util/private-fs.js';
import { nameFromDisposition } from './filename.js';
import { BackupFormatError, HEADER_SIZE, parseHeader, type BackupHeader } from './format.js';
import { progressBar } from './progress.js';
import { passwordHeader } from './secret-header.js';

/**
 * GET /api/v1/backup into a file: streamed to a temporary file beside the target (0600),
 * fsynced, then moved under its name (never a partial file under the final name). The
 * header is checked as it arrives, and the byte count against it at the end: Pika
 * writes nothing until the container is complete, so a short file is a broken transfer.
 */
export interface ExportRequest {
  client: PikaClient;
  io: IO;
  cwd: string;
  out?: string;
  force: boolean;
  since?: string;
  until?: string;
  password?: Secret;
  progress: boolean;
  signal?: AbortSignal;
  now: Date;
}

export interface ExportResult {
  path: string;
  bytes: number;
  sha256: string;
  header: BackupHeader;
}

/** Non-negative integers, at most one of the two; checked before anything is sent. */
export function exportQuery(since: string | undefined, until: string | undefined): string {
  const parts: string[] = [];
  for (const [name, v] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (v === undefined) continue;
    if (!/^\d{1,20}$/.test(v) || BigInt(v) > 0xffffffffffffffffn)
      throw usageError(`--${name} must be a database version (a non-negative integer), got "${v}"`);
    if (BigInt(v) > 0n) parts.push(`${name}=${BigInt(v)}`);
  }
  if (parts.length === 2)
    throw usageError(
      '--since and --until cannot be used together',
      '--since N: changes newer than version N (incremental); --until N: the state up to version N.',
    );
  return parts.length ? `?${parts[0]}` : '';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

const refuseOverwrite = (path: string) =>
  usageError(
    `${path} already exists; pikactl does not overwrite a backup`,
    'Choose another --out, or pass --force to replace it.',
  );

export async function preflightOut(r: Pick<ExportRequest, 'out' | 'force' | 'cwd'>): Promise<string | undefined> {
  if (r.out === undefined) return undefined;
  const path = resolve(r.cwd, r.out);
  const dir = await stat(dirname(path)).catch(() => undefined);
  if (!dir?.isDirectory())
    throw usageError(
      `cannot write ${path}: ${dirname(path)} is not a directory`,
      'Nothing was sent. Choose an --out in an existing directory.',
    );
  if (!r.force && (await exists(path))) throw refuseOverwrite(path);
  return path;
}

export async function exportBackup(r: ExportRequest): Promise<ExportResult> {
  if (!r.client.stream) throw new CliError("streamed downloads need pikactl's own HTTP transport", { code: 'error' });
  const query = exportQuery(r.since, r.until);
  let target = await preflightOut(r);
  const headers: Record<string, string> = {};
  if (r.password) headers['x-encryption-password'] = passwordHeader(r.password, '--encrypt-with');
  const res = await r.client.stream({
    method: 'GET',
    path: `/api/v1/backup${query}`,
    headers,
    secrets: r.password ? [r.password] : [],
    signal: r.signal,
  });
  target ??= resolve(r.cwd, nameFromDisposition(res.header('content-disposition'), r.now));
  if (!r.force && (await exists(target))) {
    res.body.destroy();
    throw refuseOverwrite(target);
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  let fh: Awaited<ReturnType<typeof openPrivateFile>>;
  try {
    fh = await openPrivateFile(tmp);
  } catch (err) {
    res.body.destroy();
    throw localFault(dirname(target), err);
  }
  const hash = createHash('sha256');
  const bar = progressBar(r.io, 'Downloading', { enabled: r.progress });
  let head = Buffer.alloc(0);
  let header: BackupHeader | undefined;
  let bytes = 0;
  let ok = false;
  try {
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (!header) {
          head = Buffer.concat([head, chunk.subarray(0, HEADER_SIZE - head.length)]);
          if (head.length === HEADER_SIZE) {
            header = parseHeader(head);
            bar.setTotal(HEADER_SIZE + header.payloadSize);
          }
        }
        bytes += chunk.length;
        if (header && bytes > HEADER_SIZE + header.payloadSize)
          throw new BackupFormatError(`more bytes than the header announces (${HEADER_SIZE + header.payloadSize})`);
        hash.update(chunk);
        await fh.write(chunk).catch((err: unknown) => {
          throw localFault(tmp, err);
        });
        bar.add(chunk.length);
      }
    } catch (err) {
      res.body.destroy();
      if (err instanceof BackupFormatError)
        throw new CliError(`the server's answer is not a usable Pika backup: ${err.message}`, {
          code: 'not_pika',
          hint: 'Nothing was saved. Check --server (a proxy page?) and try again.',
        });
      if (err instanceof ApiError || err instanceof CliError) throw err; // a local write fault is a CliError already
      throw new CliError(`the download broke off after ${bytes} bytes: ${(err as Error).message}`, {
        code: r.signal?.aborted ? 'cancelled' : 'unreachable',
        hint: 'Nothing was saved. Run the export again.',
        cause: err,
      });
    }
    bar.done();
    if (!header)
      throw new CliError(
        `the download ended after ${bytes} bytes, before the ${HEADER_SIZE}-byte header was complete`,
        { code: 'unreachable', hint: 'Nothing was saved. Run the export again.' },
      );
    const want = HEADER_SIZE + header.payloadSize;
    if (bytes !== want)
      throw new CliError(`the download is incomplete: ${bytes} of ${want} bytes`, {
        code: 'unreachable',
        hint: 'Nothing was saved. Run the export again.',
      });
    await fh.sync();
    ok = true;
  } finally {
    await fh.close();
    if (!ok) await rm(tmp, { force: true });
  }
  try {
    // Without --force a link() refuses an existing name atomically (nothing is replaced).
    if (r.force) await rename(tmp, target);
    else {
      await link(tmp, target);
      await rm(tmp, { force: true });
    }
  } catch (err) {
    await rm(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw refuseOverwrite(target);
    throw err;
  }
  await syncDir(dirname(target));
  return { path: target, bytes, sha256: hash.digest('hex'), header };
}

/** A fault on this machine (no such directory, disk full, read-only): named, never a network error. */
function localFault(path: string, err: unknown): CliError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new CliError(`cannot write the backup at ${path}: ${code}`, {
    code: 'error',
    hint: 'Nothing was saved under the final name. Choose another --out (an existing directory with free space).',
    cause: err,
  });
}

async function syncDir(dir: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  const dh = await open(dir, 'r').catch(() => undefined);
  await dh?.sync().catch(() => {});
  await dh?.close();
}
