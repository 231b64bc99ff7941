import type { Command } from 'commander';
import type { Deps } from './deps.js';
// Nothing else is imported up front: `--version` answers before any other module loads,
// and the error, JSON and redaction modules (and node:crypto) load once they are needed.

/** How run() is called. */
export interface RunOptions {
  /** This is the process's only run (bin/pikactl.js): its redaction scope is the process (secrets/redact.ts). */
  ownsProcess?: boolean;
}

/**
 * The one entry point: builds the tree, parses, runs, and is the only place that
 * turns an error into a message and an exit code.
 */
export async function run(argv: string[], ctx: Deps, opts: RunOptions = {}): Promise<number> {
  // A bare --version answers before commander, the command tree and even the redactor load:
  // for a Node CLI, loading modules is most of the start-up time (see bench/startup.mjs).
  // Same text as commander's. It prints no secret, so it needs no redaction scope.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    const { VERSION } = await import('./version.js');
    ctx.io.stdout.write(`${VERSION}\n`);
    return afterOutput(ctx, 0);
  }
  // So does the program's own help: rendered from its declarations (root-help.ts) without
  // loading commander, whose load alone costs more than the aim for --help (bench/startup.mjs).
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    const { helpWidth, renderRootHelp } = await import('./root-help.js');
    ctx.io.stdout.write(renderRootHelp(helpWidth(ctx.io.stdout, ctx.io.stdoutIsTTY)));
    return afterOutput(ctx, 0);
  }
  const { Redactor, withRedactor } = await import('./secrets/redact.js');
  // One redactor per invocation: every Secret created while it runs is cut out of what it prints.
  return withRedactor(new Redactor(), async () => afterOutput(ctx, await runScoped(argv, ctx)), {
    ownsProcess: opts.ownsProcess,
  });
}

/**
 * A write error on stdout or stderr (ENOSPC, EPIPE, EIO) ends the command (the context signal
 * is aborted) with one line on stderr, when stderr still works, and exit 1. A change that may
 * have been applied keeps its exit 8: that is what the operator must act on.
 */
async function afterOutput(ctx: Deps, code: number): Promise<number> {
  const failure = await ctx.io.outputFailure?.();
  if (!failure) return code;
  const { ExitCode } = await import('./errors.js');
  if (failure.stream === 'stdout')
    ctx.io.stderr.write(
      `${ctx.io.style.red('Error:')} cannot write to stdout (${failure.code}); the output is incomplete.\n`,
    );
  return code === ExitCode.NEEDS_RECOVERY ? code : ExitCode.ERROR;
}

async function runScoped(argv: string[], ctx: Deps): Promise<number> {
  // root-help.js is program.js's own import: helpWidth costs no extra load.
  const [{ buildProgram }, { createApp }, { CliError, ExitCode }, { helpWidth }] = await Promise.all([
    import('./program.js'),
    import('./commands/app.js'),
    import('./errors.js'),
    import('./root-help.js'),
  ]);
  const state: { exitCode: number; globals?: import('./globals.js').GlobalOptions } = { exitCode: 0 };
  const app = createApp(ctx, state);
  const jsonRequested = argv.includes('--json');
  const debugRequested = argv.includes('--debug');
  const program = await buildProgram(ctx, app, { argv });
  program.exitOverride();
  const output = {
    writeOut: (s: string) => ctx.io.stdout.write(s),
    writeErr: (s: string) => (jsonRequested ? undefined : ctx.io.stderr.write(s)),
    // commander's error text is not printed as it comes: report() words it like pikactl's own.
    outputError: () => {},
    getOutHelpWidth: () => helpWidth(ctx.io.stdout, ctx.io.stdoutIsTTY),
    getErrHelpWidth: () => helpWidth(ctx.io.stderr, ctx.io.stderrIsTTY),
  };
  program.configureOutput(output);
  // Apply the same output/exit behaviour to every subcommand, present and future.
  const applyAll = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride();
      sub.configureOutput(output);
      applyAll(sub);
    }
  };
  applyAll(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (err) {
    await ctx.io.ready?.().catch(() => undefined);
    // The command ended because its output failed: afterOutput says so, in one line.
    const outputFailed = await ctx.io.outputFailure?.();
    if (outputFailed && !(err instanceof CliError && err.exitCode === ExitCode.NEEDS_RECOVERY)) return ExitCode.ERROR;
    return report(err, ctx, {
      json: state.globals?.json ?? jsonRequested,
      debug: state.globals?.debug ?? debugRequested,
      program,
      argv,
    });
  }
}

/** commander's CommanderError, recognised by its code so this module need not import commander up front. */
function isCommanderError(err: unknown): err is Error & { code: string; exitCode: number } {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('commander.');
}

async function report(
  err: unknown,
  ctx: Deps,
  opts: { json: boolean; debug: boolean; program?: Command; argv: string[] },
): Promise<number> {
  const { io } = ctx;
  // Help and --version "errors" are successes: they end here, before the modules below load.
  if (isCommanderError(err) && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')) return 0;
  const [{ CliError, ExitCode }, { errorJson, writeJson }, { serverText }] = await Promise.all([
    import('./errors.js'),
    import('./output/json.js'),
    import('./output/server-text.js'),
  ]);
  /** Our own messages are short; the cap only bounds what a server could smuggle into one. */
  const safe = (text: string, max = 4096) => serverText(text, { multiline: true, max });
  if (isCommanderError(err)) {
    // Everything else commander raises is a usage error. No command (bare `pikactl`,
    // `pikactl keychain`): the help went to stderr; for a script it is a usage error too.
    if (err.code === 'commander.help') return ExitCode.USAGE;
    const { usageFromCommander } = await import('./usage-errors.js');
    err = usageFromCommander(err, opts.program, opts.argv);
  }
  const cliErr =
    err instanceof CliError
      ? err
      : ctx.signal?.aborted
        ? new CliError('cancelled', { code: 'cancelled', cause: err })
        : new CliError(`unexpected error: ${err instanceof Error ? err.message : String(err)}`, {
            code: 'error',
            hint: opts.debug ? undefined : 'Run again with --debug for details.',
            cause: err,
          });
  if (opts.json) {
    writeJson(io, errorJson(cliErr));
  } else if (cliErr.code === 'declined') {
    // The operator said No: that is an answer, not a failure, so no red "Error:".
    io.stderr.write(`${cliErr.message}\n`);
    if (cliErr.hint) io.stderr.write(`${io.style.dim('Hint:')} ${cliErr.hint}\n`);
  } else {
    const s = io.style;
    // Last line of defence: whatever server text a message carries is escaped and redacted here too.
    io.stderr.write(`${s.red('Error:')} ${safe(cliErr.message)}\n`);
    if (cliErr.hint) io.stderr.write(`${s.dim('Hint:')} ${safe(cliErr.hint)}\n`);
  }
  if (opts.debug) {
    const causeChain: unknown[] = [];
    let c: unknown = cliErr.cause;
    while (c !== undefined && causeChain.length < 5) {
      causeChain.push(c);
      c = c instanceof Error ? c.cause : undefined;
    }
    io.stderr.write(`${safe(cliErr.stack ?? '', 64 * 1024)}\n`);
    for (const cause of causeChain) {
      io.stderr.write(
        `Caused by: ${safe(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause), 64 * 1024)}\n`,
      );
    }
  }
  return cliErr.exitCode;
}
