import type { Readable } from 'node:stream';
import type { ServerUrl } from '../api/url.js';
import type { Deps, Env } from '../deps.js';
import { CliError, cancelled, needsInput } from '../errors.js';
import { isKeychainKind, keychainAccount, parseKeychainAccount, type KeychainKind } from '../keychain/accounts.js';
import { runSecretCommand } from './command-source.js';
import { MAX_SECRET_BYTES, decodeSecret, expandPath, readSecretFile, trimOneNewline } from './file-source.js';
import { Secret } from './secret.js';
import { commandName, describeSpec, parseSecretSpec, type SecretSpec } from './spec.js';
import { targetFlags } from '../output/target-flags.js';

export interface SecretRequest {
  /** The flag's value (a source, see spec.ts); undefined = prompt on a TTY, else a needs-input error. */
  spec?: string;
  /** The flag that supplies it, for messages: "--key-from". */
  flag: string;
  /** What is asked for, lower case: "server key", "password for alice". */
  label: string;
  /** Prompt twice; both answers must match (new keys). Only affects `prompt`. */
  confirm?: boolean;
  /** Which entry a bare `keychain` means. Default: the server key of the current server. */
  keychainDefault?: KeychainKind;
  /**
   * Whose keychain entry a bare `keychain` (or `keychain:<kind>`) means, when one reader serves
   * several servers (an invocation's fleet); default its first server.
   */
  server?: ServerUrl;
}

/**
 * The secret reader: reads the secret a flag's source names (spec.ts). The one name for it;
 * an invocation holds one (commands/shared/invocation.ts), auth takes one, tests fake one.
 * `spec` undefined means the default: a hidden prompt on a TTY, else a usage error naming `flag`.
 */
export interface SecretReader {
  read(req: SecretRequest): Promise<Secret>;
}

export interface SecretReaderOptions {
  /** The server the secrets are for: `keychain` names its entries after it. */
  server?: ServerUrl;
  /** For cmd: sources; default 2 minutes. */
  commandTimeoutMs?: number;
  /**
   * env: variables this invocation names as secret sources, known before any is read:
   * a cmd: child must not inherit them whatever the order of reads.
   */
  secretEnvNames?: Iterable<string>;
  /**
   * Reads kube: sources with this invocation's kubeconfig, context and namespace (-n):
   * commands/shared/kube-source.ts makes one. Injected, as secrets/ sits under kube/.
   */
  kube?: KubeSourceRead;
}

/** Reads one data key of a Kubernetes Secret (a kube: source); the value, never logged. */
export type KubeSourceRead = (spec: { namespace?: string; name: string; key: string }, flag: string) => Promise<string>;
/** Variables that hold secrets even when no flag mentions them: never handed to a cmd: child. */
const SECRET_ENV = ['PIKA_SESSION'];

function sourceError(message: string, hint?: string, code: 'error' | 'keychain_not_found' = 'error'): CliError {
  return new CliError(message, { code, hint });
}

