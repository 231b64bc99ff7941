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
  action<O>(cmd: Command, handler: (opts: O, globals: GlobalOptions, args: string[]) => Promise<number | void>): void;
}

export type RegisterCommand = (parent: Command, app: App) => void;

export function createApp(ctx: Deps, state: { exitCode: number; globals?: GlobalOptions }): App {
  return {
    ctx,
    secretsRead: [],
    action(cmd, handler) {
      cmd.action(async (...raw: unknown[]) => {
        const self = raw[raw.length - 1] as Command;
        const globals = resolveGlobals(self, ctx);
        state.globals = globals;
        ctx.io.configure({ color: globals.color, noInput: !globals.input });
        await ctx.io.ready?.();
        const code = await handler(self.opts() as never, globals, self.args);
        state.exitCode = typeof code === 'number' ? code : 0;
      });
    },
  };
}
