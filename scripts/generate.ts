import type { Command } from 'commander';
import { createApp } from '../src/commands/app.js';
import { completionScript, describeProgram } from '../src/completion/index.js';
import { realClock, type Deps } from '../src/deps.js';
import type { IO } from '../src/io/types.js';
import { buildProgram } from '../src/program.js';
import { renderManPage } from './man.js';

/** The generated files, path -> text. Shared by scripts/gen.ts and the staleness tests. */
export async function generatedFiles(pkg: { version: string; description: string }): Promise<Record<string, string>> {
  const spec = await describeProgram(await inertProgram());
  return {
    'completions/pikactl.bash': completionScript('bash', spec),
    'completions/_pikactl': completionScript('zsh', spec),
    'completions/pikactl.fish': completionScript('fish', spec),
    'man/pikactl.1': renderManPage(spec, { version: pkg.version, packageDescription: pkg.description }),
  };
}

/**
 * The real tree with a context nothing can use: building it runs every command's
 * registration but no handler, so no IO, keychain or network is touched.
 */
export async function inertProgram(): Promise<Command> {
  const unusable = () => {
    throw new Error('the generator does not run commands');
  };
  const io = new Proxy({}, { get: unusable }) as IO;
  const ctx: Deps = {
    io,
    env: {},
    homedir: '/nonexistent',
    cwd: '/',
    clock: realClock,
    keychain: async () => unusable(),
  };
  return buildProgram(ctx, createApp(ctx, { exitCode: 0 }));
}
