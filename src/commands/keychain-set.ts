import type { App } from './app.js';
import type { GlobalOptions } from '../globals.js';
import { openInvocation, singleTarget, type Invocation, type Target } from './shared/invocation.js';
import { toCliError } from './shared/api-errors.js';
import { authed } from './shared/auth-step.js';
import { confirmAction } from './shared/confirm.js';
import { CliError, ExitCode } from '../errors.js';
import { writeJson } from '../output/json.js';
import type { KeychainKind } from '../keychain/accounts.js';
import type { Secret } from '../secrets/secret.js';
import type { Keychain } from '../keychain/keychain.js';
import { targetFlags } from '../output/target-flags.js';
import { sendChange } from '../outcome.js';
// A type only (gone at run time): keychain.ts declares `set` and loads this file when it runs.
import type { SetOptions } from './keychain.js';

/**
 * `pikactl keychain set`: store a key, tested against the server first. A key the server
 * refuses or cannot test is not stored (unless --no-verify); an existing entry is replaced
 * only after a yes, and a replaced server key is kept as server-key-previous.
 */

/** Outcome of testing a key against the server before it is stored. */
type Verified = { verified: true; unlocked: boolean } | { verified: false; reason: string };

export async function runSet(app: App, g: GlobalOptions, opts: SetOptions): Promise<number> {
  const { ctx } = app;
  const [{ requireKeychain }, { isKeychainKind, keychainAccount }] = await Promise.all([
    import('../keychain/open.js'),
    import('../keychain/accounts.js'),
  ]);
  const name = opts.name?.trim();
  if (name === '')
    throw new CliError('--name needs an entry name', { code: 'usage', hint: 'See `pikactl keychain list`.' });
  if (name === 'session')
    throw new CliError('the session entry is written by `pikactl login`, not by keychain set', {
      code: 'usage',
      hint: 'pikactl login',
    });
  const openKeychain = () =>
    requireKeychain(
      ctx,
      'keychain set',
      'Pass the key to each command with --key-from env:NAME, file:PATH or cmd:COMMAND instead.',
    );

  // An entry named in full (`--name my-password`) belongs to no server: store it as given, untested.
  if (name !== undefined && !isKeychainKind(name)) {
    const { validateSecretSpecs } = await import('../secrets/spec.js');
    validateSecretSpecs([{ flag: '--key-from', spec: opts.keyFrom }]);
    const kc = await openKeychain();
    const existing = await existingEntry(app, kc, name, opts);
    const [{ SourceReader }, { kubeSource }] = await Promise.all([
      import('../secrets/reader.js'),
      import('./shared/kube-source.js'),
    ]);
    const value = await new SourceReader(ctx, { kube: kubeSource(ctx, g.kube) }).read({
      spec: opts.keyFrom,
      flag: '--key-from',
      label: `secret for keychain entry "${name}"`,
      confirm: true,
    });
    return store(app, g, kc, { account: name, existing, yes: opts.yes }, value, {
      verified: false,
      reason: 'an entry named with --name is not tested against a server',
    });
  }

  const inv = await openInvocation(app, g, [{ flag: '--key-from', spec: opts.keyFrom }]);
  try {
    const t = singleTarget(inv, 'keychain set');
    const kind = (name ?? 'server-key') as Exclude<KeychainKind, 'session'>;
    const account = keychainAccount(kind, t.server);
    // Before the key is asked for: an operator without a keychain learns it before typing anything.
    const kc = await openKeychain();
    // Likewise a replacement that cannot be confirmed (no terminal, no --yes) fails before anything is read or sent.
    const existing = await existingEntry(app, kc, account, opts);
    const label = kind === 'server-key' ? 'server key' : `key for ${kind}`;
    const key = await inv.secrets.read({
      spec: opts.keyFrom,
      flag: '--key-from',
      label,
      confirm: true,
      server: t.server,
    });
    // Only the live key can be tested: the server's verifier accepts nothing else.
    const check: Verified =
      kind !== 'server-key'
        ? { verified: false, reason: `a ${kind} entry is not the live key` }
        : opts.verify
          ? await verifyKey(app, g, inv, t, key)
          : { verified: false, reason: '--no-verify' };
    // The live key it replaces is kept as server-key-previous, as a rotation through the keychain does.
    const previous = kind === 'server-key' ? keychainAccount('server-key-previous', t.server) : undefined;
    return await store(app, g, kc, { account, existing, previous, yes: opts.yes }, key, check, t.server.id);
  } finally {
    await inv.close();
  }
}

/** The entry's current value. Replacing needs a yes: without a terminal that is --yes, said before any key is read. */
async function existingEntry(app: App, kc: Keychain, account: string, opts: SetOptions): Promise<Secret | null> {
  const existing = await kc.get(account);
  if (existing && !opts.yes && !app.ctx.io.canPrompt()) {
    throw new CliError(
      `the keychain entry "${account}" exists; replacing it needs a confirmation, and there is no terminal to ask on`,
      {
        code: 'usage',
        hint: 'Pass --yes to replace it (a replaced server key is kept as server-key-previous).',
      },
    );
  }
  return existing;
}

interface Entry {
  account: string;
  existing: Secret | null;
  /** Where the replaced value goes (server-key only). */
  previous?: string;
  yes?: boolean;
}

