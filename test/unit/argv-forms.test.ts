import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, scanArgv } from '../../src/program.js';
import { createApp } from '../../src/commands/app.js';
import { CliError } from '../../src/errors.js';
import { runCli, testContext } from '../support/context.js';
import { startTestSandbox } from '../support/sandbox.js';

async function program(argv?: string[]): Promise<Command> {
  const ctx = testContext();
  return buildProgram(ctx, createApp(ctx, { exitCode: 0 }), { argv });
}

/** Commands whose module was loaded (a stub has no options). */
const loaded = (p: Command) => p.commands.filter((c) => c.options.length > 0).map((c) => c.name());

describe('the argv forms commander accepts reach the right command', () => {
  it('finds the command past combined short flags, --opt=value and -sURL', async () => {
    const p = await program([]);
    expect(scanArgv(p, ['-ks', 'https://x', 'status'])).toEqual({ word: 'status', sure: true });
    expect(scanArgv(p, ['-ku', 'admin', 'unlock'])).toEqual({ word: 'unlock', sure: true });
    expect(scanArgv(p, ['-kshttps://x', 'lock'])).toEqual({ word: 'lock', sure: true });
    expect(scanArgv(p, ['-k', '--server=https://x', 'rotate'])).toEqual({ word: 'rotate', sure: true });
    expect(scanArgv(p, ['--json', '-ks', 'https://x'])).toEqual({ sure: true });
    expect(scanArgv(p, ['-h'])).toEqual({ sure: true });
  });

  it('an option the program does not know first: the whole tree is loaded and commander decides', async () => {
    const p = await program([]);
    expect(scanArgv(p, ['--key-from', 'env:K', 'unlock']).sure).toBe(false);
    expect(scanArgv(p, ['-kx', 'status']).sure).toBe(false);
    const whole = await program(['--yes', 'lock']);
    expect(loaded(whole)).toEqual(expect.arrayContaining(['status', 'unlock', 'lock', 'init']));
    const r = await runCli(['--key-from', 'env:K', 'unlock']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--key-from'");
  });

  it('a stub that is ever run fails with an internal error (never exit 0)', async () => {
    const p = await program(['status']);
    expect(loaded(p)).toEqual(['status']);
    p.exitOverride();
    const err = await p.parseAsync(['lock', '--yes'], { from: 'user' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toMatch(/internal error: the command "lock" was not loaded/);
    expect((err as CliError).exitCode).toBe(1);
  });

  // What each form parses to (server, -k, --json, -u) is checked at the parse seam
  // (test/commands/parse.test.ts, "argv forms"); here, that the pre-scan loads the right module.
  it.each([
    [['-k', '-s', 'https://x', 'status'], 'status'],
    [['--server=https://x', 'status'], 'status'],
    [['status', '-ks', 'https://x'], 'status'],
    [['--json', '-ks', 'https://x', 'status'], 'status'],
    [['-ku', 'admin', '-s', 'https://x', 'unlock', '--key-from', 'env:KEY'], 'unlock'],
  ])('the pre-scan of %j loads %s only', async (argv, word) => {
    const p = await program(argv);
    expect(scanArgv(p, argv)).toEqual({ word, sure: true });
    expect(loaded(p)).toEqual([word]);
  });

  it('pikactl -ks URL status runs status against the sandbox (the forms end to end, once)', async () => {
    const sb = await startTestSandbox();
    const r = await runCli(['-ks', sb.url, 'status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Server:\\s+${sb.url.replace(/[.]/g, '\\.')}`));
  });
});
