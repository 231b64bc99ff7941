import type { App } from './app.js';
import type { GlobalOptions } from '../globals.js';
import type { Target } from './target.js';
import { CliError } from '../errors.js';
import { ApiError } from '../api/types.js';
import type { NodeState } from '../ops/probe.js';
import { writeJson } from '../output/json.js';
import { combineCodes } from './status.js';

/** One row of a per-node result table (unlock/lock over one or many replicas). */
export interface NodeResult {
  server: string;
  before?: NodeState;
  action: string;
  after?: NodeState;
  error?: CliError;
  exitCode: number;
}

/** Runs fn for every target with bounded concurrency; a thrown error becomes that node's row. */
export async function forEachNode(
  targets: Target[],
  fn: (t: Target) => Promise<NodeResult>,
  mapError: (t: Target, err: ApiError) => Promise<CliError>,
  concurrency = 8,
): Promise<NodeResult[]> {
  const results: NodeResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i];
      try {
        results[i] = await fn(t);
      } catch (err) {
        const cli = err instanceof ApiError ? await mapError(t, err) : err instanceof CliError ? err : undefined;
        if (!cli) throw err;
        results[i] = { server: t.server.id, action: 'failed', error: cli, exitCode: cli.exitCode };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return results;
}

/**
 * Ends a per-node command. One node: its error is thrown (printed once by run(), with
 * its own hint and exit code); the success summary goes to stdout. Several nodes: a
 * table (or one JSON object with a row per node) and the fleet exit code.
 */
export function finishNodes(app: App, g: GlobalOptions, results: NodeResult[], summary: (r: NodeResult) => string): number {
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
  const header = ['NODE', 'BEFORE', 'ACTION', 'AFTER', 'ERROR'];
  const rows = results.map((r) => [r.server, r.before ?? '-', r.action, r.after ?? '-', r.error ? r.error.message : '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  io.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  const failed = results.filter((r) => r.exitCode !== 0);
  if (failed.length > 0) {
    io.stderr.write(`${failed.length} of ${results.length} node(s) did not end in the wanted state.\n`);
    for (const f of failed) if (f.error?.hint) io.stderr.write(`  ${f.server}: ${f.error.hint}\n`);
  }
  return code;
}

function row(r: NodeResult): Record<string, unknown> {
  return {
    server: r.server,
    before: r.before ?? null,
    action: r.action,
    after: r.after ?? null,
    ...(r.error ? { error: { code: r.error.code, message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) } } : {}),
    exit_code: r.exitCode,
  };
}