async function store(
  app: App,
  g: GlobalOptions,
  kc: Keychain,
  e: Entry,
  value: Secret,
  check: Verified,
  server?: string,
): Promise<number> {
  const { io } = app.ctx;
  const how = check.verified ? ', verified against the server' : '';
  if (check.verified && check.unlocked && server && !g.json)
    io.stderr.write(`${server} was locked; the key unlocked it.\n`);
  if (e.existing?.equals(value)) {
    if (g.json)
      writeJson(io, {
        ok: true,
        entry: e.account,
        backend: kc.backend,
        replaced: false,
        unchanged: true,
        ...check,
        exit_code: 0,
      });
    else
      io.stdout.write(
        `The keychain entry "${e.account}" in ${kc.backend} already holds this key${how}; nothing changed.\n`,
      );
    return ExitCode.OK;
  }
  let previous: string | undefined;
  if (e.existing) {
    previous = e.previous;
    const overwrite = previous && (await kc.get(previous)) !== null ? ` (replacing what "${previous}" held)` : '';
    if (!g.json || !e.yes) {
      io.stderr.write(
        `The keychain entry "${e.account}" already holds a ${check.verified ? 'different ' : ''}value, and it will be replaced${check.verified ? '' : ` by a key that was NOT verified (${check.reason})`}.\n` +
          (previous
            ? `The current value is kept as "${previous}"${overwrite}.\n`
            : 'The current value is not kept anywhere: make sure it is in your password manager.\n'),
      );
    }
    await confirmAction(app, {
      yes: e.yes,
      what: 'replace the keychain entry',
      question: `Replace the keychain entry "${e.account}"?`,
    });
    // Previous first: writing the live entry first would overwrite the only copy of the old key.
    if (previous) await kc.set(previous, e.existing);
  }
  await kc.set(e.account, value);
  if (g.json) {
    writeJson(io, {
      ok: true,
      entry: e.account,
      backend: kc.backend,
      replaced: e.existing !== null,
      ...(previous ? { previous } : {}),
      ...check,
      exit_code: 0,
    });
  } else {
    io.stdout.write(
      `${e.existing ? 'Replaced' : 'Stored'} the keychain entry "${e.account}" in ${kc.backend}${how}.\n`,
    );
    if (previous) io.stdout.write(`The key it held is kept as "${previous}".\n`);
  }
  return ExitCode.OK;
}

/**
 * Tests a key by unlocking with it: idempotent on an unlocked server (it re-checks the
 * verifier), a real unlock on a locked one. A 403 stops everything: nothing is stored.
 * A server that cannot test it (unreachable, settings unreadable) stops it too: storing
 * an unverified key is what --no-verify says. Encryption off has no verifier to ask:
 * the key is stored with a warning (`init --key-from keychain` would use it).
 */
async function verifyKey(app: App, g: GlobalOptions, inv: Invocation, t: Target, key: Secret): Promise<Verified> {
  const { ctx } = app;
  const [{ observeNode }, { ApiError }] = await Promise.all([import('../ops/observe.js'), import('../api/types.js')]);
  const unverifiable = (why: string, code: 'unreachable' | 'needs_recovery', hint: string) =>
    new CliError(`the key cannot be verified: ${why}; nothing was stored`, {
      code,
      hint: `${hint} To store it without the check: pikactl keychain set ${targetFlags(t.server)} --no-verify (\`pikactl unlock\` will tell if it is wrong).`,
    });
  try {
    const before = await observeNode(t.client, ctx.signal);
    switch (before.state) {
      case 'off': {
        const reason = `encryption is not initialized on ${t.server.id} (pikactl init --key-from keychain would use this entry)`;
        ctx.io.stderr.write(
          `${ctx.io.style.yellow('Warning:')} the key was NOT verified: ${reason}. \`pikactl unlock\` will tell if it is wrong.\n`,
        );
        return { verified: false, reason };
      }
      case 'unreachable':
        throw unverifiable(
          `${t.server.id} could not be reached`,
          'unreachable',
          `Run it again when the server answers (pikactl status ${targetFlags(t.server)}).`,
        );
      case 'unreadable':
        throw unverifiable(
          `${t.server.id} cannot read its settings (a half-done rotation?)`,
          'needs_recovery',
          `Find out with pikactl recover-rotation ${targetFlags(t.server)}.`,
        );
      case 'locked':
      case 'unlocked':
        break;
      default:
        throw unverifiable(
          `${t.server.id} is in no state to test a key`,
          'unreachable',
          `See pikactl status ${targetFlags(t.server)}.`,
        );
    }
    // On a locked server the test IS an unlock: a lost answer leaves it maybe unlocked (exit 8), not "unreachable".
    const unlock = () => t.client.unlock(key, ctx.signal);
    const change = {
      op: 'unlock',
      server: t.server,
      what: 'unlock that tests the key',
      caution: 'Nothing was stored in the keychain.',
    } as const;
    await authed(app, g, inv, t, 'keychain set', before.state === 'locked' ? () => sendChange(change, unlock) : unlock);
    return { verified: true, unlocked: before.state === 'locked' };
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'wrong_key') {
      throw new CliError(`${t.server.id} rejected this key; nothing was stored`, {
        code: 'wrong_key',
        hint: 'Check which key is current (your password manager entry), then run `pikactl keychain set` again.',
        cause: err,
      });
    }
    if (err instanceof ApiError) throw await toCliError(err, t.server, 'verifying the key');
    throw err;
  }
}
