import { join } from 'node:path';
import { SystemIO } from './io/system.js';
import type { IO } from './io/types.js';
import type { Keychain } from './keychain/keychain.js';

export type Env = Record<string, string | undefined>;

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Everything a command may touch, injected (gh's Factory). Real dependencies are
 * created lazily so a command that does not need them pays nothing at start-up.
 */
export interface Deps {
  io: IO;
  env: Env;
  homedir: string;
  cwd: string;
  clock: Clock;
  /** When set, the API client uses this fetch instead of undici's transport (msw tests). */
  fetch?: typeof globalThis.fetch;
  keychain(): Promise<Keychain>;
  /** Aborted on SIGINT/SIGTERM/SIGHUP. */
  signal?: AbortSignal;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** XDG config dir for pikactl (contexts). */
export function configDir(ctx: Pick<Deps, 'env' | 'homedir'>): string {
  const base = ctx.env.XDG_CONFIG_HOME || join(ctx.homedir, '.config');
  return join(base, 'pikactl');
}

/** XDG state dir for pikactl (playbook journals). */
export function stateDir(ctx: Pick<Deps, 'env' | 'homedir'>): string {
  const base = ctx.env.XDG_STATE_HOME || join(ctx.homedir, '.local', 'state');
  return join(base, 'pikactl');
}

/** The signals that end a command: each aborts the context signal (exit 130, see `help exit-codes`). */
export const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function systemDeps(): Deps {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(new Error(`received ${sig}`));
  };
  // `on`, not `once`, for as long as the process lives: with no listener left, a second signal
  // (or @inquirer's signal-exit, which re-raises when it is the last listener) would kill the
  // process on the spot, before any prompt has given the terminal its echo back.
  for (const sig of ENDING_SIGNALS) process.on(sig, onSignal);
  let keychain: Promise<Keychain> | undefined;
  const env = process.env;
  return {
    io: new SystemIO({
      stdin: () => process.stdin,
      // node:tty (and node:net under it) only once asked: --version and --help never ask.
      // getBuiltinModule, not an import: each ES import of a built-in builds a facade of all its
      // exports first (0.1-0.3 ms apiece, which --version feels).
      stdinIsTTY: () => process.getBuiltinModule('node:tty').isatty(0),
      stdout: process.stdout,
      stderr: process.stderr,
      env,
      signal: controller.signal,
      // A write error on stdout/stderr ends the command (SystemIO keeps the error; cli.ts reports it).
      onOutputError: () => !controller.signal.aborted && controller.abort(new Error('output failed')),
    }),
    env,
    homedir: env.HOME || process.getBuiltinModule('node:os').homedir(),
    cwd: process.cwd(),
    clock: realClock,
    signal: controller.signal,
    keychain: () =>
      (keychain ??= import('./keychain/os-keychain.js').then((m) =>
        m.openOsKeychain({ env, signal: controller.signal }),
      )),
  };
}
