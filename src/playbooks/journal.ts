import { randomBytes } from 'node:crypto';
import { appendFile, chmod, open, readFile, readdir } from 'node:fs/promises';
import { ensurePrivateDir } from '../util/private-fs.js';
import { JournalWriteError, localFaultCode } from './local-fault.js';
import { join } from 'node:path';
import { stateDir, type Deps } from '../deps.js';
import { Secret } from '../secrets/secret.js';
import { containsSecret } from '../secrets/redact.js';

/**
 * Playbook journals: one append-only JSON-lines file per run, under
 * `stateDir/journals/<playbook>-<server-slug>-<id>.jsonl` (dir 0700, file 0600).
 *
 * A journal records progress so an interrupted run can be resumed and audited. It
 * must never hold a secret: not the key, and not a hash of it either (Pika's key IS
 * the SHA-256 of the passphrase). This is enforced by construction: append() takes
 * only a few plain strings and an enum, refuses Secret instances outright, and
 * refuses any text that contains a guarded secret, its SHA-256 hex or base64.
 */

export const JOURNAL_STATES = [
  'begin', // a run started
  'resume', // a run picked this journal up again
  'skipped', // live check said the step was already done
  'started', // about to run (a crash leaves this as the last line)
  'done',
  'failed',
  'blocked',
  'cancelled',
  'declined', // an optional step the operator answered No to
  'replanned', // the step ran and its result ended the run early for a new decision
  'decided', // the caller chose what to run next (note: a plan code, never a secret)
  'finished', // the whole playbook completed: nothing to resume
] as const;
export type JournalState = (typeof JOURNAL_STATES)[number];

/** What a caller may write: step id, state, and a short note. Nothing else. */
export interface JournalEntry {
  step: string;
  state: JournalState;
  note?: string;
}

export interface JournalRecord {
  ts: string;
  playbook: string;
  server: string;
  step: string;
  state: JournalState;
  note: string;
}

export interface Journal {
  readonly id: string;
  readonly path: string;
  readonly playbook: string;
  readonly server: string;
  append(entry: JournalEntry): Promise<void>;
  records(): Promise<JournalRecord[]>;
}

export interface JournalOptions {
  playbook: string;
  /** The server's normalised id (ServerUrl.id). */
  server: string;
  /** Secrets in play for this run: their value and hashes may never appear in a line. */
  guard?: readonly Secret[];
  now?: () => number;
}

const NAME = /^[a-z][a-z0-9-]*$/;

export function journalDir(ctx: Pick<Deps, 'env' | 'homedir'>): string {
  return join(stateDir(ctx), 'journals');
}

/** "https://Pika.example:8443/base" → "pika.example-8443-base": readable, filename-safe. */
export function serverSlug(serverId: string): string {
  const noScheme = serverId.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slug = noScheme
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, 80) || 'server';
}

/**
 * Throws if any value is a Secret, not a string, or contains a guarded secret (or any
 * secret of the invocation) in any form the redactor knows: raw, SHA-256 hex/base64/
 * base64url, JSON-escaped, re-spaced, URL-encoded (src/secrets/redact.ts, one implementation).
 */
export function assertNoSecret(values: Record<string, unknown>, guard: readonly Secret[] = []): void {
  for (const [field, v] of Object.entries(values)) {
    if (v instanceof Secret) throw new Error(`journal: refusing to record a secret (field "${field}")`);
    if (typeof v !== 'string') throw new Error(`journal: field "${field}" must be a plain string`);
    if (containsSecret(v, guard)) {
      throw new Error(`journal: refusing to record text that contains a secret or its hash (field "${field}")`);
    }
  }
}

