import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import type { Env } from '../deps.js';
import { CliError } from '../errors.js';

/**
 * `pikactl keychain test` on Linux names the exact piece of the Secret Service chain
 * that is missing, checked in order and each bounded (no call can hang the command):
 * 1. a session bus address (DBUS_SESSION_BUS_ADDRESS);
 * 2. a bus at that address that answers (a socket that accepts and speaks D-Bus);
 * 3. a Secret Service on the bus (org.freedesktop.secrets, running or activatable);
 * 4. a default collection (the "default" alias, normally the "login" keyring);
 * 5. that collection unlocked.
 * Runs before the keychain library is touched: a bus that never answers would block it.
 * Steps 3-5 ask `dbus-send` (package dbus); without it they are left to the library.
 */

const STEP_MS = 3000;

export type MissingPiece =
  | 'no_bus_address'
  | 'bus_not_found'
  | 'bus_not_answering'
  | 'no_secret_service'
  | 'no_default_collection'
  | 'collection_locked';

const RECIPE = 'See "Keychain on a headless Linux box" in the README.';
const UNLOCK = "printf '%s' 'a-non-empty-password' | gnome-keyring-daemon --unlock --components=secrets";

function missing(piece: MissingPiece, message: string, hint: string): CliError {
  // The recipe on its own line: the hint may end in a command to copy, which a trailing sentence would spoil.
  return new CliError(`keychain test: the Secret Service keychain is not usable: ${message}`, {
    code: 'keychain_unavailable',
    hint: `${hint}\n${RECIPE}`,
    details: { missing: piece },
  });
}

/** The first unix socket of a D-Bus address list: a path, or an abstract name (leading NUL for node). */
export function busSocket(address: string): { socket: string; shown: string } | undefined {
  for (const part of address.split(';')) {
    const m = /^unix:(.*)$/.exec(part.trim());
    if (!m) continue;
    const kv = Object.fromEntries(m[1].split(',').map((p) => p.split('=', 2).map((s) => decodeURIComponent(s))));
    if (kv.path) return { socket: kv.path, shown: kv.path };
    if (kv.abstract) return { socket: `\u0000${kv.abstract}`, shown: `@${kv.abstract}` };
  }
  return undefined;
}

/** Connects and starts D-Bus authentication: any reply line means a bus answers there. */
function probeBus(socket: string): Promise<'answers' | 'silent' | { errno: string }> {
  return new Promise((resolve) => {
    const s = connect(socket);
    const done = (r: 'answers' | 'silent' | { errno: string }) => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('silent'), STEP_MS);
    s.once('connect', () => s.write(`\u0000AUTH EXTERNAL ${Buffer.from(String(userInfo().uid)).toString('hex')}\r\n`));
    s.once('data', () => done('answers'));
    s.once('error', (err: NodeJS.ErrnoException) => done({ errno: err.code ?? 'error' }));
    s.once('end', () => done('silent'));
  });
}

/** One bounded dbus-send call; undefined when dbus-send is missing or the call fails. */
function dbusSend(env: Env, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(
        'dbus-send',
        ['--session', '--print-reply', `--reply-timeout=${STEP_MS}`, ...args],
        { env: env as NodeJS.ProcessEnv, timeout: STEP_MS + 500, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 },
        (err, stdout) => resolve(err ? undefined : String(stdout)),
      );
    } catch {
      resolve(undefined);
    }
  });
}

const BUS = ['--dest=org.freedesktop.DBus', '/org/freedesktop/DBus'];
const SECRETS = 'org.freedesktop.secrets';

/** The first missing piece, or undefined when the chain looks whole (or cannot be checked further). */
export async function diagnoseSecretService(env: Env): Promise<CliError | undefined> {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!address) {
    return missing(
      'no_bus_address',
      'no D-Bus session bus address (DBUS_SESSION_BUS_ADDRESS is not set)',
      'Start a session bus for your shell: dbus-run-session -- bash (a desktop or SSH login with pam_systemd starts one).',
    );
  }
  const sock = busSocket(address);
  if (sock) {
    const r = await probeBus(sock.socket);
    if (typeof r === 'object') {
      return missing(
        'bus_not_found',
        `the session bus at ${sock.shown} (DBUS_SESSION_BUS_ADDRESS) cannot be reached (${r.errno})`,
        'The address is stale (from another login?) or the bus died: start a new one with dbus-run-session -- bash.',
      );
    }
    if (r === 'silent') {
      return missing(
        'bus_not_answering',
        `the session bus at ${sock.shown} accepts connections but does not answer`,
        'Something there is not a working D-Bus daemon: restart the session (or dbus-run-session -- bash).',
      );
    }
  }
  const owned = await dbusSend(env, [...BUS, 'org.freedesktop.DBus.NameHasOwner', `string:${SECRETS}`]);
  if (owned === undefined) return undefined;
  if (!/boolean true/.test(owned)) {
    const activatable = await dbusSend(env, [...BUS, 'org.freedesktop.DBus.ListActivatableNames']);
    if (activatable !== undefined && !activatable.includes(`"${SECRETS}"`)) {
      return missing(
        'no_secret_service',
        `no Secret Service on the session bus (${SECRETS} is neither running nor activatable)`,
        `Install one (apt-get install gnome-keyring) and start it: ${UNLOCK}`,
      );
    }
  }
  const alias = await dbusSend(env, [
    `--dest=${SECRETS}`,
    '/org/freedesktop/secrets',
    'org.freedesktop.Secret.Service.ReadAlias',
    'string:default',
  ]);
  if (alias === undefined) return undefined;
  const path = /object path "([^"]*)"/.exec(alias)?.[1];
  if (path === undefined) return undefined;
  if (path === '/') {
    return missing(
      'no_default_collection',
      'the Secret Service has no default collection to store entries in',
      `Create and unlock the "login" collection (an empty password creates none): ${UNLOCK}`,
    );
  }
  const locked = await dbusSend(env, [
    `--dest=${SECRETS}`,
    path,
    'org.freedesktop.DBus.Properties.Get',
    'string:org.freedesktop.Secret.Collection',
    'string:Locked',
  ]);
  if (locked !== undefined && /boolean true/.test(locked)) {
    const name = path.split('/').pop();
    return missing(
      'collection_locked',
      `the default collection "${name}" (${path}) is locked`,
      `Unlock it with its password: ${UNLOCK.replace('a-non-empty-password', 'its-password')} (or in your desktop's keyring app).`,
    );
  }
  return undefined;
}
