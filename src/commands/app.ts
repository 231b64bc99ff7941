import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { resolveGlobals, type GlobalOptions } from '../globals.js';
import type { Secret } from '../secrets/secret.js';

/**
 * What a command file gets when it registers itself: the injected context and a
 * way to attach a handler. The handler returns an exit code (or nothing for 0);
 * errors are thrown as CliError and turned into a message + code by run().
 */
export interface App {
  readonly ctx: Deps;
  /**
   * Every secret this invocation has read (keys, passwords): a prompt that is not for a secret
   * (`Type "saved"`) checks its answer against them, to wipe a key pasted there off the screen.
   */
  readonly secretsRead: Secret[];
  /**
   * Attaches a handler to a command declared through `typed()` (shared/typed.ts): `opts` has
   * the type its declaration infers, so a renamed flag is a type error where it is read.
   */
  action<O extends Record<string, unknown>>(
    cmd: { opts(): O },
    // biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing exits 0 (Promise<void> must fit)
    handler: (opts: O, globals: GlobalOptions, args: string[]) => Promise<number | void>,
  ): void;
}

/**
 * A command's run function (gh's `runF`): typed options, the globals and the arguments, with
 * the Deps in `app`. Each register function takes one as an override, so tests can run the
 * real commander parsing and receive what the command would have run with.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a run function that returns nothing exits 0 (Promise<void> must fit)
export type RunCommand<O> = (app: App, globals: GlobalOptions, opts: O, args: string[]) => Promise<number | void>;

export type RegisterCommand = (parent: Command, app: App) => void;

export function createApp(ctx: Deps, state: { exitCode: number; globals?: GlobalOptions }): App {
  return {
    ctx,
    secretsRead: [],
    action(typedCmd, handler) {
      // The typed view is only types (shared/typed.ts): at run time it is commander's Command.
      const cmd = typedCmd as unknown as Command;
      cmd.action(async (...raw: unknown[]) => {
        const self = raw[raw.length - 1] as Command;
        const globals = resolveGlobals(self, ctx);
        state.globals = globals;
        ctx.io.configure({ color: globals.color, noInput: !globals.input });
        await ctx.io.ready?.();
        const code = await handler(self.opts() as ReturnType<typeof typedCmd.opts>, globals, self.args);
        state.exitCode = typeof code === 'number' ? code : 0;
      });
    },
  };
}
