import { describe, expect, it } from 'vitest';
import { runCli } from '../support/context.js';
import { EXIT_CODE_DOCS } from '../../src/errors.js';

describe('run()', () => {
  it('prints help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: pikactl');
    expect(r.stdout).toContain('--server <url>');
  });

  it('no command prints help on stderr and is a usage error (exit 2); --help is success', async () => {
    const bare = await runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: pikactl');
    const group = await runCli(['keychain']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('Usage: pikactl keychain');
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('--json turns a usage error into one JSON document on stdout', async () => {
    const r = await runCli(['--json', 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, exit_code: 2, error: { code: 'usage' } });
    expect(r.stderr).toBe('');
  });

  it('help exit-codes lists every documented code', async () => {
    const r = await runCli(['help', 'exit-codes']);
    expect(r.code).toBe(0);
    for (const e of EXIT_CODE_DOCS) expect(r.stdout).toMatch(new RegExp(`^\\s+${e.code}\\s+${e.name}`, 'm'));
  });

  it('help on an unknown topic is a usage error', async () => {
    const r = await runCli(['help', 'nonsense']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no command or help topic');
  });
});
