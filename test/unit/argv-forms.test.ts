import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, scanArgv } from '../../src/program.js';
import { createApp } from '../../src/commands/app.js';
import { CliError } from '../../src/errors.js';
import { runCli, testContext } from '../support/context.js';
import { startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';

const KEY = 'argv-forms-key-violet-harbor-7';

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

  it.each([
    [['-ks', '{url}', 'status']],
    [['-k', '-s', '{url}', 'status']],
    [['-ks{url}', 'status']],
    [['--server={url}', 'status']],
    [['status', '-ks', '{url}']],
    [['--json', '-ks', '{url}', 'status']],
  ])('pikactl %j runs status against the sandbox', async (form) => {
    const sb = await startTestSandbox();
    const argv = form.map((a) => a.replace('{url}', sb.url));
    const r = await runCli(argv);
    expect(r.code, r.stderr).toBe(0);
    if (argv.includes('--json')) expect(r.json()).toMatchObject({ server: sb.url, state: 'off' });
    else expect(r.stdout).toMatch(new RegExp(`Server:\\s+${sb.url.replace(/[.]/g, '\\.')}`));
  });

  it('pikactl -ku admin -s URL unlock logs in as admin and unlocks', async () => {
    let sb = await startTestSandbox();
    const env = { PIKA_PASSWORD_FROM: 'env:PW', PW: TEST_ADMIN.password, KEY };
    const init = await runCli(['-s', sb.url, '-u', 'admin', 'init', '--key-from', 'env:KEY', '--confirm-saved'], {
      env,
    });
    expect(init.code, init.stderr).toBe(0);
    sb = await sb.restart();
    const r = await runCli(['-ku', 'admin', '-s', sb.url, 'unlock', '--key-from', 'env:KEY'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Unlocked ${sb.url}`);
  });
});
