import { Command } from 'commander';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { UnlockOptions } from '../../src/commands/unlock.js';
import type { StatusOptions } from '../../src/commands/status.js';
import type { RotateOptions } from '../../src/commands/rotate.js';
import type { WaitCondition } from '../../src/ops/observe.js';
import { typed, type OptionsOf } from '../../src/commands/shared/typed.js';

/*
 * Type-level tests: `npx tsc -p tsconfig.json --noEmit` (CI's typecheck) checks this file,
 * and each `@ts-expect-error` fails the typecheck if the line below it ever compiles.
 * The options types are inferred from the commander declarations, so renaming a flag without
 * renaming where it is read is a type error, not an undefined at run time.
 */

// A command declared as the command files do, with --key-from renamed to --key-source.
function declareRenamed(program: Command) {
  return typed(program)
    .command('unlock')
    .option('--key-source <source>', 'renamed')
    .option('--wait <duration>', 'wait');
}
type Renamed = OptionsOf<typeof declareRenamed>;

// biome-ignore lint/suspicious/noExportsInTest: a type-level check; exported so tsc checks it without calling it
export function readsTheOldName(opts: Renamed): string | undefined {
  // @ts-expect-error --key-from was renamed: opts.keyFrom no longer exists
  return opts.keyFrom;
}

// biome-ignore lint/suspicious/noExportsInTest: a type-level check; exported so tsc checks it without calling it
export function unlockFields(opts: UnlockOptions): (string | undefined)[] {
  // @ts-expect-error a misnamed field of the real unlock declaration does not compile
  const misnamed: unknown = opts.keyfrom;
  return [opts.keyFrom, opts.wait, String(misnamed)];
}

describe('options types come from the declarations', () => {
  it('infers names and value types (choices narrow, booleans are true)', () => {
    expectTypeOf<UnlockOptions>().toEqualTypeOf<{ keyFrom?: string | undefined; wait?: string | undefined }>();
    expectTypeOf<StatusOptions['for']>().toEqualTypeOf<WaitCondition | undefined>();
    expectTypeOf<RotateOptions['saveToKeychain']>().toEqualTypeOf<true | undefined>();
  });

  it('the typed view is commander itself at run time', () => {
    const program = new Command('p');
    const cmd = declareRenamed(program);
    cmd.parse(['--key-source', 'env:K'], { from: 'user' });
    expect(cmd.opts()).toEqual({ keySource: 'env:K' });
    expect(program.commands[0]).toBe(cmd);
  });
});
