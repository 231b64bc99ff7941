import type { App } from '../commands/app.js';
import type { GlobalOptions } from '../globals.js';
import type { Invocation, Target } from '../commands/shared/invocation.js';
import type { Clock } from '../deps.js';
import { CliError } from '../errors.js';
import { ApiError } from '../api/types.js';
import type { NodeState } from '../ops/observe.js';
import { explainNotApplied, isTransient, notAppliedState, type FleetOp, type FleetRow } from './ops.js';
import { writeJson } from '../output/json.js';
import { serverText } from '../output/server-text.js';
import { renderTable, type Column } from '../output/table.js';
import { combineCodes } from './ops.js';
import { authed } from '../commands/shared/auth-step.js';

/** One row of a per-node result table (unlock/lock over one or many replicas). */
export type NodeResult = FleetRow;

export interface ForEachNodeOptions {
  /** Default 8: enough to hide latency, few enough not to stampede a cluster's leader. */
  concurrency?: number;
  /**
   * A wait budget (ms, e.g. --wait). While it lasts, a node whose attempt failed with
   * something a rolling restart causes (refused, reset, cluster 503) is tried again
   * from the start; wrong key, auth and TLS failures are final. Needs clock.
   */
  retryFor?: number;
  clock?: Clock;
  signal?: AbortSignal;
}

/** States an error proves (the node was, and still is, in it); other failures leave before/after unknown. */
const STATE_OF_ERROR: Partial<Record<string, NodeState>> = {
  unreachable: 'unreachable',
  wrong_key: 'locked',
  not_initialized: 'off',
};

/** Passed to each attempt: which one, and what is left of the wait budget. */
export interface Attempt {
  n: number;
  /** undefined without a budget; else ms left (0 when spent). */
  remainingMs?: number;
}

/** Runs fn for every target with bounded concurrency; a thrown error becomes that node's row. */
export async function forEachNode(
  targets: Target[],
  fn: (t: Target, attempt: Attempt) => Promise<NodeResult>,
  mapError: (t: Target, err: ApiError) => Promise<CliError>,
  options: number | ForEachNodeOptions = {},
): Promise<NodeResult[]> {
  const opts: ForEachNodeOptions = typeof options === 'number' ? { concurrency: options } : options;
  const clock = opts.clock;
  const deadline = opts.retryFor !== undefined && clock ? clock.now() + opts.retryFor : undefined;
  const left = () => (deadline === undefined ? undefined : Math.max(0, deadline - clock!.now()));
  const results: NodeResult[] = new Array(targets.length);
  let next = 0;
  const runOne = async (t: Target): Promise<NodeResult> => {
    let delay = 250;
    for (let n = 1; ; n++) {
      try {
        return await fn(t, { n, remainingMs: left() });
      } catch (err) {
        const remaining = left();
        if (!remaining || !isTransient(err) || opts.signal?.aborted) throw err;
        // A restart in progress: wait a little and start over (the attempt re-reads the node's state first).
        await clock!.sleep(Math.min(delay, remaining), opts.signal);
        delay = Math.min(delay * 2, 2000);
      }
    }
  };
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i];
      try {
        results[i] = await runOne(t);
      } catch (err) {
        const cli = err instanceof ApiError ? await mapError(t, err) : err instanceof CliError ? err : undefined;
        if (!cli) throw err;
        const known = STATE_OF_ERROR[cli.code];
        results[i] = {
          server: t.server.id,
          ...(known ? { before: known, after: known } : {}),
          action: 'failed',
          error: cli,
          exitCode: cli.exitCode,
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, targets.length) }, worker));
  return results;
}

/**
 * finishNodes, after an honest look at nodes that answered 200 but whose own
 * key/status disagrees: a replica that ended unlocked is asked (logged in, since
 * cluster/status needs settings.manage) whether it runs in a Pika cluster, and if so
 * those rows say "follower in a Pika cluster …" with the leader's address.
 */
