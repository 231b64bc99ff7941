import type { Command } from 'commander';
import { expect } from 'vitest';
import { buildProgram } from '../../src/program.js';
import { createApp, type App, type RegisterCommand, type RunCommand } from '../../src/commands/app.js';
import type { GlobalOptions } from '../../src/globals.js';
import { testContext } from './context.js';

/**
 * The parse seam: a command's real commander declaration and parsing, with its run
 * function replaced by one that records what it would have run with. No sandbox, no server.
 */
export interface Received {
  opts: unknown;
  globals: GlobalOptions;
  args: string[];
}

export async function parse(
  argv: string[],
  register: (run: RunCommand<unknown>) => RegisterCommand,
): Promise<Received> {
  const ctx = testContext();
  const state = { exitCode: -1 };
  const app: App = createApp(ctx, state);
  let got: Received | undefined;
  const run: RunCommand<unknown> = async (_app, globals, opts, args) => {
    got = { opts, globals, args };
    return 0;
  };
  const program = await buildProgram(ctx, app, { commands: [register(run)] });
  // As run() does: commander's errors are thrown, never a process exit, and printed nowhere.
  const quiet = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  await program.parseAsync(argv, { from: 'user' });
  if (!got) throw new Error(`the run function was not called for: ${argv.join(' ')}`);
  expect(state.exitCode).toBe(0);
  return got;
}
