import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { Secret } from './secret.js';

/** node:crypto on first use: every run() opens a redactor, most (`--help`, `status`) hold no secret. */
const crypto = () => createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');

/**
 * The one redactor. Every Secret created while an invocation runs (inside run()'s
 * redaction scope) registers itself here, so text the server echoes is cleaned of
 * every secret of the invocation, not only of the request that carried it: the login
 * password echoed in the unlock answer is cut out too. The scope is an
 * AsyncLocalStorage, not a module global, so two in-process runs never see each
 * other's secrets and nothing outlives its run; only the binary's one run, which
 * owns its process, is scoped to the process (withRedactor).
 */

export const REDACTED = '[redacted]';
/** Shorter values are not cut out of text: a 2-character secret would shred every message. */
export const MIN_REDACT_LENGTH = 3;

/**
 * The forms a secret can take in text that reaches us or that we write: the value
 * and its SHA-256 (hex, base64, base64url; Pika's key IS the SHA-256 of the passphrase).
 * Each form is then matched loosely by formPattern (escaped, re-spaced, URL-encoded).
 */
export function secretForms(value: string): string[] {
  const digest = crypto().createHash('sha256').update(value, 'utf8').digest();
  return [value, digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/**
 * Every way one character of a secret may be written. ASCII letters and digits are
 * never escaped by JSON or URL encoding, so they stand for themselves (any case): that
 * keeps the pattern small. Any other character: itself with any number of backslashes
 * before it (JSON escaping, at any depth), \uXXXX, or URL-encoded (%XX per UTF-8 byte).
 */
function charPattern(ch: string): string {
  if (/^[A-Za-z0-9]$/.test(ch)) return ch;
  const cp = ch.codePointAt(0)!;
  const alts = [`\\\\*${reEscape(ch)}`];
  if (cp <= 0xffff) alts.push(`\\\\+u${hex(cp, 4)}`);
  alts.push([...Buffer.from(ch, 'utf8')].map((b) => `%${hex(b, 2)}`).join(''));
  return `(?:${alts.join('|')})`;
}

/** White space in a secret matches any run (or none) of white space, JSON white-space escapes or %20/+. */
const SPACE = '(?:\\s|\\\\+[nrtfb]|\\\\+u00(?:0[9a-d]|20)|%(?:0[9ad]|20)|\\+)*';

/** A loose pattern for one form: raw, JSON-escaped (any depth), white space changed, URL-encoded. */
export function formPattern(form: string): string | undefined {
  // Trailing '=' (base64 padding) is optional: the text may carry the form with or without it.
  const padded = /=+$/.test(form);
  const chars = [...form.replace(/=+$/, '')];
  if (chars.filter((c) => !/\s/u.test(c)).length < MIN_REDACT_LENGTH) return undefined;
  const parts: string[] = [];
  let lastWasSpace = true; // leading white space of the secret is optional in the text
  for (const c of chars) {
    if (/\s/u.test(c)) {
      if (!lastWasSpace) parts.push(SPACE);
      lastWasSpace = true;
    } else {
      parts.push(charPattern(c));
      lastWasSpace = false;
    }
  }
  return parts.join('') + (padded ? `(?:${charPattern('=')}){0,2}` : '');
}

/** One compiled pattern per secret, all its forms: built once, however many runs or guards use it. */
const compiled = new WeakMap<Secret, RegExp | null>();

function patternOf(s: Secret): RegExp | null {
  let re = compiled.get(s);
  if (re === undefined) {
    const parts = secretForms(s.reveal())
      .map(formPattern)
      .filter((p): p is string => p !== undefined);
    re = parts.length === 0 ? null : new RegExp(parts.join('|'), 'gi');
    compiled.set(s, re);
  }
  return re;
}

export class Redactor {
  private readonly secrets: Secret[] = [];

  add(s: Secret): void {
    if (this.secrets.includes(s)) return;
    this.secrets.push(s);
    // Longest first: a secret that contains another is cut out whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let t = text;
    for (const s of this.secrets) {
      const re = patternOf(s);
      if (re) t = t.replace(re, REDACTED);
    }
    return t;
  }

  contains(text: string): boolean {
    return this.secrets.some((s) => {
      const re = patternOf(s);
      if (!re) return false;
      re.lastIndex = 0;
      const hit = re.test(text);
      re.lastIndex = 0;
      return hit;
    });
  }
}

const scope = new AsyncLocalStorage<Redactor>();
/** The redactor of the one run that owns the process (the binary's), for the process's life. */
let processRedactor: Redactor | undefined;

/**
 * Runs fn with `redactor` as the invocation's redactor: Secrets created inside register with it.
 * `ownsProcess`: this run is the only one the process will make (bin/pikactl.js), so the scope
 * to keep is the whole process and a module variable holds it. An AsyncLocalStorage would scope
 * it no better there, and on Node 20 entering one turns on promise hooks for every promise the
 * process makes after it (module loading included): a quarter of `status`'s start-up work.
 */
export function withRedactor<T>(redactor: Redactor, fn: () => T, opts: { ownsProcess?: boolean } = {}): T {
  if (!opts.ownsProcess) return scope.run(redactor, fn);
  if (processRedactor) throw new Error('internal error: a second run claims to own the process');
  processRedactor = redactor;
  return fn();
}

export function currentRedactor(): Redactor | undefined {
  return scope.getStore() ?? processRedactor;
}

/** Called by the Secret constructor. Outside a run (library use, unit tests) nothing is recorded. */
export function registerSecret(s: Secret): void {
  currentRedactor()?.add(s);
}

/**
 * `text` with every secret of the invocation, and the `extra` ones, cut out in every
 * form. `extra` covers secrets created outside the scope (tests, library callers).
 */
export function redactSecrets(text: string, extra: readonly Secret[] = []): string {
  let t = currentRedactor()?.redact(text) ?? text;
  if (extra.length > 0) {
    const r = new Redactor();
    for (const s of extra) r.add(s);
    t = r.redact(t);
  }
  return t;
}

/** Whether `text` holds any of `secrets` (and the invocation's) in any form: the journal's guard. */
export function containsSecret(text: string, secrets: readonly Secret[] = []): boolean {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r.contains(text) || (currentRedactor()?.contains(text) ?? false);
}
