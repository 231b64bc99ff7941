import { parseServerUrl, type ServerUrl } from '../api/url.js';
import { normalizePin } from '../transport/pin.js';
import { CliError, needsInput, usageError } from '../errors.js';
import type { IO } from '../io/types.js';
import { askTypedWord } from '../io/confirm.js';
import type { Secret } from '../secrets/secret.js';
import { serverText } from '../output/server-text.js';
import type { HandoverRecord } from './record.js';

/**
 * A handover record is a file that travelled between two people: anyone who could
 * write it on the way could point `handover accept` (which sends the incoming
 * operator's password and the new key) at a server of their choosing. So the record's
 * server and certificate pin are shown and confirmed by the incoming operator before
 * anything is sent, and compared with what the operator named or trusts themselves.
 */

/** Record text shown on a terminal: the file is untrusted like server text, so it renders the same way. */
const shown = (text: string) => serverText(text, { max: 200 });

/** The record's server as a URL; a server that does not parse makes the file no record. */
export function recordServer(r: HandoverRecord, path: string): ServerUrl {
  try {
    const s = parseServerUrl(r.server);
    return s;
  } catch {
    throw usageError(
      `${path} is not a usable handover record (its "server" is not a server URL)`,
      'Ask the outgoing operator for the record `pikactl handover start` wrote.',
    );
  }
}

/** The record's certificate pin, normalised; a damaged one refuses the record. */
export function recordPin(r: HandoverRecord, path: string): string | undefined {
  if (r.tls_pin === undefined) return undefined;
  try {
    return normalizePin(String(r.tls_pin), 'tls_pin');
  } catch {
    throw usageError(
      `${path} is not a usable handover record (its "tls_pin" is not a SHA-256 fingerprint)`,
      'Ask the outgoing operator for the record `pikactl handover start` wrote.',
    );
  }
}

/** What accept is about to do, on stderr, before any request. */
export function describeRecord(r: HandoverRecord, server: ServerUrl, pin: string | undefined): string {
  const pinText = pin ?? (server.url.protocol === 'https:' ? 'none recorded' : 'none (plain http: no certificate)');
  return (
    `Handover record from ${shown(r.outgoing?.operator ?? '?')}, started ${shown(String(r.started_at))}:\n` +
    `  Server:           ${server.id}\n` +
    `  Certificate pin:  ${pinText}\n` +
    `Your login password and the key you received go to this server. Check it is the one you expect.\n`
  );
}

/**
 * The record's pin must agree with the pin the incoming operator trusts (flag or context).
 * The record's pin is never used as trust by itself: that would let the file choose it.
 */
export function checkPin(recorded: string | undefined, trusted: string | undefined, server: ServerUrl): void {
  if (recorded === undefined || trusted === undefined) return;
  if (normalizePin(trusted) === recorded) return;
  throw new CliError(
    `the record's certificate pin for ${server.id} (${recorded}) differs from the one you trust (${normalizePin(trusted)}); nothing was sent`,
    {
      code: 'tls',
      hint: 'Do not accept: ask the outgoing operator, by another channel, which certificate the server presents now (`pikactl trust` shows it).',
    },
  );
}

export interface ConfirmTarget {
  io: IO;
  server: ServerUrl;
  /** --server was given (and already checked to be the record's server). */
  named: boolean;
  yes: boolean;
  /** This invocation's secrets: a key pasted at the host-name prompt is recognised and wiped. */
  secrets: readonly Secret[];
}

/**
 * The incoming operator confirms the destination: on a terminal by typing its host
 * name (unless --server named it and --yes was given); without one, --server must
 * name it (--yes alone is not enough: it would confirm whatever the file says).
 */
export async function confirmRecordServer(c: ConfirmTarget): Promise<void> {
  const host = c.server.host.replace(/^\[|\]$/g, '');
  if (c.yes && !c.named) {
    throw usageError(
      '--yes needs --server: name the server you expect the record to hand over',
      `Pass --server ${c.server.id} --yes (after checking it is the right server).`,
    );
  }
  if (c.named && (c.yes || !c.io.canPrompt())) return;
  if (!c.io.canPrompt())
    throw needsInput(
      `confirmation of the record's server (${c.server.id})`,
      `--server ${c.server.id} after checking it is the server you expect`,
    );
  const answer = await askTypedWord(c.io, `confirmation of the record's server (${c.server.id})`, {
    word: host,
    prompt: `Type the server's host name (${host}) to send your login and the key to it:`,
    noun: 'the host name',
    wrong: `That is not ${host}.`,
    stop: 'Ctrl-C stops',
    secrets: c.secrets,
  });
  if (answer !== 'yes') {
    throw new CliError(`not confirmed: what was typed is not ${host}; nothing was sent`, {
      code: 'declined',
      hint: 'If the record names a server you do not expect, do not accept it: ask the outgoing operator by another channel.',
    });
  }
}
