import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';

/** commander's own errors look like pikactl's: one "Error:" line, one "Hint:" line, exit 2. */
describe('usage errors in pikactl style', () => {
  it.each([
    [['-v'], "Error: unknown option '-v'\nHint: The version is printed by: pikactl --version (or -V)\n"],
    [['version'], "Error: unknown command 'version'\nHint: The version is printed by: pikactl --version (or -V)\n"],
    [['status', '--jsn'], "Error: unknown option '--jsn'\nHint: Did you mean --json?\n"],
    [['statu'], "Error: unknown command 'statu'\nHint: Did you mean status?\n"],
    [['status', '--bogus'], "Error: unknown option '--bogus'\nHint: See: pikactl status --help\n"],
  ])('pikactl %j', async (argv, stderr) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
  });

  it('a key given as an argument (the Vault habit): keys are never arguments, use --key-from', async () => {
    const r = await runCli(['unlock', 'mykey']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: too many arguments for 'unlock': a key is never a command-line argument/);
    expect(r.stderr).toMatch(/\nHint: Give it with --key-from SOURCE: prompt, -, file:PATH, env:NAME/);
    expect(r.stderr).not.toContain('mykey');
    const rotate = await runCli(['rotate', 'old', 'new']);
    expect(rotate.stderr).toContain('Give keys with --current-key-from / --new-key-from SOURCE');
  });

  it('--json: the same words in one JSON document, nothing on stderr', async () => {
    const r = await runCli(['--json', 'unlock', 'mykey']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(r.json()).toMatchObject({
      ok: false,
      exit_code: 2,
      error: { code: 'usage', hint: expect.stringContaining('--key-from') },
    });
  });

  it('excess arguments to a command without keys keep the plain message and point at its help', async () => {
    const r = await runCli(['status', 'extra']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "Error: too many arguments for 'status'. Expected 0 arguments but got 1.\nHint: See: pikactl status --help\n",
    );
  });
});
