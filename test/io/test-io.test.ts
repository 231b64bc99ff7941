import { describe, expect, it } from 'vitest';
import { SystemIO } from '../../src/io/system.js';
import { TestIO, runCli } from '../support/context.js';

// The in-memory IO of the tests is SystemIO itself: its decisions cannot drift from the real one's.
describe('TestIO is SystemIO over in-memory streams', () => {
  it("decides nothing itself: canPrompt, colour, style and spinner are SystemIO's", () => {
    const io = new TestIO({ tty: true });
    expect(io).toBeInstanceOf(SystemIO);
    for (const name of ['canPrompt', 'configure', 'spinner', 'ready'] as const)
      expect(io[name]).toBe(SystemIO.prototype[name]);
  });

  it('a terminal, unless CI=true or --no-input; never without a terminal', () => {
    expect(new TestIO({ tty: true }).canPrompt()).toBe(true);
    expect(new TestIO({ tty: true, env: { CI: 'true' } }).canPrompt()).toBe(false);
    expect(new TestIO({ tty: false }).canPrompt()).toBe(false);
    const io = new TestIO({ tty: true });
    io.configure({ noInput: true });
    expect(io.canPrompt()).toBe(false);
  });

  it('the TTY facts are on the streams, where SystemIO reads them', () => {
    const io = new TestIO({ tty: true, env: { FORCE_COLOR: '1' } });
    expect([io.stdinIsTTY, io.stdoutIsTTY, io.stderrIsTTY]).toEqual([true, true, true]);
    expect((io.stderr as unknown as { columns: number }).columns).toBe(80);
    expect(io.colorEnabled).toBe(true);
    expect(new TestIO({ tty: true }).colorEnabled).toBe(false); // TERM=dumb by default: plain text to compare
  });

  it('a scripted answer left unused fails the run', async () => {
    await expect(runCli(['context', 'list'], { tty: true, answers: [{ answer: 'never asked' }] })).rejects.toThrow(
      /1 scripted answer\(s\) left unused/,
    );
  });
});
