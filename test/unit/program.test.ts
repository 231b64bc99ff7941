import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, commandWord } from '../../src/program.js';
import { createApp } from '../../src/commands/app.js';
import { COMMANDS } from '../../src/commands/index.js';
import { SUMMARIES } from '../../src/commands/summaries.js';
import { HELP_TOPICS } from '../../src/commands/help-topics.js';
import { runCli, testContext } from '../support/context.js';

async function program(argv?: string[]): Promise<Command> {
  const ctx = testContext();
  return buildProgram(ctx, createApp(ctx, { exitCode: 0 }), { argv });
}

const hidden = (c: Command) => (c as unknown as { _hidden: boolean })._hidden;
const top = (p: Command) => p.commands.filter((c) => !hidden(c)).map((c) => [c.name(), c.description()]);

describe('lazy command tree', () => {
  it('finds the command word past global options and their values', async () => {
    const p = await program([]);
    expect(commandWord(p, ['--server', 'https://x', '--json', 'unlock', '--key-from', 'env:K'])).toBe('unlock');
    expect(commandWord(p, ['-s', 'https://x', 'status'])).toBe('status');
    expect(commandWord(p, ['--server=https://x', 'lock', '--yes'])).toBe('lock');
    expect(commandWord(p, ['--timeout', '5s', '--no-color', 'rotate'])).toBe('rotate');
    expect(commandWord(p, ['--help'])).toBeUndefined();
  });

  it('loads only the named command; the others are stubs with the same names and summaries', async () => {
    const whole = await program();
    const lazy = await program(['--server', 'https://x', 'unlock']);
    expect(top(lazy)).toEqual(top(whole));
    const loaded = lazy.commands.filter((c) => c.options.length > 0).map((c) => c.name());
    expect(loaded).toEqual(['unlock']);
  });

  it('every top-level command has one summary, used by its own module', async () => {
    const whole = await program();
    const names = whole.commands.filter((c) => !hidden(c)).map((c) => c.name());
    expect(names.sort()).toEqual(COMMANDS.flatMap((e) => e.names).sort());
    for (const c of whole.commands)
      if (c.name() in SUMMARIES) expect(c.description()).toBe(SUMMARIES[c.name() as keyof typeof SUMMARIES]);
  });

  it('the help summary names every help topic', () => {
    for (const topic of Object.keys(HELP_TOPICS)) expect(SUMMARIES.help).toContain(topic);
  });

  it('pikactl --help (stubs) and pikactl help (whole tree) list the same commands', async () => {
    const quick = await runCli(['--help']);
    const whole = await runCli(['help']);
    expect(quick.code).toBe(0);
    expect(whole.stdout.startsWith(quick.stdout)).toBe(true);
  });
});
