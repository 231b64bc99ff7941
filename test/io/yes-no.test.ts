import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SystemIO } from '../../src/io/system.js';

function stream(): PassThrough {
  return Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
}

/** The real y/N prompt (SystemIO's, over @inquirer), answered with `typed` and Enter. */
async function answer(typed: string, defaultValue?: boolean): Promise<{ yes: boolean; screen: string }> {
  const stdin = stream();
  const stderr = stream();
  const chunks: Buffer[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  const io = new SystemIO({ stdin, stdout: stream(), stderr, env: {} });
  const asked = io.prompter().confirm('Lock pika.example?', defaultValue);
  setTimeout(() => stdin.write(`${typed}\r`), 50);
  const yes = await Promise.race([
    asked,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('prompt did not settle')), 3_000)),
  ]);
  return { yes, screen: Buffer.concat(chunks).toString('utf8') };
}

describe('y/N: only y or yes confirms', () => {
  it.each(['y', 'Y', 'yes', 'YES', ' yes '])('%j confirms', async (typed) => {
    expect((await answer(typed)).yes).toBe(true);
  });

  // @inquirer/confirm reads any answer that starts with "y" as Yes: "yikes", or a key pasted
  // by mistake that happens to start with y, would lock (or remove, or replace) at once.
  it.each(['', 'n', 'no', 'yikes', 'yep-no', 'y7Kq2pX9vLmN3bR8', 'ja'])('%j answers No', async (typed) => {
    expect((await answer(typed)).yes).toBe(false);
  });

  it('Enter alone takes a default Yes; anything but y/yes/n/no is still not a Yes', async () => {
    expect((await answer('', true)).yes).toBe(true);
    expect((await answer('n', true)).yes).toBe(false);
    expect((await answer('nope', true)).yes).toBe(false);
  });

  it('shows the default, and the answer it took (not what was typed) once answered', async () => {
    const { screen } = await answer('y7Kq2pX9vLmN3bR8');
    expect(screen).toContain('(y/N)');
    const last = screen.slice(screen.lastIndexOf('Lock pika.example?'));
    expect(last).toContain('No');
    expect(last).not.toContain('y7Kq2pX9vLmN3bR8');
  });
});

describe('y/N: a key pasted there is never drawn', () => {
  it('not while typed, and not after Ctrl-C (which cancels, exit 130)', async () => {
    const KEY = 'pasted-at-a-yes-no-prompt-birch-31';
    const stdin = stream();
    const stderr = stream();
    const chunks: Buffer[] = [];
    stderr.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    const io = new SystemIO({ stdin, stdout: stream(), stderr, env: {} });
    const asked = io.prompter().confirm('Remove context prod?');
    setTimeout(() => stdin.write(KEY), 50);
    setTimeout(() => stdin.write('\u0003'), 150);
    const err = await asked.then(
      () => undefined,
      (e: unknown) => e as { exitCode?: number },
    );
    expect(err?.exitCode).toBe(130);
    const screen = Buffer.concat(chunks).toString('utf8');
    expect(screen).toContain('Remove context prod?');
    expect(screen).not.toContain(KEY);
    expect(screen).not.toContain(KEY.slice(0, 8));
  });
});
