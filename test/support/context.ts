import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Deps, Env } from '../../src/deps.js';
import { realClock } from '../../src/deps.js';
import { noopSpinner, plainStyle, type IO, type Prompter, type Spinner } from '../../src/io/types.js';
import { CliError } from '../../src/errors.js';
import type { Keychain } from '../../src/keychain/keychain.js';
import { run } from '../../src/cli.js';

/** A scripted answer for the fake prompter: matched against the prompt text in order. */
export interface ScriptedAnswer {
  match?: RegExp;
  answer: string | boolean;
}

export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(private readonly answers: ScriptedAnswer[]) {}
  private next(message: string): string | boolean {
    this.asked.push(message);
    const a = this.answers.shift();
    if (!a) throw new Error(`unexpected prompt: ${message}`);
    if (a.match && !a.match.test(message)) throw new Error(`prompt "${message}" did not match ${a.match}`);
    return a.answer;
  }
  async password(message: string) {
    return String(this.next(message));
  }
  async input(message: string) {
    return String(this.next(message));
  }
  async confirm(message: string) {
    return Boolean(this.next(message));
  }
  remaining(): number {
    return this.answers.length;
  }
}

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export interface TestIOOptions {
  tty?: boolean;
  stdin?: string;
  answers?: ScriptedAnswer[];
  /** Only CI is looked at (as SystemIO does: CI=true never prompts). */
  env?: Env;
}

export class TestIO implements IO {
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
  readonly stdin: Readable;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly style = plainStyle;
  readonly colorEnabled = false;
  readonly prompts: ScriptedPrompter;
  private noInput = false;
  private readonly ci: boolean;
  private readonly out = collector();
  private readonly err = collector();

  constructor(opts: TestIOOptions = {}) {
    const tty = opts.tty ?? false;
    this.stdout = this.out.stream;
    this.stderr = this.err.stream;
    this.stdin = Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]);
    this.stdinIsTTY = tty;
    this.stdoutIsTTY = tty;
    this.stderrIsTTY = tty;
    this.prompts = new ScriptedPrompter(opts.answers ?? []);
    this.ci = opts.env?.CI === 'true';
  }
  configure(opts: { color?: boolean; noInput?: boolean }): void {
    if (opts.noInput) this.noInput = true;
  }
  /** SystemIO's rule: terminals on stdin and stderr, no --no-input, not CI=true. */
  canPrompt(): boolean {
    return !this.noInput && this.stdinIsTTY && this.stderrIsTTY && !this.ci;
  }
  prompter(): Prompter {
    return this.prompts;
  }
  spinner(): Spinner {
    return noopSpinner;
  }
  get stdoutText(): string {
    return this.out.text();
  }
  get stderrText(): string {
    return this.err.text();
  }
}

/** In-memory keychain behind the real interface. */
export class MemoryKeychain implements Keychain {
  readonly backend = 'memory';
  readonly entries = new Map<string, string>();
  async get(account: string) {
    const { Secret } = await import('../../src/secrets/secret.js');
    const v = this.entries.get(account);
    return v === undefined ? null : new Secret(v, `keychain:${account}`);
  }
  async set(account: string, value: import('../../src/secrets/secret.js').Secret) {
    this.entries.set(account, value.reveal());
  }
  async delete(account: string) {
    return this.entries.delete(account);
  }
  async list() {
    return [...this.entries.keys()].sort();
  }
}

export const unavailableKeychain = async (): Promise<Keychain> => {
  throw new CliError('no keychain in this test', { code: 'keychain_unavailable' });
};

export interface TestContextOptions extends TestIOOptions {
  env?: Env;
  home?: string;
  keychain?: Keychain | null;
  fetch?: typeof globalThis.fetch;
}

export function tempDir(prefix = 'pikactl-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function testContext(opts: TestContextOptions = {}): Deps & { io: TestIO } {
  const io = new TestIO(opts); // opts.env: CI=true never prompts, as with SystemIO
  const home = opts.home ?? tempDir('pikactl-home-');
  const keychain = opts.keychain;
  return {
    io,
    env: { HOME: home, ...(opts.env ?? {}) },
    homedir: home,
    cwd: home,
    clock: realClock,
    fetch: opts.fetch,
    keychain: keychain ? async () => keychain : unavailableKeychain,
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  io: TestIO;
  json<T = any>(): T;
}

/** Runs pikactl in-process, the way the binary would, and captures everything. */
export async function runCli(argv: string[], opts: TestContextOptions | (Deps & { io: TestIO }) = {}): Promise<RunResult> {
  const ctx = 'io' in opts && opts.io instanceof TestIO ? (opts as Deps & { io: TestIO }) : testContext(opts as TestContextOptions);
  const code = await run(argv, ctx);
  // A scripted answer nobody asked for means the prompts the test expects never came.
  const unused = ctx.io.prompts.remaining();
  if (unused > 0) throw new Error(`${unused} scripted answer(s) left unused; prompts asked: ${JSON.stringify(ctx.io.prompts.asked)}`);
  const stdout = ctx.io.stdoutText;
  return {
    code,
    stdout,
    stderr: ctx.io.stderrText,
    io: ctx.io,
    json: () => JSON.parse(stdout),
  };
}
