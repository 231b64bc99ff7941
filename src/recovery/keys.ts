import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { needsInput, usageError } from '../errors.js';
import { openKeychainOrNull } from '../keychain/open.js';
import type { KeyRole } from './decision.js';
import { keychainAccount, type KeychainKind } from '../keychain/accounts.js';
import type { Keychain } from '../keychain/keychain.js';
import { Secret } from '../secrets/secret.js';

/**
 * Which keys recover-rotation holds. The operator may hold only one of them; the
 * decision model copes. Sources, in order: the flags; the keychain entries pikactl
 * itself writes around a rotation; a hidden prompt on a terminal (empty = "I do not
 * have it"). In --plan mode no secret is read at all: only whether a key would be there.
 */

export interface KeySpecs {
  old?: string;
  new?: string;
}

export interface RecoveryKeys {
  keys: Partial<Record<KeyRole, Secret>>;
  held: Record<KeyRole, boolean>;
  /** Where each key came from, for messages ("env:NEW_KEY", "keychain:server-key-pending:…"). Never the value. */
  sources: Partial<Record<KeyRole, string>>;
}

/** `confirm`: a `prompt` source asks twice (the reader's own confirmation); other sources ignore it. */
export type ReadSpec = (spec: string, flag: string, label: string, confirm: boolean) => Promise<Secret>;

/** A typed key is asked twice; after this many mismatched pairs pikactl gives up (usage error). */
export const MAX_TYPED_ATTEMPTS = 3;

const FLAG: Record<KeyRole, string> = { old: '--old-key-from', new: '--new-key-from' };
const LABEL: Record<KeyRole, string> = {
  old: 'old server key (before the rotation)',
  new: 'new server key (the rotation was meant to install)',
};

/**
 * The keychain's view of a rotation, as `rotate --save-to-keychain` leaves it:
 * - pending exists: the rotation did not confirm, so the new key is pending and the
 *   old one is still the live entry;
 * - previous exists (no pending): the rotation confirmed, live is new, previous is old;
 * - only live: no rotation went through the keychain; live is the key before it (old).
 */
async function fromKeychain(kc: Keychain, server: ServerUrl): Promise<Partial<Record<KeyRole, Secret>>> {
  const get = (kind: KeychainKind) => kc.get(keychainAccount(kind, server));
  const [live, pending, previous] = await Promise.all([
    get('server-key'),
    get('server-key-pending'),
    get('server-key-previous'),
  ]);
  // pending == live: a promotion that crashed before it deleted pending (see keychain/staging.ts): the rotation confirmed.
  if (pending && !live?.equals(pending)) return { new: pending, old: live ?? previous ?? undefined };
  if (previous) return { old: previous, new: live ?? undefined };
  return live ? { old: live } : {};
}

export async function resolveRecoveryKeys(
  ctx: Deps,
  server: ServerUrl,
  specs: KeySpecs,
  read: ReadSpec,
  opts: { planOnly: boolean },
): Promise<RecoveryKeys> {
  const roles: KeyRole[] = ['old', 'new'];
  const out: RecoveryKeys = { keys: {}, held: { old: false, new: false }, sources: {} };
  for (const k of roles) {
    const spec = specs[k];
    if (spec === undefined) continue;
    out.held[k] = true;
    out.sources[k] = spec;
    // --plan sends no key, so it reads none either (a cmd: source may ask a password manager).
    // A mistyped key is refused and counts toward the rate limit: a typed key is confirmed.
    if (!opts.planOnly) out.keys[k] = await read(spec, FLAG[k], LABEL[k], true);
  }
  if (roles.some((k) => !out.held[k])) {
    // No keychain here (headless Linux, CI): the flags and the prompt remain. Never a plaintext fallback.
    const kc = await openKeychainOrNull(ctx);
    const found = kc ? await fromKeychain(kc, server) : {};
    for (const k of roles) {
      const s = found[k];
      if (out.held[k] || !s) continue;
      // The same value for both roles says nothing about which key is which.
      const other = out.keys[k === 'old' ? 'new' : 'old'];
      if (other?.equals(s)) continue;
      out.held[k] = true;
      out.sources[k] = s.source;
      if (!opts.planOnly) out.keys[k] = s;
    }
  }
  for (const k of roles) {
    if (out.held[k]) continue;
    if (opts.planOnly) {
      out.held[k] = ctx.io.canPrompt(); // a real run would ask for it
      continue;
    }
    if (!ctx.io.canPrompt()) continue;
    const answer = await askTyped(ctx, k);
    if (answer === '') continue;
    out.keys[k] = new Secret(answer, 'prompt');
    out.held[k] = true;
    out.sources[k] = 'prompt';
  }
  if (!out.held.old && !out.held.new) {
    if (!ctx.io.canPrompt())
      throw needsInput('The old or the new server key', '--old-key-from SPEC and/or --new-key-from SPEC');
    throw usageError(
      'recover-rotation needs at least one of the two keys',
      'Type the old key, the new key, or both; or pass --old-key-from / --new-key-from.',
    );
  }
  if (out.keys.old && out.keys.new && out.keys.old.equals(out.keys.new)) {
    throw usageError(
      'the old and the new key are the same',
      'Pass the key from before the rotation as --old-key-from and the one it was meant to install as --new-key-from.',
    );
  }
  return out;
}

/**
 * The prompt for a key not found elsewhere: empty means "I do not have it"; anything
 * else is typed again to confirm, because a slip would be refused by the verifier (and
 * count toward the unlock rate limit) and end the run at a wrong diagnosis. Bounded.
 */
async function askTyped(ctx: Deps, k: KeyRole): Promise<string> {
  const prompter = ctx.io.prompter();
  const label = `${LABEL[k][0].toUpperCase()}${LABEL[k].slice(1)}`;
  for (let attempt = 1; ; attempt++) {
    const first = await prompter.password(`${label} (leave empty if you do not have it):`);
    if (first === '') return '';
    const again = await prompter.password(`${label} again to confirm:`);
    if (again === first) return first;
    if (attempt >= MAX_TYPED_ATTEMPTS) {
      throw usageError(
        `the two entries of the ${LABEL[k]} did not match (${MAX_TYPED_ATTEMPTS} tries); nothing was sent`,
        `Run recover-rotation again, or pass the key with ${FLAG[k]} (file:PATH, env:NAME, keychain…).`,
      );
    }
    ctx.io.stderr.write('The two entries do not match. Type the key again.\n');
  }
}
