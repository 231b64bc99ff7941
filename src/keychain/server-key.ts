import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import { keychainAccount } from './accounts.js';
import type { Secret } from '../secrets/secret.js';
import { isKeychainUnavailable, openKeychainOrNull } from './open.js';
import { targetFlags } from '../output/target-flags.js';

/** A server key read from the keychain, with the entry it came from (for messages). */
export interface StoredKey {
  account: string;
  secret: Secret;
}

/**
 * The live server key entry ("server-key:<server id>") of `server`, or null when
 * there is none or no keychain is reachable. Used as the default key source of
 * unlock and rotate when no --key-from (and no context key_from) is given: a
 * missing keychain must then fall through to the prompt, not fail the command.
 */
export async function findServerKey(
  ctx: Pick<Deps, 'keychain'>,
  server: Pick<ServerUrl, 'id'>,
  onUnavailable?: (err: CliError) => void,
): Promise<StoredKey | null> {
  const keychain = await openKeychainOrNull(ctx, onUnavailable);
  if (!keychain) return null;
  const account = keychainAccount('server-key', server);
  try {
    const secret = await keychain.get(account);
    return secret && !secret.isEmpty() ? { account, secret } : null;
  } catch (err) {
    if (!isKeychainUnavailable(err)) throw err;
    onUnavailable?.(err);
    return null;
  }
}

/** The entry a key came from, when it came from the keychain (SecretReader labels those "keychain:<account>"). */
export function keychainEntryOf(secret: Secret): string | undefined {
  return secret.source.startsWith('keychain:') ? secret.source.slice('keychain:'.length) : undefined;
}

/** Printed on stderr when a key is taken from the keychain without being asked for explicitly. */
export function usingStoredKeyNote(account: string, role = 'server key'): string {
  return `Using the ${role} from the keychain entry "${account}" (service pikactl).\n`;
}

/**
 * The server said 403 to a key read from the keychain. Named, not retried: a
 * second try with the same wrong value only feeds the unlock rate limiter.
 */
export function wrongStoredKey(
  server: Pick<ServerUrl, 'id'>,
  account: string,
  what = 'the server key',
  cause?: unknown,
): CliError {
  return new CliError(
    `${server.id} rejected ${what} from the keychain entry "${account}": it is not the server's key`,
    {
      code: 'wrong_key',
      hint: `Nothing was changed and the entry was not tried again. Store the right key with: pikactl keychain set ${targetFlags(server)}   (or pass --key-from to use another source)`,
      cause,
      details: { entry: account },
    },
  );
}
