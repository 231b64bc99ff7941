import { randomBytes } from 'node:crypto';
import { access, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { writePrivateFile } from '../util/private-fs.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { CliError, usageError } from '../errors.js';
import type { Secret } from '../secrets/secret.js';
import { assertNoSecret } from '../playbooks/journal.js';
import { renderChecklist } from './render.js';

/**
 * The handover record: what travels beside the key (never with it) between the
 * outgoing and the incoming operator. JSON for pikactl, a Markdown checklist beside
 * it for people. It holds who, when, which server and which steps are done: no key,
 * no hash of a key, no password. Not secret, but 0600 whatever the umask: whoever can
 * write it chooses where `handover accept` sends the key. Written atomically.
 */

export const HANDOVER_STATES = ['started', 'accepted', 'finished'] as const;
export type HandoverState = (typeof HANDOVER_STATES)[number];

/** Every step the three commands record, in checklist order. */
export type HandoverStepId =
  | 'server-checked'
  | 'rotated'
  | 'key-saved'
  | 'restart-seen'
  | 'unlocked'
  | 'settings-readable'
  | 'keychain-saved'
  | 'accept-confirmed'
  | 'old-key-retired'
  | 'password-manager-reminded'
  | 'closed';

export interface HandoverStep {
  id: HandoverStepId;
  /** ISO time, UTC. */
  at: string;
  by: string;
  note: string;
}

export interface HandoverRecord {
  kind: 'pikactl-handover';
  version: 1;
  /** ServerUrl.id of the server handed over. */
  server: string;
  /** SHA-256 of the certificate the outgoing operator's connection accepted (https only); shown, never trusted. */
  tls_pin?: string;
  state: HandoverState;
  outgoing: { operator: string };
  incoming?: { operator: string };
  started_at: string;
  accepted_at?: string;
  finished_at?: string;
  /**
   * Set by `handover start` when its rotation may have been applied but was not confirmed
   * (exit 8): the next step is recover-rotation, not accept.
   */
  rotation_may_be_half_done?: { at: string; why: string };
  steps: HandoverStep[];
}

export function newRecord(server: string, operator: string, at: string, tlsPin?: string): HandoverRecord {
  return {
    kind: 'pikactl-handover',
    version: 1,
    server,
    ...(tlsPin !== undefined ? { tls_pin: tlsPin } : {}),
    state: 'started',
    outgoing: { operator },
    started_at: at,
    steps: [],
  };
}

export function addStep(r: HandoverRecord, id: HandoverStepId, by: string, at: string, note: string): void {
  r.steps.push({ id, at, by, note });
}

/** `handover-<host>-<YYYY-MM-DD>.json` in the working directory. */
export function defaultRecordPath(cwd: string, host: string, nowMs: number): string {
  const safeHost =
    host
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'server';
  return join(cwd, `handover-${safeHost}-${new Date(nowMs).toISOString().slice(0, 10)}.json`);
}

export function resolveRecordPath(cwd: string, file: string): string {
  return isAbsolute(file) ? file : resolve(cwd, file);
}

/** The Markdown checklist sits beside the JSON: same name, .md. */
export function markdownPath(jsonPath: string): string {
  return jsonPath.endsWith('.json') ? `${jsonPath.slice(0, -'.json'.length)}.md` : `${jsonPath}.md`;
}

function notARecord(path: string, why: string): CliError {
  return usageError(
    `${path} is not a pikactl handover record (${why})`,
    'Pass the .json file `pikactl handover start` wrote (not the .md).',
  );
}

/** Reads and checks a record. A missing or foreign file is a usage error (exit 2). */
export async function readRecord(path: string): Promise<HandoverRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw usageError(
        `no handover record at ${path}`,
        'The outgoing operator creates it with `pikactl handover start`; pass its path with --record FILE.',
      );
    }
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, { code: 'error' });
  }
  let r: HandoverRecord;
  try {
    r = JSON.parse(text) as HandoverRecord;
  } catch {
    throw notARecord(path, 'not JSON');
  }
  if (r?.kind !== 'pikactl-handover') throw notARecord(path, 'no "kind": "pikactl-handover"');
  if (r.version !== 1) throw notARecord(path, `version ${String(r.version)} is not supported by this pikactl`);
  if (
    typeof r.server !== 'string' ||
    !(HANDOVER_STATES as readonly string[]).includes(r.state) ||
    !Array.isArray(r.steps)
  ) {
    throw notARecord(path, 'fields missing or damaged');
  }
  return r;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await writePrivateFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`, {
      code: 'error',
      hint: 'Pass another location with --record FILE.',
    });
  }
}

/**
 * Writes the JSON and the Markdown checklist, each atomically. Refuses (a bug, not
 * an operator error) when either text contains a guarded secret or its SHA-256.
 */
export async function writeRecord(
  path: string,
  r: HandoverRecord,
  guard: readonly Secret[],
): Promise<{ json: string; markdown: string }> {
  const json = `${JSON.stringify(r, null, 2)}\n`;
  const md = renderChecklist(r, path);
  assertNoSecret({ record: json, checklist: md }, guard);
  const mdPath = markdownPath(path);
  await writeAtomic(path, json);
  await writeAtomic(mdPath, md);
  return { json: path, markdown: mdPath };
}

/** The record at path, or undefined when there is none; a damaged or foreign file is an error. */
export async function existingRecord(path: string): Promise<HandoverRecord | undefined> {
  try {
    await access(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  return readRecord(path);
}

/**
 * Checked before `handover start` rotates anything: a record that cannot be written after
 * the rotation would leave a changed key with no record, and a retry would rotate again.
 */
export async function assertRecordWritable(path: string): Promise<void> {
  // A real write, not access(): root passes every permission check, yet a missing folder
  // or a read-only file system still fails.
  const probe = join(dirname(path), `.pikactl-write-test-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
    await rm(probe, { force: true });
  } catch (err) {
    throw usageError(
      `cannot write the handover record in ${dirname(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'Nothing was changed. Pass a writable location with --record FILE.',
    );
  }
}

/** Exit 2 with the command that comes next, when a step is run out of order. */
export function outOfOrder(message: string, next: string): CliError {
  return new CliError(message, { code: 'usage', hint: `Next: ${next}` });
}

/** The command that comes after a stage, for the summary and for a stage run out of order. */
export function nextStep(state: HandoverState, file: string): string {
  if (state === 'started')
    return `(incoming operator, after the next restart) pikactl handover accept --record ${file}`;
  if (state === 'accepted') return `(outgoing operator) pikactl handover finish --record ${file}`;
  return 'nothing: this handover is complete';
}
