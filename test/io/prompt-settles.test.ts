import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SystemIO, roomForSpinner } from '../../src/io/system.js';
import { CliError } from '../../src/errors.js';

function stream(extra: Record<string, unknown> = {}): PassThrough {
  return Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 }, extra);
}

/** Settles within `ms` or fails the test (a prompt that never settles must not hang it). */
function within<T>(p: Promise<T>, ms = 3_000): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`prompt did not settle within ${ms} ms`)), ms)),
  ]);
}

async function rejection(p: Promise<unknown>): Promise<CliError> {
  const err = await within(
    p.then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

/** @inquirer never settles when its input ends; SystemIO's prompts always do. */
describe('SystemIO prompts always settle', () => {
  it.each(['password', 'input', 'confirm'] as const)('%s: end of input is a cancel (exit 130)', async (kind) => {
    const stdin = stream();
    const io = new SystemIO({ stdin, stdout: stream(), stderr: stream(), env: {} });
    const asked = kind === 'confirm' ? io.prompter().confirm('Go?') : io.prompter()[kind]('Key:');
    setTimeout(() => stdin.end(), 100);
    const err = await rejection(asked);
    expect(err.message).toBe('cancelled at the prompt (end of input)');
    expect(err.exitCode).toBe(130);
  });

  it('an answer comes through; then Ctrl-D on an empty line (readline closes itself) is a cancel', async () => {
    const stdin = stream();
    const io = new SystemIO({ stdin, stdout: stream(), stderr: stream(), env: {} });
    const first = io.prompter().input('Word:');
    setTimeout(() => stdin.write('saved\r'), 100);
    expect(await within(first)).toBe('saved');
    const asked = io.prompter().password('Key:');
    setTimeout(() => stdin.write('\u0004'), 100);
    const err = await rejection(asked);
    expect(err.message).toBe('cancelled at the prompt (end of input)');
  });

  it("the invocation's signal (SIGTERM) closes an open prompt", async () => {
    const stdin = stream();
    const controller = new AbortController();
    const io = new SystemIO({ stdin, stdout: stream(), stderr: stream(), env: {}, signal: controller.signal });
    const asked = io.prompter().password('Key:');
    setTimeout(() => controller.abort(new Error('received SIGTERM')), 100);
    const err = await rejection(asked);
    expect(err.code).toBe('cancelled');
  });
});

describe('room for a spinner', () => {
  it('none on a 0x0 terminal or under 20 columns', () => {
    expect(roomForSpinner({ columns: 0, rows: 0 })).toBe(false);
    expect(roomForSpinner({ columns: 19, rows: 24 })).toBe(false);
    expect(roomForSpinner({ columns: 80, rows: 0 })).toBe(false);
    expect(roomForSpinner({})).toBe(false);
    expect(roomForSpinner({ columns: 20, rows: 1 })).toBe(true);
  });

  it('SystemIO gives a no-op spinner on a 0x0 terminal', async () => {
    const err = stream({ columns: 0, rows: 0 });
    const io = new SystemIO({ stdin: stream(), stdout: stream(), stderr: err, env: {} });
    let written = 0;
    err.on('data', (d: Buffer) => (written += d.length));
    const s = io.spinner('waiting');
    await new Promise((r) => setTimeout(r, 300));
    s.stop();
    expect(written).toBe(0);
  });
});