function runId(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

async function ensureDir(dir: string): Promise<void> {
  // Every directory made on the way (e.g. ~/.local/state/pikactl) is 0700, whatever the umask.
  try {
    await ensurePrivateDir(dir);
  } catch (err) {
    const code = localFaultCode(err);
    if (code)
      throw new JournalWriteError(
        code,
        join(dir, '…'),
        'the journal folder cannot be created; nothing was recorded',
        err,
      );
    throw err;
  }
}

function journalAt(path: string, id: string, opts: JournalOptions): Journal {
  const now = opts.now ?? Date.now;
  let firstWrite = true;
  return {
    id,
    path,
    playbook: opts.playbook,
    server: opts.server,
    async append(entry) {
      const note = entry.note ?? '';
      assertNoSecret({ step: entry.step, state: entry.state, note }, opts.guard);
      if (!(JOURNAL_STATES as readonly string[]).includes(entry.state))
        throw new Error(`journal: unknown state "${entry.state}"`);
      const record: JournalRecord = {
        ts: new Date(now()).toISOString(),
        playbook: opts.playbook,
        server: opts.server,
        step: entry.step,
        state: entry.state,
        note,
      };
      // One small O_APPEND write per line: a crash leaves whole lines, or a torn last one that readers skip.
      try {
        const line = `${firstWrite && (await endsTorn(path)) ? '\n' : ''}${JSON.stringify(record)}\n`;
        await appendFile(path, line, { mode: 0o600, flag: 'a' });
        if (firstWrite) {
          await chmod(path, 0o600);
          firstWrite = false;
        }
      } catch (err) {
        const code = localFaultCode(err);
        if (code) throw new JournalWriteError(code, path, `the line "${entry.step}: ${entry.state}" is missing`, err);
        throw err;
      }
    },
    records: () => readJournal(path),
  };
}

/** True when the file exists and its last byte is not a newline (a crash tore the last line). */
async function endsTorn(path: string): Promise<boolean> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    return buf[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

function validate(opts: JournalOptions): void {
  if (!NAME.test(opts.playbook)) throw new Error(`journal: bad playbook name "${opts.playbook}"`);
  assertNoSecret({ server: opts.server, playbook: opts.playbook }, opts.guard);
}

/** A new journal for a new run. The file appears with the first append. */
export async function createJournal(ctx: Pick<Deps, 'env' | 'homedir'>, opts: JournalOptions): Promise<Journal> {
  validate(opts);
  const dir = journalDir(ctx);
  await ensureDir(dir);
  const id = runId((opts.now ?? Date.now)());
  return journalAt(join(dir, `${opts.playbook}-${serverSlug(opts.server)}-${id}.jsonl`), id, opts);
}

/** Every parseable line; a torn last line from a crash is skipped. */
export async function readJournal(path: string): Promise<JournalRecord[]> {
  const text = await readFile(path, 'utf8');
  const out: JournalRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      // torn write: ignore
    }
  }
  return out;
}

export interface JournalSummary {
  id: string;
  path: string;
  records: JournalRecord[];
  last: JournalRecord;
}

/**
 * The newest journal for this playbook and server, if that run did not finish.
 * A finished newest run means there is nothing to resume, even if an older one
 * was abandoned: the newer run superseded it.
 */
export async function findUnfinishedJournal(
  ctx: Pick<Deps, 'env' | 'homedir'>,
  playbook: string,
  server: string,
): Promise<JournalSummary | null> {
  const dir = journalDir(ctx);
  const prefix = `${playbook}-${serverSlug(server)}-`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  // Ids start with a UTC timestamp, so a reverse name sort is newest first.
  const candidates = names
    .filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl'))
    .sort()
    .reverse();
  for (const name of candidates) {
    const path = join(dir, name);
    const records = await readJournal(path);
    // Slugs can collide (a-b vs a.b); the records carry the exact server and playbook.
    if (records.length === 0 || records[0].server !== server || records[0].playbook !== playbook) continue;
    const last = records[records.length - 1];
    if (last.state === 'finished') return null;
    return { id: name.slice(prefix.length, -'.jsonl'.length), path, records, last };
  }
  return null;
}

/** Reopens an existing journal for appending (resume). */
export async function reopenJournal(
  ctx: Pick<Deps, 'env' | 'homedir'>,
  summary: JournalSummary,
  opts: JournalOptions,
): Promise<Journal> {
  validate(opts);
  await ensureDir(journalDir(ctx));
  return journalAt(summary.path, summary.id, opts);
}
