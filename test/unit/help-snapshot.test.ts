import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/program.js';
import { createApp } from '../../src/commands/app.js';
import { runCli, testContext } from '../support/context.js';

/** Every command path of the whole tree, e.g. ["keychain", "set"]. */
function paths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands
    .filter((c) => !(c as unknown as { _hidden: boolean })._hidden)
    .flatMap((c) => [[...prefix, c.name()], ...paths(c, [...prefix, c.name()])]);
}

/**
 * Help text is part of the product: any change to it shows up here as a snapshot diff
 * to review (and in man/ and completions/, which CI regenerates and compares).
 */
describe('help output', async () => {
  const ctx = testContext();
  const program = await buildProgram(ctx, createApp(ctx, { exitCode: 0 }));
  const all = paths(program).filter((p) => p[p.length - 1] !== 'help');

  it('pikactl --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });

  it.each(all.map((p) => [p.join(' ')]))('pikactl %s --help', async (path) => {
    const r = await runCli([...path.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });
});
