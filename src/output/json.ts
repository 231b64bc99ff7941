import type { IO } from '../io/types.js';
import type { CliError } from '../errors.js';
import { serverJsonText } from './server-text.js';

/**
 * Characters JSON.stringify leaves raw that a terminal may still act on or that
 * reorder or hide text: DEL, C1 (0x9b is an 8-bit CSI), bidi and zero-width controls,
 * interlinear annotations, tag characters (serverText's set, less the C0 that JSON
 * escapes itself). Written as \uXXXX (a surrogate pair above U+FFFF) they parse back
 * to the same value.
 */
const RAW_UNSAFE =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;
/** split('') cuts a code point into its UTF-16 units: a surrogate pair for the tag characters. */
const escapeUnits = (c: string) =>
  c
    .split('')
    .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');

/**
 * A value as JSON text for stdout or a log: every string redacted (every secret of the
 * invocation, in every form) and capped at MAX_JSON_STRING characters, Secret values as
 * "[redacted]" (Secret.toJSON), and nothing a terminal interprets.
 */
export function jsonText(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? serverJsonText(v) : v), indent);
  return (text ?? 'null').replace(RAW_UNSAFE, escapeUnits);
}

/** One JSON document on stdout. */
export function writeJson(io: IO, value: unknown): void {
  io.stdout.write(`${jsonText(value, 2)}\n`);
}

export function errorJson(err: CliError): Record<string, unknown> {
  return {
    ok: false,
    error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.details ?? {}) },
    exit_code: err.exitCode,
  };
}
