import { redactSecrets } from '../secrets/redact.js';
import type { Secret } from '../secrets/secret.js';

/**
 * Server text is data, not terminal output (design principle 14). Everything a
 * server (or whatever answers in its place) supplies goes through serverText() before
 * it reaches a person: error messages, request ids, Location, info name/version,
 * cluster addresses, certificate fields. It
 *  - cuts out every secret of the invocation in every form (src/secrets/redact.ts);
 *  - shows control characters as escapes instead of sending them: C0 (newline and
 *    tab kept only in multi-line text), DEL, C1 (0x80-0x9f, including the 8-bit CSI
 *    0x9b), so no ESC/CSI/OSC sequence can move the cursor, clear the screen, set the
 *    window title or colour a line. The introducer is what the terminal acts on, so
 *    escaping it leaves the rest of the sequence as harmless visible text;
 *  - shows as escapes the characters that change how text reads without being seen:
 *    bidi embeddings, overrides, isolates and marks (a "Trojan source" line), zero-width
 *    characters, soft hyphen, line/paragraph separators, invisible tag characters;
 *  - caps the length (300 characters by default, then "…").
 * A backslash from the server is left as it is: "\x1b" typed by the server reads the
 * same as an escaped ESC, and neither does anything to the terminal.
 */

export const MAX_SERVER_TEXT = 300;
/** --json keeps whole values, redacted, up to this many characters per string (documented in `pikactl help security`). */
export const MAX_JSON_STRING = 4096;

export interface ServerTextOptions {
  /** Keep newlines and tabs (a multi-line message); otherwise every white-space run becomes one space. */
  multiline?: boolean;
  /** Characters shown at most (default 300); longer text ends in "…". */
  max?: number;
  /** Secrets to cut out besides the invocation's own (those created outside a run). */
  secrets?: readonly Secret[];
}

/** Code points shown escaped: C0, DEL, C1, and invisible or reordering format characters. */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\u{e0000}-\u{e007f}]/u;

function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/** Bounds the work on a huge field (a 900 KB version): redaction and escaping see only what can be shown. */
function bounded(text: string, max: number): string {
  // Enough past the cap that a secret straddling it is still matched whole and cut out.
  const reach = max * 8 + 64 * 1024;
  return text.length > reach ? text.slice(0, reach) : text;
}

/** A server-supplied value made safe for a terminal. Non-strings render as their JSON (or "" when absent). */
export function serverText(value: unknown, opts: ServerTextOptions = {}): string {
  if (value === undefined || value === null) return '';
  const raw = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const max = opts.max ?? MAX_SERVER_TEXT;
  // Secrets first: folding white space first would hide a passphrase that contains some.
  const shown = bounded(raw, max);
  const cut = shown.length < raw.length;
  let t = redactSecrets(shown, opts.secrets);
  t = opts.multiline ? t.replace(/\r\n?/g, '\n') : t.replace(/\s+/gu, ' ').trim();
  let out = '';
  let used = 0;
  for (const ch of t) {
    const keep = opts.multiline && (ch === '\n' || ch === '\t');
    const piece = !keep && UNSAFE.test(ch) ? escapeChar(ch) : ch;
    // The cap counts what is shown: an escape takes its width, not one character.
    const width = piece === ch ? 1 : piece.length;
    if (used + width > max) return `${out}…`;
    out += piece;
    used += width;
  }
  return cut ? `${out}…` : out;
}

/** A server-supplied value for --json: whole (JSON escapes control characters), redacted, capped. */
export function serverJsonText(value: string, max = MAX_JSON_STRING): string {
  const t = redactSecrets(bounded(value, max));
  if (t.length <= max) return t;
  const chars = [...t];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : t;
}
