import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import type { Keychain } from './keychain.js';

/** True for the "no keychain here" error (no bus, no Secret Service, locked keyring, timeout). */
export function isKeychainUnavailable(err: unknown): err is CliError {
  return err instanceof CliError && err.code === 'keychain_unavailable';
}

/**
 * The keychain, or null when none is reachable here. For lookups that are only
 * a convenience (a stored session, a stored server key): CI machines have no
 * keychain, and that must not break a command that has other sources. Any other
 * error (say, two entries matching one name) is the operator's to fix and is thrown.
 * `onUnavailable` sees why (for --debug); it never decides anything.
 */
export async function openKeychainOrNull(
  ctx: Pick<Deps, 'keychain'>,
  onUnavailable?: (err: CliError) => void,
): Promise<Keychain | null> {
  try {
    return await ctx.keychain();
  } catch (err) {
    if (!isKeychainUnavailable(err)) throw err;
    onUnavailable?.(err);
    return null;
  }
}

/**
 * The keychain, for commands that cannot do their job without it (login, keychain
 * set, --save-to-keychain). Unavailable becomes an exit-1 error that says what was
 * being attempted and how to do without; there is never a plaintext fallback.
 */
export async function requireKeychain(
  ctx: Pick<Deps, 'keychain'>,
  purpose: string,
  instead: string,
): Promise<Keychain> {
  try {
    return await ctx.keychain();
  } catch (err) {
    if (!isKeychainUnavailable(err)) throw err;
    throw new CliError(`${purpose} needs the OS keychain, and none is usable here: ${err.message}`, {
      code: 'keychain_unavailable',
      // The backend's own hint says how to get a keychain here (desktop) and what CI should use.
      hint: `${instead} ${err.hint ?? 'pikactl never falls back to a plaintext file.'}`,
      cause: err,
    });
  }
}
