import type { ServerUrl } from '../api/url.js';
import type { Secret } from '../secrets/secret.js';

/**
 * Where secrets come from. src/secrets/reader.ts implements it (prompt, -, file:,
 * env:, keychain…); tests use a fake. `spec` undefined means "the default": a
 * hidden prompt on a TTY, else a usage error naming `flag`.
 */
export interface SecretSource {
  read(req: { spec?: string; flag: string; label: string }): Promise<Secret>;
}

/** Stored sessions (`pikactl login`, keychain). Optional: the seam for the keychain issue. */
export interface SessionStore {
  load(server: ServerUrl): Promise<Secret | null>;
  remove(server: ServerUrl): Promise<void>;
}

export type SessionSource = 'env' | 'stored' | 'login';

/** The session the client now carries. close() logs out only sessions this command opened. */
export interface AuthSession {
  source: SessionSource;
  user?: string;
  close(): Promise<void>;
}
