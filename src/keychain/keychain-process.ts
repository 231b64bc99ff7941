import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { cancelled } from '../errors.js';
import type { Env } from '../deps.js';
import { formatDuration } from '../util/duration.js';
import { nodeBinary } from '../io/os.js';

/** The keychain did not answer in time; the helper process was killed. */
export class KeychainTimeout extends Error {}
/** @napi-rs/keyring could not be loaded (in the helper process). */
export class KeychainLoadError extends Error {}

export type KeyringRequest =
  | { op: 'get' | 'delete'; service: string; account: string }
  | { op: 'set'; service: string; account: string; password: string }
  | { op: 'find'; service: string };

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
  load?: boolean;
}

/**
 * The helper: plain CommonJS run with `node -e`, so it needs no build step (the
 * tests run src/ through vitest) and has no file of its own to find. The keyring
 * calls run in a worker thread of the helper, so the helper's main thread stays
 * free to notice that pikactl went away (even killed with SIGKILL: the IPC channel
 * closes) and then kill itself, blocked native call or not. One reply per request.
 */
const KEYRING_WORKER = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
let k, loadError;
try {
  const m = require(workerData);
  k = m.default && m.default.AsyncEntry ? m.default : m;
} catch (e) { loadError = String((e && e.message) || e); }
const opts = { linux: { store: 'secret-service' } };
parentPort.on('message', async (m) => {
  const reply = (r) => parentPort.postMessage(Object.assign({ id: m.id }, r));
  if (loadError) return reply({ error: loadError, load: true });
  try {
    let value = null;
    if (m.op === 'find') {
      value = (await k.findCredentialsAsync(m.service, null)).map((c) => ({ account: c.account, password: c.password }));
    } else {
      const e = new k.AsyncEntry(m.service, m.account, opts);
      if (m.op === 'get') value = await e.getPassword();
      else if (m.op === 'set') await e.setPassword(m.password);
      else if (m.op === 'delete') value = await e.deleteCredential();
    }
    reply({ value: value === undefined ? null : value });
  } catch (e) { reply({ error: String((e && e.message) || e) }); }
});
`;

const HELPER = `'use strict';
const { Worker } = require('node:worker_threads');
const die = () => process.kill(process.pid, 'SIGKILL');
process.on('disconnect', die);
const w = new Worker(${JSON.stringify(KEYRING_WORKER)}, { eval: true, workerData: process.argv[1] });
w.on('message', (m) => { try { process.send(m); } catch { die(); } });
w.on('error', die);
w.on('exit', die);
process.on('message', (m) => w.postMessage(m));
`;

export interface KeyringProcess {
  /** One keyring call in the helper, bounded by timeoutMs; on timeout or abort the helper is killed. */
  call(req: KeyringRequest, timeoutMs: number): Promise<unknown>;
}

/**
 * Every call of @napi-rs/keyring runs in a child process, never in ours. Its Linux
 * backend talks to D-Bus synchronously (constructing an entry already blocks), so
 * a session bus that accepts a connection and never answers would freeze our event
 * loop: no timer fires, SIGINT is never handled. A worker thread does not help:
 * Worker.terminate() waits for the native call to return, and so does process exit
 * (verified with a bus that never answers). A child process can always be killed.
 *
 * The helper starts on the first call (a command that never uses the keychain pays
 * nothing) and is unreferenced while idle, so it never keeps pikactl alive; it kills
 * itself when our IPC channel closes, so it never outlives pikactl either. A timeout kills it and makes every later call fail
 * at once with the same error: a store that hung once is not waited on again.
 */
/**
 * What the helper needs of the environment to find the OS store: the session bus and the
 * keyring daemon (Linux), the user's home and temp dirs (all), the system folders (Windows).
 * Nothing else is passed on, so a variable an `env:` source names (a key, a password) never
 * sits in the helper's environment.
 */
const HELPER_ENV =
  /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z_]+|TMPDIR|TEMP|TMP|XDG_[A-Z_]+|DBUS_[A-Z_]+|DISPLAY|WAYLAND_DISPLAY|GNOME_KEYRING_[A-Z_]+|SYSTEMROOT|WINDIR|APPDATA|LOCALAPPDATA|USERPROFILE|USERNAME|COMSPEC|PATHEXT|PROGRAMDATA)$/i;

export function helperEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && HELPER_ENV.test(k)) out[k] = v;
  return out;
}

export function keyringProcess(opts: { env: Env; signal?: AbortSignal; backend: string }): KeyringProcess {
  let child: ChildProcess | undefined;
  let dead: Error | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();

  const settle = (id: number, fn: (p: { resolve: (v: unknown) => void; reject: (e: Error) => void }) => void) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    fn(p);
    if (pending.size === 0) idle(true);
  };
  const idle = (yes: boolean) => {
    const c = child as (ChildProcess & { channel?: { ref(): void; unref(): void } }) | undefined;
    if (!c) return;
    if (yes) {
      c.unref();
      c.channel?.unref();
    } else {
      c.ref();
      c.channel?.ref();
    }
  };
  const killAll = (err: Error, permanent: boolean) => {
    if (permanent) dead = err;
    const c = child;
    child = undefined;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const id of [...pending.keys()]) settle(id, (p) => p.reject(err));
  };
  const onAbort = () => killAll(cancelled(), true);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const start = (): ChildProcess => {
    const modulePath = createRequire(import.meta.url).resolve('@napi-rs/keyring');
    const c = spawn(nodeBinary(), ['-e', HELPER, modulePath], {
      env: helperEnv(opts.env),
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      windowsHide: true,
    });
    c.on('message', (m: Reply) => {
      if (m.error !== undefined)
        settle(m.id, (p) => p.reject(m.load ? new KeychainLoadError(m.error) : new Error(m.error)));
      else settle(m.id, (p) => p.resolve(m.value));
    });
    const gone = (why: string) => {
      if (child !== c) return;
      child = undefined;
      for (const id of [...pending.keys()])
        settle(id, (p) => p.reject(new Error(`the keychain helper process ${why}`)));
    };
    c.on('error', (err: NodeJS.ErrnoException) => gone(`could not be started (${err.code ?? err.message})`));
    c.on('exit', (code, signal) => gone(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    return c;
  };

  return {
    call(req, timeoutMs) {
      if (opts.signal?.aborted) return Promise.reject(cancelled());
      if (dead) return Promise.reject(dead);
      return new Promise((resolve, reject) => {
        let c: ChildProcess;
        try {
          c = child ??= start();
        } catch (err) {
          // No @napi-rs/keyring to resolve: same as a failed load in the helper.
          reject(new KeychainLoadError(err instanceof Error ? err.message : String(err)));
          return;
        }
        const id = nextId++;
        const timer = setTimeout(() => {
          killAll(new KeychainTimeout(`${opts.backend} did not answer within ${formatDuration(timeoutMs)}`), true);
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        idle(false);
        try {
          c.send({ id, ...req }, (err) => {
            if (err)
              settle(id, (p) =>
                p.reject(new Error(`the keychain helper process did not take the request (${err.message})`)),
              );
          });
        } catch (err) {
          settle(id, (p) => p.reject(err instanceof Error ? err : new Error(String(err))));
        }
      });
    },
  };
}
