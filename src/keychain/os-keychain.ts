import { platform as osPlatform } from 'node:os';
import type { Env } from '../deps.js';
import { CliError } from '../errors.js';
import { KEYCHAIN_SERVICE, type Keychain } from './keychain.js';
import { KeychainLoadError, KeychainTimeout, keyringProcess, type KeyringRequest } from './keychain-process.js';
import { Secret } from '../secrets/secret.js';

export interface OsKeychainOptions {
  env: Env;
  /** Per call; default 5 s. A keychain that does not answer is treated as unavailable, never waited on forever. */
  timeoutMs?: number;
  /** Writes may show an unlock dialog on a desktop: give a human time to type. Default 60 s. */
  writeTimeoutMs?: number;
  /** Tests use their own service name so they never touch real entries. */
  service?: string;
  platform?: NodeJS.Platform;
  /** Aborted on SIGINT/SIGTERM: kills a keychain call in flight. */
  signal?: AbortSignal;
}

/** Never created: a lookup of it proves the store answers without writing anything. */
const PROBE_ACCOUNT = 'pikactl-probe:availability';

export function backendName(platform: NodeJS.Platform): string | null {
  switch (platform) {
    case 'darwin':
      return 'macOS Keychain';
    case 'win32':
      return 'Windows Credential Manager';
    case 'linux':
    case 'freebsd':
      return 'Secret Service (D-Bus)';
    default:
      return null;
  }
}

/**
 * Opens the OS keychain through @napi-rs/keyring, probing it once. Throws a
 * CliError keychain_unavailable (exit 1) when it cannot be used. There is no
 * plaintext fallback, on purpose (cli/cli#8954): the caller must choose another source.
 *
 * Linux details, verified against gnome-keyring 42:
 * - entries are pinned to the Secret Service store; the library's default would
 *   silently fall back to the kernel keyutils store, which forgets everything at
 *   reboot and makes "no Secret Service" look like "not found".
 * - libdbus resolves DBUS_SESSION_BUS_ADDRESS once per process; each opened
 *   keychain has its own helper process, started with `opts.env`, so it is the
 *   address in that environment that counts.
 * - a LOCKED collection hides its items: lookups return null and deletes return
 *   false instead of failing. findCredentials does fail (IsLocked), so a null or
 *   false answer is cross-checked with it before it is believed.
 */
export async function openOsKeychain(opts: OsKeychainOptions): Promise<Keychain> {
  const platform = opts.platform ?? osPlatform();
  const service = opts.service ?? KEYCHAIN_SERVICE;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const writeTimeoutMs = opts.writeTimeoutMs ?? 60_000;
  const backend = backendName(platform);
  if (!backend) throw unavailable(`no supported OS keychain on ${platform}`, platform, opts.env);
  const fail = (err: unknown) => toKeychainError(err, backend, platform, opts.env);

  // Every keyring call runs in a helper process (see keychain-process.ts): a bus
  // that never answers then costs one timeout, not a frozen event loop.
  const proc = keyringProcess({ env: opts.env, signal: opts.signal, backend });
  const linux = platform === 'linux';
  const call = <T>(req: KeyringRequest, ms = timeoutMs): Promise<T> =>
    (proc.call(req, ms) as Promise<T>).catch((e) => Promise.reject(fail(e)));
  const get = (account: string) => call<string | null>({ op: 'get', service, account });
  const findAll = () => call<Array<{ account: string; password: string }>>({ op: 'find', service });

  // The probe: a read of an entry that never exists. On Linux, also a search,
  // which fails when pikactl's items sit in a locked collection.
  await get(PROBE_ACCOUNT);
  if (linux) await findAll();

  return {
    backend,
    async get(account) {
      const value = await get(account);
      if (value !== null && value !== undefined) return new Secret(value, `keychain:${account}`);
      if (linux) {
        const hit = (await findAll()).find((c) => c.account === account);
        if (hit) return new Secret(hit.password, `keychain:${account}`);
      }
      return null;
    },
    async set(account, value) {
      await call({ op: 'set', service, account, password: value.reveal() }, writeTimeoutMs);
      // Read it back: with no usable store some backends accept a write and keep nothing.
      const back = await get(account);
      if (back !== value.reveal()) {
        throw unavailable(`${backend} accepted the entry "${account}" but did not keep it`, platform, opts.env);
      }
    },
    async delete(account) {
      const deleted = await call<boolean>({ op: 'delete', service, account }, writeTimeoutMs);
      if (!deleted && linux && (await findAll()).some((c) => c.account === account)) {
        throw unavailable(`${backend} did not delete "${account}" (is the keyring locked?)`, platform, opts.env);
      }
      return deleted;
    },
    async list() {
      const accounts = (await findAll()).map((c) => c.account);
      return [...new Set(accounts)].filter((a) => a !== PROBE_ACCOUNT).sort();
    },
  };
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Turns the library's errors (plain Errors with platform text) into operator errors. */
export function toKeychainError(err: unknown, backend: string, platform: NodeJS.Platform, env: Env): CliError {
  if (err instanceof CliError) return err;
  const text = errorText(err);
  if (err instanceof KeychainTimeout) return unavailable(text, platform, env, err);
  if (err instanceof KeychainLoadError)
    return unavailable(`the keychain library could not be loaded (${text})`, platform, env, err);
  if (/ambiguous/i.test(text)) {
    return new CliError(`${backend} holds more than one matching pikactl entry: ${text}`, {
      code: 'error',
      hint: 'Remove the duplicates (service "pikactl") in your keychain app, then retry.',
      cause: err,
    });
  }
  let reason: string;
  if (/locked|prompt was dismissed/i.test(text)) {
    reason = 'the keyring is locked and could not be unlocked here';
  } else if (/autolaunch|DBUS_SESSION_BUS_ADDRESS|Failed to connect|connection refused|No such file/i.test(text)) {
    reason = 'no D-Bus session bus is reachable';
  } else if (/ServiceUnknown|org\.freedesktop\.secrets|not provided by any \.service/i.test(text)) {
    reason = 'no Secret Service is running on the session bus';
  } else if (/no result found/i.test(text)) {
    reason = 'the Secret Service has no default keyring to store entries in';
  } else {
    reason = 'the keychain reported an error';
  }
  return unavailable(`${backend} is not usable: ${reason} (${text})`, platform, env, err);
}

function unavailable(message: string, platform: NodeJS.Platform, env: Env, cause?: unknown): CliError {
  const ci = 'In CI, use PIKA_SESSION or an inline login (--user, --password-from) and env:/file: secret sources.';
  const desktop =
    platform === 'linux' || platform === 'freebsd'
      ? ' On a Linux desktop, start and unlock gnome-keyring (or enable the Secret Service in KeePassXC)' +
        (env.DBUS_SESSION_BUS_ADDRESS ? '.' : '; DBUS_SESSION_BUS_ADDRESS is not set, so there is no session bus.')
      : '';
  return new CliError(message, {
    code: 'keychain_unavailable',
    hint: `${ci}${desktop} pikactl never falls back to a plaintext file.`,
    cause,
  });
}
