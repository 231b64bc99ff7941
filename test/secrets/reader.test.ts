import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError } from '../../src/errors.js';
import { SourceReader, type SecretRequest } from '../../src/secrets/reader.js';
import { MemoryKeychain, testContext, type TestContextOptions } from '../support/context.js';

const server = parseServerUrl('https://pika.example:8080/pika');
const KEY = 'correct horse battery staple 7f3a';

function setup(opts: TestContextOptions = {}) {
  const ctx = testContext(opts);
  return { ctx, reader: new SourceReader(ctx, { server }) };
}

async function failure(p: Promise<unknown>, ...secrets: string[]): Promise<CliError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    const e = err as CliError;
    const text = JSON.stringify({ m: e.message, h: e.hint, d: e.details });
    for (const s of secrets) expect(text).not.toContain(s);
    return e;
  }
  throw new Error('expected a CliError');
}

const req = (spec?: string, extra: Partial<SecretRequest> = {}): SecretRequest => ({
  spec,
  flag: '--key-from',
  label: 'server key',
  ...extra,
});

describe('prompt', () => {
  it('asks on a TTY when no source is given, hidden, naming what it wants', async () => {
    const { ctx, reader } = setup({ tty: true, answers: [{ match: /^Server key:$/, answer: KEY }] });
    const s = await reader.read(req());
    expect(s.reveal()).toBe(KEY);
    expect(s.source).toBe('prompt');
    expect(ctx.io.prompts.remaining()).toBe(0);
  });

  it.each([undefined, 'prompt'])('without a TTY (%s) fails at once naming the flag, never hangs', async (spec) => {
    const { ctx, reader } = setup({ tty: false });
    const e = await failure(reader.read(req(spec)));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/Server key is needed.*no terminal/);
    expect(e.hint).toContain('--key-from');
    expect(ctx.io.prompts.asked).toEqual([]);
  });

  it('with --no-input on a TTY also refuses to prompt', async () => {
    const { ctx, reader } = setup({ tty: true, answers: [{ answer: KEY }] });
    ctx.io.configure({ noInput: true });
    expect((await failure(reader.read(req('prompt')))).exitCode).toBe(2);
  });

  it('confirm: asks twice and accepts matching answers', async () => {
    const { ctx, reader } = setup({
      tty: true,
      answers: [
        { match: /^New server key:$/, answer: KEY },
        { match: /again to confirm/, answer: KEY },
      ],
    });
    expect((await reader.read(req(undefined, { label: 'new server key', confirm: true }))).reveal()).toBe(KEY);
    expect(ctx.io.prompts.asked).toHaveLength(2);
  });

  it('confirm: one retry after a mismatch', async () => {
    const { ctx, reader } = setup({
      tty: true,
      answers: [{ answer: KEY }, { answer: 'typo' }, { answer: KEY }, { answer: KEY }],
    });
    expect((await reader.read(req(undefined, { confirm: true }))).reveal()).toBe(KEY);
    expect(ctx.io.stderrText).toMatch(/do not match/);
  });

  it('confirm: a second mismatch is an error that shows neither value', async () => {
    const { reader } = setup({
      tty: true,
      answers: [{ answer: KEY }, { answer: 'typo-1' }, { answer: KEY }, { answer: 'typo-2' }],
    });
    const e = await failure(reader.read(req(undefined, { confirm: true })), KEY, 'typo-1', 'typo-2');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/do not match/);
  });

  it('re-asks once after an empty answer, then gives up', async () => {
    const ok = setup({ tty: true, answers: [{ answer: '' }, { answer: KEY }] });
    expect((await ok.reader.read(req())).reveal()).toBe(KEY);
    expect(ok.ctx.io.stderrText).toMatch(/cannot be empty/);
    const bad = setup({ tty: true, answers: [{ answer: '' }, { answer: '' }] });
    expect((await failure(bad.reader.read(req()))).message).toMatch(/no server key was entered/);
  });
});

describe('stdin (-)', () => {
  it.each([
    [`${KEY}\n`, KEY],
    [`${KEY}\r\n`, KEY],
    [KEY, KEY],
    [`${KEY}\n\n`, `${KEY}\n`],
  ])('reads %j and trims one newline', async (input, expected) => {
    const { reader } = setup({ stdin: input });
    const s = await reader.read(req('-'));
    expect(s.reveal()).toBe(expected);
    expect(s.source).toBe('stdin');
  });

  it('works on a TTY too (the operator pipes or types and presses Ctrl-D)', async () => {
    const { reader } = setup({ tty: true, stdin: `${KEY}\n` });
    expect((await reader.read(req('-'))).reveal()).toBe(KEY);
  });

  it('empty stdin is an error', async () => {
    const { reader } = setup({ stdin: '' });
    const e = await failure(reader.read(req('-')));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/standard input was empty/);
  });

  it('only one flag per reader may use it', async () => {
    const { reader } = setup({ stdin: `${KEY}\n` });
    await reader.read(req('-', { flag: '--password-from', label: 'password' }));
    const e = await failure(reader.read(req('-')), KEY);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/already read for --password-from/);
  });

  it('refuses more than 64 KiB', async () => {
    const { reader } = setup({ stdin: 'x'.repeat(70_000) });
    expect((await failure(reader.read(req('-')))).message).toMatch(/64 KiB/);
  });
});

