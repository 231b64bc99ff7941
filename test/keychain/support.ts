import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemoryKeychain } from '../support/context.js';
import { adminEnv, type TestSandbox } from '../support/sandbox.js';

export const KEY = 'correct-horse-battery-staple-kc1';
export const NEW_KEY = 'tr0ub4dor-and-3-more-words-kc2';

/** Login by env vars, no terminal (CI style). */
export function ciEnv(sb: TestSandbox, extra: Record<string, string> = {}): Record<string, string> {
  return adminEnv(sb, { KEY, NEW_KEY, ...extra });
}

/** One HTTP exchange as the client sent it, with a snapshot of the keychain taken at that moment. */
export interface Sent {
  method: string;
  path: string;
  keychain: Record<string, string>;
}

/**
 * A fetch over the real network (to the sandbox) that records every request and
 * what the keychain held when it left: proves "written to the keychain BEFORE sent".
 */
export function recordingFetch(kc: MemoryKeychain, sb: TestSandbox): { fetch: typeof globalThis.fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    sent.push({
      method: init?.method ?? 'GET',
      path: url.pathname.slice(new URL(sb.url).pathname.replace(/\/$/, '').length),
      keychain: Object.fromEntries(kc.entries),
    });
    return globalThis.fetch(input, init);
  };
  return { fetch, sent };
}

/** Every file below dir with its content (to prove a secret was written nowhere). */
export function filesUnder(dir: string): Array<{ path: string; text: string }> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((d) => d.isFile())
    .map((d) => {
      const path = join(d.parentPath, d.name);
      return { path, text: readFileSync(path).toString('latin1') };
    });
}
