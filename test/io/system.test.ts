import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SystemIO } from '../../src/io/system.js';

function stream(tty: boolean): PassThrough {
  return Object.assign(new PassThrough(), { isTTY: tty });
}

function io(opts: { out?: boolean; err?: boolean; in?: boolean; env?: Record<string, string> } = {}): SystemIO {
  return new SystemIO({
    stdin: stream(opts.in ?? true),
    stdout: stream(opts.out ?? true),
    stderr: stream(opts.err ?? true),
    env: opts.env ?? {},
  });
}

/** The terminal decides: colour and prompts only where a person is looking. */
describe('SystemIO', () => {
  it('colours on a terminal, after ready() has loaded chalk', async () => {
    const t = io();
    expect(t.colorEnabled).toBe(true);
    await t.ready();
    expect(t.style.red('x')).toContain('\u001b[');
  });

  it('no colour with NO_COLOR, --no-color, TERM=dumb, or when either stream is not a terminal', async () => {
    const cases = [
      io({ env: { NO_COLOR: '1' } }),
      io({ env: { TERM: 'dumb' } }),
      io({ out: false }),
      io({ err: false }),
    ];
    const flagged = io();
    flagged.configure({ color: false });
    for (const t of [...cases, flagged]) {
      await t.ready();
      expect(t.colorEnabled).toBe(false);
      expect(t.style.red('x')).toBe('x');
    }
  });

  it('FORCE_COLOR forces colour into a pipe', () => {
    expect(io({ out: false, err: false, env: { FORCE_COLOR: '1' } }).colorEnabled).toBe(true);
  });

  it('prompts only with a terminal on stdin and stderr, never with --no-input or CI=true', () => {
    expect(io().canPrompt()).toBe(true);
    expect(io({ in: false }).canPrompt()).toBe(false);
    expect(io({ err: false }).canPrompt()).toBe(false);
    expect(io({ env: { CI: 'true' } }).canPrompt()).toBe(false);
    const noInput = io();
    noInput.configure({ noInput: true });
    expect(noInput.canPrompt()).toBe(false);
  });
});
