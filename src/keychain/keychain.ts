import type { Secret } from '../secrets/secret.js';

/**
 * The OS keychain behind a narrow interface. The real one is @napi-rs/keyring
 * (loaded lazily); tests may use an in-memory one. There is never a plaintext
 * fallback: when no keychain is reachable, methods throw a CliError with code
 * keychain_unavailable.
 */
export interface Keychain {
  /** Human name of the backend, e.g. "Secret Service (libsecret)" or "memory". */
  readonly backend: string;
  get(account: string): Promise<Secret | null>;
  set(account: string, value: Secret): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
  /** The account names stored under pikactl's service (never the values). */
  list(): Promise<string[]>;
}

export const KEYCHAIN_SERVICE = 'pikactl';
