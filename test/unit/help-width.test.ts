import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/program.js';
import { createApp } from '../../src/commands/app.js';
import { runCli, testContext } from '../support/context.js';
import { HELP_TOPICS } from '../../src/commands/help-topics.js';

/** Every command path of the whole tree, hidden ones too (they have help as well). */
function paths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...prefix, c.name()], ...paths(c, [...prefix, c.name()])]);
}

/** The lines of `text` wider than 80 columns or holding a tab, with their width. */
function offenders(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => [...l].length > 80 || l.includes('\t'))
    .map((l) => `${[...l].length}: ${l}`);
}

/** Help is read in 80-column terminals and man pages: it fits them, and has no tabs. */
describe('every help fits 80 columns', async () => {
  const ctx = testContext();
  const program = await buildProgram(ctx, createApp(ctx, { exitCode: 0 }));
  const all = paths(program).filter((p) => p[p.length - 1] !== 'help');

  it('finds the whole tree', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it.each([[''], ...all.map((p) => [p.join(' ')])])('pikactl %s --help', async (path) => {
    const r = await runCli([...path.split(' ').filter(Boolean), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(offenders(r.stdout)).toEqual([]);
  });
});

describe('every help topic fits 80 columns too', () => {
  it.each(Object.keys(HELP_TOPICS).map((t) => [t]))('pikactl help %s', async (topic) => {
    const r = await runCli(['help', topic]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').length).toBeGreaterThan(3);
    expect(offenders(r.stdout)).toEqual([]);
  });
});
