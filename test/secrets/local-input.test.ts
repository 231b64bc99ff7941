import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError } from '../../src/errors.js';
import { SourceReader } from '../../src/secrets/reader.js';
import { testContext } from '../support/context.js';

const SECRET = 'local-input-secret-Qx7-unique';
const req = (spec: string) => ({ spec, flag: '--key-from', label: 'server key' });

function setup(commandTimeoutMs = 10_000) {
  const ctx = testContext({ env: { PATH: process.env.PATH } });
  const reader = new SourceReader(ctx, { server: parseServerUrl('https://pika.example'), commandTimeoutMs });
  return { ctx, reader };
}

async function failure(p: Promise<unknown>): Promise<CliError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  const e = err as CliError;
  expect(JSON.stringify({ m: e.message, h: e.hint })).not.toContain(SECRET);
  return e;
}

describe.runIf(process.platform !== 'win32')('cmd: output', () => {
  it('is complete when the command exits, even if a grandchild keeps stdout open', async () => {
    const { ctx, reader } = setup();
    const pidFile = join(ctx.cwd, 'grandchild.pid');
    // The subshell's background sleep inherits stdout and holds the pipe for 30 s.
    const t0 = Date.now();
    const s = await reader.read(req(`cmd:echo '${SECRET}'; (sleep 30 & echo $! > ${pidFile})`));
    const took = Date.now() - t0;
    try {
      expect(s.reveal()).toBe(SECRET);
      expect(took).toBeLessThan(2500);
    } finally {
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });

  it('that is not UTF-8 is refused, not turned into U+FFFD', async () => {
    const { reader } = setup();
    const e = await failure(reader.read(req(`cmd:printf 'abc\\377def'`)));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/not valid UTF-8/);
  });

  it('holding a NUL byte is refused', async () => {
    const { reader } = setup();
    const e = await failure(reader.read(req(`cmd:printf 'abc\\000def'`)));
    expect(e.message).toMatch(/NUL byte \(at byte 3\)/);
  });
});

describe.runIf(process.platform !== 'win32')('file: sources', () => {
  const file = (ctx: { cwd: string }, name: string, bytes: Uint8Array | string) => {
    const p = join(ctx.cwd, name);
    writeFileSync(p, bytes, { mode: 0o600 });
    return p;
  };

  it('refuses bytes that are not UTF-8, and a NUL (UTF-16 text)', async () => {
    const { ctx, reader } = setup();
    file(ctx, 'latin1.txt', Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('-key\n')]));
    expect((await failure(reader.read(req('file:latin1.txt')))).message).toMatch(/latin1\.txt is not valid UTF-8/);
    file(ctx, 'utf16.txt', Buffer.from(`\ufeff${SECRET}`, 'utf16le'));
    expect((await failure(reader.read(req('file:utf16.txt')))).message).toMatch(
      /utf16\.txt (contains a NUL|is not valid UTF-8)/,
    );
    file(ctx, 'nul.txt', `${SECRET}\u0000tail`);
    expect((await failure(reader.read(req('file:nul.txt')))).message).toMatch(/nul\.txt contains a NUL byte/);
  });

  it('still reads UTF-8 with a byte-order mark and one trailing newline', async () => {
    const { ctx, reader } = setup();
    file(ctx, 'bom.txt', `\ufeffpässwörd-${SECRET}\n`);
    expect((await reader.read(req('file:bom.txt'))).reveal()).toBe(`pässwörd-${SECRET}`);
  });

  it('refuses a FIFO at once, without opening it for a blocking read', async () => {
    const { ctx, reader } = setup();
    const fifo = join(ctx.cwd, 'key.fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const t0 = Date.now();
    const e = await failure(reader.read(req(`file:${fifo}`)));
    expect(e.message).toMatch(/named pipe \(FIFO\), not a regular file/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('refuses a device and a directory as not regular files', async () => {
    const { reader } = setup();
    expect((await failure(reader.read(req('file:/dev/zero')))).message).toMatch(
      /\/dev\/zero: it is a device, not a regular file/,
    );
    expect((await failure(reader.read(req('file:/')))).message).toMatch(/it is a directory, not a regular file/);
  });

  it('refuses a 10 MB file without reading it', async () => {
    const { ctx, reader } = setup();
    file(ctx, 'big.bin', Buffer.alloc(10 * 1024 * 1024, 0x61));
    expect((await failure(reader.read(req('file:big.bin')))).message).toMatch(/larger than 64 KiB/);
  });
});
