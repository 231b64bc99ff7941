import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { ApiError, type KeyStatus, type PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import { targetFlags } from '../config/target-flags.js';
import { CliError } from '../errors.js';
import type { IO } from '../io/types.js';
import { maybeDone, sendChange, type Change } from '../outcome.js';
import { serverText } from '../output/server-text.js';
import type { Secret } from '../secrets/secret.js';
import { progressBar } from './progress.js';
import { passwordHeader } from './secret-header.js';

/**
 * POST /api/v1/backup with the file as a stream: read once, in 1 MiB pieces, straight
 * onto the socket (pikactl never holds the file in memory). What the server says
 * decides the outcome through outcome.ts: a refusal (4xx, the lock gate) changed
 * nothing; a lost or unreadable answer after the body went out is maybe-done (exit 8).
 */
export type TargetState = { kind: 'fresh' } | { kind: 'unlocked' };

/** The server's state before a restore; a locked one is refused with the way forward. */
export async function restoreTarget(client: PikaClient, signal?: AbortSignal): Promise<TargetState> {
  let s: KeyStatus;
  try {
    s = await client.keyStatus(signal);
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'locked') s = { initialized: true, unlocked: false };
    else throw err;
  }
  if (s.initialized && !s.unlocked) throw lockedTarget(client.server);
  return s.initialized ? { kind: 'unlocked' } : { kind: 'fresh' };
}

export function lockedTarget(server: ServerUrl): CliError {
  return new CliError(
    `${server.id} is locked: Pika refuses a restore there (503 from the lock gate, before any login)`,
    {
      code: 'locked',
      hint:
        `A server that lost its key cannot take the backup. Start a fresh Pika (no encryption password configured), ` +
        `restore there: pikactl recover-from-backup --server NEW-URL --backup FILE --backup-key-from SPEC. ` +
        `Or, if you hold its current key, unlock it first: pikactl unlock ${targetFlags(server)}`,
    },
  );
}

/** What merge and wipe keep, for the confirmation and --help. */
export function modeText(wipe: boolean): string {
  return wipe
    ? 'WIPE: the database becomes exactly the backup. Users, sessions and tokens made after it are gone, including the session used now (log in again with an account from the backup).'
    : 'MERGE: rows in the backup overwrite the same rows on the server; rows the backup lacks stay (users and sessions made on this server, this session too).';
}

export interface RestoreRequest {
  client: PikaClient;
  io: IO;
  path: string;
  size: number;
  wipe: boolean;
  password?: Secret;
  progress: boolean;
  signal?: AbortSignal;
}

export async function sendRestore(r: RestoreRequest): Promise<string> {
  const { client } = r;
  if (!client.stream) throw new CliError("streamed uploads need pikactl's own HTTP transport", { code: 'error' });
  const change: Change = { op: 'restore', server: client.server };
  const headers: Record<string, string> = { 'content-length': String(r.size) };
  if (r.password) headers['x-encryption-password'] = passwordHeader(r.password, '--decrypt-with');
  if (r.wipe) headers['x-pika-wipe'] = 'true';
  const bar = progressBar(r.io, 'Uploading', { enabled: r.progress });
  bar.setTotal(r.size);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bar.add(chunk.length);
      done(null, chunk);
    },
  });
  const file = createReadStream(r.path, { highWaterMark: 1024 * 1024 });
  file.on('error', (err) => counter.destroy(err));
  const res = await sendChange(change, () =>
    client.stream!({
      method: 'POST',
      path: '/api/v1/backup',
      headers,
      body: file.pipe(counter),
      secrets: r.password ? [r.password] : [],
      signal: r.signal,
    }),
  ).finally(() => file.destroy());
  bar.done();
  // The server answered 2xx: read its small JSON. An unreadable answer may still mean it was applied.
  let text = '';
  try {
    for await (const c of res.body as AsyncIterable<Buffer>) {
      text += c.toString('utf8');
      if (text.length > 64 * 1024) break;
    }
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message !== 'string') throw new Error('no message');
    return serverText(message, { max: 200 });
  } catch (err) {
    throw maybeDone(change, `the server answered HTTP ${res.status}, but not with Pika's JSON`, err);
  }
}
