import { apiErrorToCli } from '../api/errors.js';
import { ApiError } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import type { Secret } from '../secrets/secret.js';
import { requireKeychain } from './open.js';
import { certainlyNotApplied, KeyStaging, withPendingHint } from './staging.js';
import { targetFlags } from '../output/target-flags.js';

/** Where --save-to-keychain left the key (for the summary and --json). */
export interface SavedKey {
  live: string;
  previous?: string;
}

/**
 * For `--save-to-keychain`: opens the keychain and refuses an unfinished earlier
 * staging, before any key is asked for or anything is sent.
 */
export async function openStaging(
  ctx: Pick<Deps, 'keychain'>,
  server: ServerUrl,
  command: string,
): Promise<KeyStaging> {
  const keychain = await requireKeychain(
    ctx,
    `${command} --save-to-keychain`,
    `Nothing was sent. Leave out --save-to-keychain and keep the new key in your password manager (and pass it with --new-key-from / --key-from).`,
  );
  const staging = new KeyStaging(keychain, server);
  await staging.checkNoUnfinished();
  return staging;
}

/**
 * Sends a new key (send) and verifies it (verify), with the keychain steps of
 * KeyStaging around them when `staging` is given: staged before sending; dropped
 * again when the server certainly refused; kept, and named in the error, when the
 * outcome is unknown or the verification failed.
 */
export async function stagedSend(
  ctx: Pick<Deps, 'io'>,
  server: ServerUrl,
  action: string,
  staging: KeyStaging | undefined,
  next: Secret,
  send: () => Promise<void>,
  verify: () => Promise<void>,
): Promise<void> {
  if (!staging) {
    await send();
    await verify();
    return;
  }
  await staging.stage(next); // a keychain failure here stops everything: nothing was sent yet
  ctx.io.stderr.write(`Saved the new key to the keychain entry "${staging.pending}" before sending it.\n`);
  try {
    await send();
  } catch (err) {
    if (certainlyNotApplied(err)) {
      await staging.discard();
      throw err;
    }
    throw explain(err, server, action, staging.pending);
  }
  try {
    await verify();
  } catch (err) {
    throw explain(err, server, action, staging.pending);
  }
}

function explain(err: unknown, server: ServerUrl, action: string, pending: string): unknown {
  if (err instanceof CliError) return withPendingHint(err, pending);
  if (err instanceof ApiError) return withPendingHint(apiErrorToCli(err, server, action), pending);
  return err;
}

/**
 * Promotes the staged key after the server confirmed it. A keychain failure here
 * does not undo anything on the server: the error says the server part is done and
 * how to finish the keychain part by hand.
 */
export async function promoteOrExplain(
  staging: KeyStaging,
  next: Secret,
  server: ServerUrl,
  done: string,
): Promise<SavedKey> {
  try {
    return await staging.promote(next);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CliError(
      `${done} ${server.id} and verified the new key, but moving it to "${staging.live}" in the keychain failed: ${why}`,
      {
        code: 'keychain_write_failed',
        hint:
          `The server part is done; do not run it again. The new key is in "${staging.pending}". Finish by hand: ` +
          `pikactl keychain set ${targetFlags(server)} --key-from keychain:server-key-pending --no-verify, ` +
          `then pikactl keychain delete --kind server-key-pending ${targetFlags(server)}`,
        cause: err,
        details: { pending_entry: staging.pending },
      },
    );
  }
}

/** The human summary line(s) after a save. */
export function savedText(saved: SavedKey): string {
  let text = `The new key is in the keychain entry "${saved.live}".\n`;
  if (saved.previous) {
    text += `The key it replaced is kept as "${saved.previous}" until you delete it: pikactl keychain delete --kind server-key-previous\n`;
  }
  return text;
}