function inputError(message: string, hint?: string): CliError {
  return new CliError(message, { code: 'usage', hint });
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Reads secrets for one command invocation from the sources in spec.ts. One
 * reader per invocation: it remembers that stdin was used, and which env:
 * variables held secrets (so a later cmd: child does not inherit them).
 * Every failure is a CliError; no message contains a secret.
 */
export class SourceReader implements SecretReader {
  private stdinUsedBy: string | undefined;
  private readonly secretEnvNames = new Set<string>(SECRET_ENV);

  constructor(
    private readonly ctx: Deps,
    private readonly opts: SecretReaderOptions = {},
  ) {
    for (const name of opts.secretEnvNames ?? []) this.secretEnvNames.add(name);
  }

  async read(req: SecretRequest): Promise<Secret> {
    const spec: SecretSpec = req.spec === undefined ? { kind: 'prompt' } : parseSecretSpec(req.spec, req.flag);
    const source = describeSpec(spec);
    const value = await this.readValue(spec, req);
    if (value === '') throw sourceError(`${req.flag} ${source}: the ${req.label} is empty`);
    return new Secret(value, spec.kind === 'keychain' ? `keychain:${this.keychainEntry(spec, req)}` : source);
  }

  private async readValue(spec: SecretSpec, req: SecretRequest): Promise<string> {
    const { ctx } = this;
    switch (spec.kind) {
      case 'prompt':
        return this.prompt(req);
      case 'stdin':
        return this.readStdin(req);
      case 'file': {
        const full = expandPath(spec.path, ctx.cwd, ctx.homedir);
        return readSecretFile(spec.path, full);
      }
      case 'env': {
        const v = ctx.env[spec.name];
        if (v === undefined || v === '') {
          throw inputError(
            `${req.flag} env:${spec.name}: the variable ${spec.name} is ${v === undefined ? 'not set' : 'empty'}`,
            `Export ${spec.name} with the ${req.label}, or use another source.`,
          );
        }
        this.secretEnvNames.add(spec.name);
        return trimOneNewline(v);
      }
      case 'keychain':
        return this.readKeychain(spec, req);
      case 'kube': {
        // The Kubernetes client loads only in there, for this source.
        if (!this.opts.kube) throw sourceError(`${req.flag} kube: is not available here`, 'Use another secret source.');
        return this.opts.kube(
          { ...(spec.namespace !== undefined ? { namespace: spec.namespace } : {}), name: spec.name, key: spec.key },
          req.flag,
        );
      }
      case 'cmd': {
        const env: Env = { ...ctx.env };
        for (const name of this.secretEnvNames) delete env[name];
        return runSecretCommand({
          command: spec.command,
          display: `the ${req.label} command \`${commandName(spec.command)} …\` (${req.flag} cmd:)`,
          env,
          cwd: ctx.cwd,
          stdin: ctx.io.stdin,
          stdinIsTTY: ctx.io.stdinIsTTY,
          stderr: ctx.io.stderr,
          stderrIsTTY: ctx.io.stderrIsTTY,
          timeoutMs: this.opts.commandTimeoutMs,
          signal: ctx.signal,
        });
      }
    }
  }

  /** Hidden prompt on stderr. Empty answers are asked once more; `confirm` asks twice (one retry on mismatch). */
  private async prompt(req: SecretRequest): Promise<string> {
    const { io } = this.ctx;
    if (!io.canPrompt()) throw needsInput(cap(req.label), `${req.flag} (e.g. ${req.flag} env:NAME or ${req.flag} -)`);
    const prompter = io.prompter();
    const askNonEmpty = async (message: string): Promise<string> => {
      for (let attempt = 0; ; attempt++) {
        const answer = await prompter.password(message);
        if (answer !== '') return answer;
        if (attempt >= 1)
          throw inputError(`no ${req.label} was entered`, `Type the ${req.label}, or pass ${req.flag}.`);
        io.stderr.write(`The ${req.label} cannot be empty.\n`);
      }
    };
    for (let attempt = 0; ; attempt++) {
      const first = await askNonEmpty(`${cap(req.label)}:`);
      if (!req.confirm) return first;
      const second = await askNonEmpty(`${cap(req.label)} again to confirm:`);
      if (first === second) return first;
      if (attempt >= 1)
        throw inputError(
          `the two ${req.label} entries do not match`,
          'Run the command again and type the same value twice.',
        );
      io.stderr.write(`The two entries do not match. Try again.\n`);
    }
  }

  /** All of stdin, minus one trailing newline. Only one flag per invocation may use it. */
  private async readStdin(req: SecretRequest): Promise<string> {
    if (this.stdinUsedBy !== undefined) {
      throw inputError(
        `${req.flag} -: standard input was already read for ${this.stdinUsedBy}; only one secret can come from stdin`,
        `Use file:PATH, env:NAME or cmd:COMMAND for ${req.flag}.`,
      );
    }
    this.stdinUsedBy = req.flag;
    const text = decodeSecret(await readAll(this.ctx.io.stdin, this.ctx.signal), `${req.flag} -: standard input`);
    if (text === '') {
      throw inputError(
        `${req.flag} -: standard input was empty; expected the ${req.label}`,
        `Pipe the ${req.label} in, e.g. \`pass show pika/key | pikactl … ${req.flag} -\`.`,
      );
    }
    return text;
  }

  private keychainEntry(spec: Extract<SecretSpec, { kind: 'keychain' }>, req: SecretRequest): string {
    const kind = spec.account === undefined ? (req.keychainDefault ?? 'server-key') : spec.account;
    // `keychain:server-key-previous` etc. is short for that entry of the current server.
    if (isKeychainKind(kind)) {
      if (!this.opts.server) {
        throw inputError(
          `${req.flag} ${describeSpec(spec)}: no server is known to name the keychain entry after`,
          'Pass --server URL (or PIKA_SERVER), or name the entry in full: keychain:server-key:https://… (see `pikactl keychain list`).',
        );
      }
      return keychainAccount(kind, this.opts.server);
    }
    return kind;
  }

  private async readKeychain(spec: Extract<SecretSpec, { kind: 'keychain' }>, req: SecretRequest): Promise<string> {
    const account = this.keychainEntry(spec, req);
    const keychain = await this.ctx.keychain();
    const secret = await keychain.get(account);
    if (secret === null) {
      const parsed = parseKeychainAccount(account);
      const create =
        parsed?.kind === 'session'
          ? `pikactl login ${targetFlags(parsed.serverId)}`
          : parsed
            ? `pikactl keychain set ${targetFlags(parsed.serverId)}`
            : 'pikactl keychain set';
      throw sourceError(
        `no keychain entry "${account}" (service pikactl) in ${keychain.backend}`,
        `Create it with \`${create}\`, or see what is stored with \`pikactl keychain list\`.`,
        'keychain_not_found',
      );
    }
    return secret.reveal();
  }
}

/** Reads a stream to its end, at most 64 KiB; abortable (a pipe that never closes must not hang us forever). */
function readAll(stream: Readable, signal?: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > MAX_SECRET_BYTES) {
        cleanup();
        stream.pause();
        reject(inputError('standard input is larger than 64 KiB; it should hold only the secret'));
        return;
      }
      chunks.push(b);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(sourceError(`cannot read standard input: ${err.message}`));
    };
    const onAbort = () => {
      cleanup();
      stream.pause();
      reject(cancelled());
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
