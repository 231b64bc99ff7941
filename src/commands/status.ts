import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, option, type OptionsOf } from './shared/typed.js';
import { openInvocation, type Target } from './shared/invocation.js';
import { mapApiErrors, toCliError } from './shared/api-errors.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { WAIT_CONDITIONS, type WaitCondition } from '../ops/observe.js';
import { boundRequests } from '../ops/wait.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { writeJson } from '../output/json.js';
import { renderNodeReport, renderNodeTable } from '../output/status.js';
import { ApiError } from '../api/types.js';
import { exitCodeFor, nodeReport, observe, type NodeReport } from './shared/observe.js';
import { idleReports, podColumns } from '../kube/rows.js';

/** The declaration, once: StatusOptions is inferred from it. */
function declareStatus(program: Command) {
  return typed(program)
    .command('status')
    .description(summary('status'))
    .option(
      '--wait <duration>',
      'poll until the node serves (or the --for condition holds), through restarts and gateway errors',
    )
    .addOption(
      option(
        '--for <condition>',
        'condition to wait for; default and "unlocked": serving (unlocked, or encryption off)',
      ).choices([...WAIT_CONDITIONS]),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 serving (unlocked or encryption off), 3 locked, 7 unreachable
(also: a gateway in front of Pika answered 5xx/429), 8 settings unreadable.
--wait without --for waits for what exit 0 means: serving. It bounds the whole
command (each request's timeout is capped by what is left of it). When time is
up, the exit code is that of the last state seen (3 if still locked, 7 if still
unreachable) and stderr says what was seen ("the gateway answered 502 38
times"). Without a terminal, a line on stderr every 15 s shows the wait goes on.

Several --server flags (or a context with several servers): one row per node,
all asked at once; --wait waits for every node (through restarts and refused
connections). Exit 0 when every node is fine, 8 when some are, else the worst
single code. Each node answers for itself (key/status is served locally even by
a follower in a Pika cluster).

Examples:
  pikactl status --server https://pika.example:8080
  pikactl status --wait 5m && deploy                # only once it serves
  pikactl status --wait 2m --for reachable --json   # up, locked or not
  pikactl status --context prod --wait 10m          # a rolling restart`,
    );
}

export type StatusOptions = OptionsOf<typeof declareStatus>;

export function registerStatus(program: Command, app: App, run: RunCommand<StatusOptions> = runStatus): void {
  app.action(declareStatus(program), (opts, g, args) => run(app, g, opts, args));
}

export const runStatus: RunCommand<StatusOptions> = async (app, g, opts) => {
  if (opts.for && opts.wait === undefined)
    throw usageError('--for needs --wait', 'e.g. pikactl status --wait 2m --for unlocked');
  const waitMs = opts.wait === undefined ? undefined : parseDuration(opts.wait, '--wait');
  // Without --for, --wait waits for what a plain `status` exits 0 on (serving), never merely "reachable".
  const cond: WaitCondition = opts.for ?? 'unlocked';
  const inv = await openInvocation(app, g);
  boundRequests(
    inv.targets.map((t) => t.client),
    app.ctx.clock,
    waitMs,
  );
  try {
    const idle = idleReports(inv.kube);
    if (inv.targets.length === 1 && idle.length === 0) {
      const t = inv.targets[0];
      const r = await mapApiErrors(t.server, 'status', () => observe(app, t, { waitMs, cond, info: true }));
      const report = nodeReport(t, r.probe, r.info);
      const code = waitMs !== undefined && r.met ? ExitCode.OK : exitCodeFor(r.probe);
      if (g.json)
        writeJson(app.ctx.io, {
          ok: code === 0,
          ...report,
          exit_code: code,
          ...(r.gaveUp ? { gave_up: r.gaveUp } : {}),
        });
      else app.ctx.io.stdout.write(renderNodeReport(app.ctx.io.style, r.probe.state, report));
      if (!g.json && r.gaveUp) app.ctx.io.stderr.write(`${capital(r.gaveUp)}.\n`);
      return code;
    }
    // Several replicas: all observed (and waited for) at once; one node's failure is its row, not the command's.
    // The fleet's modules load only here: one server (the common case) never needs them.
    const [{ combineCodes }, { markRoles }, { askCluster }] = await Promise.all([
      import('../fleet/ops.js'),
      import('../kube/leader.js'),
      import('./shared/auth-step.js'),
    ]);
    const rows = [...(await Promise.all(inv.targets.map((t) => observeRow(app, t, waitMs, cond)))), ...idle];
    // Roles need cluster/status, so a login: only when it needs no prompt (status itself never logs in otherwise).
    const canLogin =
      app.ctx.env.PIKA_SESSION !== undefined ||
      ((g.user ?? inv.conn.user) !== undefined && g.passwordFrom !== undefined);
    if (inv.kube && canLogin)
      await markRoles(
        inv,
        rows.map((r) => r.report),
        askCluster(app, g, inv),
      );
    const code = combineCodes(rows.map((r) => r.code));
    if (g.json) {
      writeJson(app.ctx.io, {
        ok: code === 0,
        nodes: rows.map((r) => ({ ...r.report, exit_code: r.code, ...(r.gaveUp ? { gave_up: r.gaveUp } : {}) })),
        exit_code: code,
      });
    } else {
      renderNodeTable(
        app.ctx.io,
        rows.map((r) => r.report),
      );
      const missed = rows.filter((r) => r.gaveUp);
      if (waitMs !== undefined && missed.length > 0) {
        app.ctx.io.stderr.write(
          `Gave up after ${formatDuration(waitMs)} waiting for ${missed.length} of ${rows.length} nodes to be ${cond}:\n`,
        );
        for (const m of missed) app.ctx.io.stderr.write(`  ${m.gaveUp}\n`);
      }
    }
    return code;
  } finally {
    await inv.close();
  }
};

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

async function observeRow(
  app: App,
  t: Target,
  waitMs: number | undefined,
  cond: WaitCondition,
): Promise<{ report: NodeReport; code: number; gaveUp?: string }> {
  try {
    const r = await observe(app, t, { waitMs, cond, info: true });
    return {
      report: nodeReport(t, r.probe, r.info),
      code: waitMs !== undefined && r.met ? ExitCode.OK : exitCodeFor(r.probe),
      gaveUp: r.gaveUp,
    };
  } catch (err) {
    const cli = err instanceof ApiError ? await toCliError(err, t.server, 'status') : err;
    if (!(cli instanceof CliError)) throw err;
    return {
      report: {
        server: t.server.id,
        state: 'error',
        error: cli.message,
        ...(cli.hint ? { next: cli.hint } : {}),
        ...(t.pod ? { pod: podColumns(t.pod) } : {}),
      },
      code: cli.exitCode,
    };
  }
}
