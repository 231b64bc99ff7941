import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Deps, Env } from '../../src/deps.js';
import { realClock } from '../../src/deps.js';
import type { Prompter } from '../../src/io/types.js';
import { SystemIO } from '../../src/io/system.js';
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

function collector(tty: boolean): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  // The TTY facts SystemIO reads off a stream (a terminal of 80x24, or a pipe).
  if (tty) Object.assign(stream, { isTTY: true, columns: 80, rows: 24 });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export interface TestIOOptions {
  tty?: boolean;
  stdin?: string;
  answers?: ScriptedAnswer[];
  /** The environment SystemIO decides by (CI=true never prompts; NO_COLOR, FORCE_COLOR, TERM). */
  env?: Env;
}

/**
 * The real SystemIO over in-memory streams with the TTY facts set, and a scripted prompter
 * injected: canPrompt, colour and the spinner are decided by SystemIO itself, so the two
 * cannot drift. Colour is off unless the test's env asks for it (TERM=dumb by default), so
 * output compares as plain text.
 */
export class TestIO extends SystemIO {
  readonly prompts: ScriptedPrompter;
  private readonly out: ReturnType<typeof collector>;
  private readonly err: ReturnType<typeof collector>;

  constructor(opts: TestIOOptions = {}) {
    const tty = opts.tty ?? false;
    const out = collector(tty);
    const err = collector(tty);
    const stdin = Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]);
    if (tty) Object.assign(stdin, { isTTY: true });
    const prompts = new ScriptedPrompter(opts.answers ?? []);
    super({
      stdin,
      stdout: out.stream,
      stderr: err.stream,
      env: { TERM: 'dumb', ...(opts.env ?? {}) },
      prompter: () => prompts,
    });
    this.out = out;
    this.err = err;
    this.prompts = prompts;
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
export async function runCli(
  argv: string[],
  opts: TestContextOptions | (Deps & { io: TestIO }) = {},
): Promise<RunResult> {
  const ctx =
    'io' in opts && opts.io instanceof TestIO
      ? (opts as Deps & { io: TestIO })
      : testContext(opts as TestContextOptions);
  const code = await run(argv, ctx);
  // A scripted answer nobody asked for means the prompts the test expects never came.
  const unused = ctx.io.prompts.remaining();
  if (unused > 0)
    throw new Error(`${unused} scripted answer(s) left unused; prompts asked: ${JSON.stringify(ctx.io.prompts.asked)}`);
  const stdout = ctx.io.stdoutText;
  return {
    code,
    stdout,
    stderr: ctx.io.stderrText,
    io: ctx.io,
    json: () => JSON.parse(stdout),
  };
}