describe('env:NAME', () => {
  it('reads the variable from the context environment', async () => {
    const { reader } = setup({ env: { PIKA_KEY: KEY } });
    const s = await reader.read(req('env:PIKA_KEY'));
    expect(s.reveal()).toBe(KEY);
    expect(s.source).toBe('env:PIKA_KEY');
  });
  it.each([
    [{}, /PIKA_KEY is not set/],
    [{ PIKA_KEY: '' }, /PIKA_KEY is empty/],
  ])('unset or empty is an error naming the variable (%j)', async (env, msg) => {
    const { reader } = setup({ env });
    const e = await failure(reader.read(req('env:PIKA_KEY')));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(msg);
  });
});

describe('file:PATH', () => {
  function write(dir: string, name: string, content: string, mode = 0o600): string {
    const p = join(dir, name);
    writeFileSync(p, content);
    chmodSync(p, mode);
    return p;
  }

  it('reads an owner-only file, relative to cwd, trimming one newline', async () => {
    const { ctx, reader } = setup();
    write(ctx.cwd, 'key.txt', `${KEY}\r\n`);
    const s = await reader.read(req('file:key.txt'));
    expect(s.reveal()).toBe(KEY);
    expect(s.source).toBe('file:key.txt');
  });

  it('expands ~ with the context home directory', async () => {
    const { ctx, reader } = setup();
    mkdirSync(join(ctx.homedir, '.pika'));
    write(join(ctx.homedir, '.pika'), 'key', `${KEY}\n`, 0o400);
    ctx.cwd = '/';
    expect((await reader.read(req('file:~/.pika/key'))).reveal()).toBe(KEY);
  });

  it.runIf(process.platform !== 'win32').each([0o644, 0o640, 0o604, 0o660])(
    'refuses a file with mode %o, with a chmod hint',
    async (mode) => {
      const { ctx, reader } = setup();
      write(ctx.cwd, 'key.txt', KEY, mode);
      const e = await failure(reader.read(req('file:key.txt')), KEY);
      expect(e.exitCode).toBe(1);
      expect(e.message).toMatch(/group or others may read it/);
      expect(e.hint).toBe('chmod 600 key.txt');
    },
  );

  it('a missing file, an empty file and a directory are clear errors', async () => {
    const { ctx, reader } = setup();
    expect((await failure(reader.read(req('file:nope.txt')))).message).toMatch(/nope\.txt: no such file/);
    write(ctx.cwd, 'empty', '\n');
    expect((await failure(reader.read(req('file:empty')))).message).toMatch(/is empty/);
    mkdirSync(join(ctx.cwd, 'dir'), { mode: 0o700 });
    expect((await failure(reader.read(req('file:dir')))).message).toMatch(/is a directory/);
  });
});

describe('keychain sources (in-memory keychain)', () => {
  function withKeychain(entries: Record<string, string>) {
    const keychain = new MemoryKeychain();
    for (const [k, v] of Object.entries(entries)) keychain.entries.set(k, v);
    return setup({ keychain });
  }

  it('`keychain` is the server key entry of the current server', async () => {
    const { reader } = withKeychain({ 'server-key:https://pika.example:8080/pika': KEY });
    const s = await reader.read(req('keychain'));
    expect(s.reveal()).toBe(KEY);
    expect(s.source).toBe('keychain:server-key:https://pika.example:8080/pika');
  });

  it('keychainDefault picks another entry for a bare `keychain`', async () => {
    const { reader } = withKeychain({ 'session:https://pika.example:8080/pika': 'cookie' });
    expect((await reader.read(req('keychain', { keychainDefault: 'session' }))).reveal()).toBe('cookie');
  });

  it('keychain:NAME reads an explicit entry; a bare kind means that entry of this server', async () => {
    const { reader } = withKeychain({
      'server-key:https://other.example': 'other',
      'server-key-previous:https://pika.example:8080/pika': 'old',
    });
    expect((await reader.read(req('keychain:server-key:https://other.example'))).reveal()).toBe('other');
    expect((await reader.read(req('keychain:server-key-previous'))).reveal()).toBe('old');
  });

  it('a missing entry is keychain_not_found naming the entry and how to create it', async () => {
    const { reader } = withKeychain({});
    const e = await failure(reader.read(req('keychain')));
    expect(e.code).toBe('keychain_not_found');
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain('"server-key:https://pika.example:8080/pika"');
    expect(e.hint).toContain('pikactl keychain set --server https://pika.example:8080/pika');
    const s = await failure(reader.read(req('keychain', { keychainDefault: 'session' })));
    expect(s.hint).toContain('pikactl login');
  });

  it('an unavailable keychain is reported as such (never read from anywhere else)', async () => {
    const { reader } = setup();
    const e = await failure(reader.read(req('keychain')));
    expect(e.code).toBe('keychain_unavailable');
    expect(e.exitCode).toBe(1);
  });

  it('`keychain` without a known server is a usage error', async () => {
    const ctx = testContext({ keychain: new MemoryKeychain() });
    const e = await failure(new SourceReader(ctx).read(req('keychain')));
    expect(e.exitCode).toBe(2);
    expect(e.hint).toMatch(/--server/);
  });

  it('an empty stored value is refused', async () => {
    const { reader } = withKeychain({ 'server-key:https://pika.example:8080/pika': '' });
    expect((await failure(reader.read(req('keychain')))).message).toMatch(/empty/);
  });
});

it('a bare passphrase is refused without being echoed', async () => {
  const { reader } = setup({ tty: true, answers: [] });
  const e = await failure(reader.read(req(KEY)), KEY, 'horse');
  expect(e.exitCode).toBe(2);
});