export async function finishFleet(
  app: App,
  g: GlobalOptions,
  inv: Invocation,
  op: FleetOp,
  results: NodeResult[],
  summary: (r: NodeResult) => string,
): Promise<number> {
  const byServer = new Map(inv.targets.map((t) => [t.server.id, t]));
  const explained = await explainNotApplied(results, op, async (server) => {
    const t = byServer.get(server);
    if (!t) throw new Error(`no target ${server}`);
    return authed(app, g, inv, t, 'cluster status', () => t.client.clusterStatus(app.ctx.signal));
  });
  // Pods (--kube): the fix for a stuck follower names its boot-password Secret; pods not Running are rows.
  const rows = inv.kube
    ? (await import('../kube/rows.js')).kubeFleetRows(inv.kube, inv.targets, explained, op, notAppliedState)
    : explained;
  return finishNodes(app, g, rows, summary);
}

/**
 * Ends a per-node command. One node: its error is thrown (printed once by run(), with
 * its own hint and exit code); the success summary goes to stdout. Several nodes: a
 * table (or one JSON object with a row per node) and the fleet exit code.
 */
export function finishNodes(
  app: App,
  g: GlobalOptions,
  results: NodeResult[],
  summary: (r: NodeResult) => string,
): number {
  const { io } = app.ctx;
  if (results.length === 1) {
    const r = results[0];
    if (r.error) throw r.error;
    if (g.json) writeJson(io, { ok: true, ...row(r), exit_code: r.exitCode });
    else io.stdout.write(`${summary(r)}\n`);
    return r.exitCode;
  }
  const code = combineCodes(results.map((r) => r.exitCode));
  if (g.json) {
    writeJson(io, { ok: code === 0, nodes: results.map(row), exit_code: code });
    return code;
  }
  // An error cell can quote the server (its message, a leader address): through the one renderer.
  const rows = results.map((r) => [
    r.server,
    r.before ?? '-',
    r.action,
    r.after ?? '-',
    r.error ? serverText(r.error.message) : '',
  ]);
  // On a terminal the table fits its width (long URLs and errors cut with "…"); a pipe gets every word.
  const { lines, cutCells } = renderTable(NODE_COLUMNS, rows, terminalWidth(io));
  io.stdout.write(`${lines.join('\n')}\n`);
  const failed = results.filter((r) => r.exitCode !== 0);
  const cutErrors = new Set(cutCells.filter(([, c]) => c === NODE_COLUMNS.length - 1).map(([r]) => results[r]));
  if (failed.length > 0) {
    io.stderr.write(`${failed.length} of ${results.length} node(s) did not end in the wanted state.\n`);
    for (const f of failed) {
      // An error the table had to cut is given whole here.
      if (f.error && cutErrors.has(f))
        io.stderr.write(`  ${f.server}: ${serverText(f.error.message, { multiline: true, max: 2000 })}\n`);
      if (f.error?.hint)
        io.stderr.write(`  ${f.server}: ${serverText(f.error.hint, { multiline: true, max: 2000 })}\n`);
    }
  }
  return code;
}

const NODE_COLUMNS: Column[] = [
  { header: 'NODE', shrink: true, min: 32, order: 0 },
  { header: 'BEFORE' },
  { header: 'ACTION' },
  { header: 'AFTER' },
  { header: 'ERROR', shrink: true, min: 20, order: 1 },
];

/** The injected stdout's width when it is a terminal; none for pipes and files. */
function terminalWidth(io: App['ctx']['io']): number | undefined {
  const columns = (io.stdout as { columns?: number }).columns;
  return io.stdoutIsTTY && typeof columns === 'number' && columns > 0 ? columns : undefined;
}

function row(r: NodeResult): Record<string, unknown> {
  return {
    server: r.server,
    before: r.before ?? null,
    action: r.action,
    after: r.after ?? null,
    ...(r.error
      ? { error: { code: r.error.code, message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) } }
      : {}),
    ...(r.cluster ? { cluster: r.cluster } : {}),
    exit_code: r.exitCode,
  };
}
