import { spawn, type StdioOptions } from 'node:child_process';
import { platform as osPlatform } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { Env } from '../deps.js';
import { CliError, cancelled } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import { MAX_SECRET_BYTES, decodeSecret } from './file-source.js';

/** Long enough to unlock a password manager by hand (op signin, a YubiKey touch), short enough not to hang CI forever. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2 * 60_000;

/**
 * How long the pipe may stay open after the command itself exited. Its output is
 * complete then; only a grandchild left running (`(sleep 30 &)`, a daemon started
 * on first use) still holds the pipe, and it is not waited for.
 */
export const PIPE_GRACE_MS = 1000;

export interface SecretCommandOptions {
  command: string;
  /** For messages: "cmd:op (--key-from)". Never the whole command line. */
  display: string;
  /** The child's whole environment. The caller removes variables that hold secrets. */
  env: Env;
  cwd: string;
  stdin: Readable;
  stdinIsTTY: boolean;
  stderr: Writable;
  stderrIsTTY: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  platform?: NodeJS.Platform;
}

function commandError(message: string, hint?: string, cause?: unknown): CliError {
  return new CliError(message, { code: 'error', hint, cause });
}

function fdOf(stream: unknown): number | undefined {
  const fd = (stream as { fd?: unknown } | undefined)?.fd;
  return typeof fd === 'number' ? fd : undefined;
}

/**
 * Runs a password-manager command (`op read ...`, `pass show ...`) with the
 * system shell and returns its stdout minus one trailing newline.
 *
 * - The secret only ever travels child -> us through the stdout pipe: it is in
 *   no argv and no environment.
 * - stderr goes to the operator (password managers prompt and complain there);
 *   when it is a terminal the child gets it directly so it can draw prompts.
 * - stdin is the terminal only when there is one (pinentry, `op` sign-in);
 *   otherwise /dev/null, so a command that wants input fails instead of hanging.
 * - Without a terminal the command runs in its own process group so a timeout
 *   kills the whole pipeline (`sh -c 'a | b'`). With a terminal it must stay in
 *   our foreground group, or reading the TTY would stop it (SIGTTIN).
 * - The output is never put in a message: failures report the exit status only.
 * - The output is complete when the command exits: a grandchild that keeps the
 *   pipe open is waited for PIPE_GRACE_MS at most (it is left running).
 * - Output that is not UTF-8 or holds a NUL is refused, never silently changed.
 */
export function runSecretCommand(opts: SecretCommandOptions): Promise<string> {
  const platform = opts.platform ?? osPlatform();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const stdinFd = opts.stdinIsTTY ? fdOf(opts.stdin) : undefined;
  const stderrFd = opts.stderrIsTTY ? fdOf(opts.stderr) : undefined;
  const interactive = stdinFd !== undefined;
  const ownGroup = !interactive && platform !== 'win32';
  const stdio: StdioOptions = [stdinFd ?? 'ignore', 'pipe', stderrFd ?? 'pipe'];

  const [file, args] =
    platform === 'win32'
      ? [opts.env.ComSpec || 'cmd.exe', ['/d', '/s', '/c', `"${opts.command}"`]]
      : ['/bin/sh', ['-c', opts.command]];

  if (opts.signal?.aborted) return Promise.reject(cancelled());

  return new Promise<string>((resolve, reject) => {
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const chunks: Buffer[] = [];
    let size = 0;

    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env as NodeJS.ProcessEnv,
      stdio,
      detached: ownGroup,
      windowsHide: true,
      windowsVerbatimArguments: platform === 'win32',
    });

    const kill = () => {
      const pid = child.pid;
      const send = (sig: NodeJS.Signals) => {
        try {
          if (ownGroup && pid !== undefined) process.kill(-pid, sig);
          else child.kill(sig);
        } catch {
          // already gone
        }
      };
      send('SIGTERM');
      setTimeout(() => child.exitCode === null && child.signalCode === null && send('SIGKILL'), 1000).unref();
    };

    const finish = (err: Error | null, value?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        kill();
        // Do not wait for pipes a stray grandchild may keep open.
        child.stdout?.destroy();
        child.stderr?.destroy();
        reject(err);
      } else {
        resolve(value ?? '');
      }
    };

    const timer = setTimeout(() => {
      finish(
        commandError(
          `${opts.display} did not finish within ${formatDuration(timeoutMs)}`,
          'Check that the password manager is unlocked and does not wait for input (sign in first, e.g. `op signin`).',
        ),
      );
    }, timeoutMs);
    const onAbort = () => finish(cancelled());
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SECRET_BYTES) {
        finish(commandError(`${opts.display} printed more than 64 KiB; it should print only the secret`));
        return;
      }
      chunks.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!settled) opts.stderr.write(chunk);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(commandError(`${opts.display} could not be started: ${err.code ?? err.message}`, undefined, err));
    });
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(grace);
      if (code !== 0) {
        const how = code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${code}`;
        finish(
          commandError(
            `${opts.display} ${how}; no secret was read`,
            'Run the command yourself to see why (its error output is shown above, if any).',
          ),
        );
        return;
      }
      let text: string;
      try {
        text = decodeSecret(Buffer.concat(chunks), opts.display);
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (text === '') {
        finish(commandError(`${opts.display} printed nothing on stdout`, 'It must print the secret on stdout.'));
        return;
      }
      finish(null, text);
    };
    child.on('exit', (code, signal) => {
      // 'close' waits for every holder of the pipe; the command's own output is all in it by now.
      grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        done(code, signal);
      }, PIPE_GRACE_MS);
    });
    child.on('close', done);
  });
}
