import { Option, type Command } from 'commander';
import { summary } from './summaries.js';
import type { App } from './app.js';
import { mapApiErrors, openSession, toCliError, type Target } from './target.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { meets, probeNode, tryInfo, WAIT_CONDITIONS, type Probe, type WaitCondition } from '../ops/probe.js';
import { pollUntil } from '../ops/wait.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { writeJson } from '../output/json.js';
import { colorState, fields, NEXT_STEP, paint } from '../output/status.js';
import { serverText } from '../output/server-text.js';
import { ApiError, type ServerInfo } from '../api/types.js';
import type { Spinner } from '../io/types.js';

export interface StatusOptions {
  wait?: string;
  for?: WaitCondition;
}

/** Exit code for a final observed state: 0 serving, 3 locked, 7 unreachable, 8 unreadable. */
export function exitCodeFor(p: Probe): number {
  switch (p.state) {
    case 'unlocked':
    case 'off':
      return ExitCode.OK;
    case 'locked':
      return ExitCode.LOCKED;
    case 'unreadable':
      return ExitCode.NEEDS_RECOVERY;
    case 'unreachable':
      return ExitCode.UNREACHABLE;
  }
}

export interface NodeReport {
  server: string;
  /** "error": the node answered something waiting cannot fix (TLS, not Pika…); see error. */
  state: Probe['state'] | 'error';
  initialized?: boolean;
  unlocked?: boolean;
  name?: string;
  version?: string;
  error?: string;
  next?: string;
}

/** Probe (and optionally wait on) one node. `info` adds the product name/version (status shows it; others need not pay the GET). */
export async function observe(app: App, t: Target, opts: { waitMs?: number; cond: WaitCondition; info?: boolean }): Promise<{ probe: Probe; info?: ServerInfo; met: boolean }> {
  const { ctx } = app;
  const probe = () => probeNode(t.client, ctx.signal);
  let result: Probe;
  if (opts.waitMs !== undefined) {
    const done = waiting(app, t.server.id, opts.cond);
    try {
      const outcome = await pollUntil(probe, (p) => meets(p, opts.cond), { clock: ctx.clock, timeoutMs: opts.waitMs, signal: ctx.signal });
      result = outcome.done ? outcome.value : outcome.last;
    } finally {
      done();
    }
  } else {
    result = await probe();
  }
  const info = opts.info && result.state !== 'unreachable' ? await tryInfo(t.client, ctx.signal) : undefined;
  return { probe: result, info, met: meets(result, opts.cond) };
}

/**
 * One spinner per invocation however many nodes wait at once (several spinners on
 * one terminal overwrite each other): "waiting for 3 nodes to be unlocked".
 */
const spinners = new WeakMap<App, { spinner: Spinner; waiting: Set<string>; cond: WaitCondition }>();
function waiting(app: App, server: string, cond: WaitCondition): () => void {
  let s = spinners.get(app);
  const label = (w: Set<string>) => (w.size === 1 ? `waiting for ${[...w][0]} to be ${cond}` : `waiting for ${w.size} nodes to be ${cond}`);
  if (!s) {
    const set = new Set([server]);
    s = { spinner: app.ctx.io.spinner(label(set)), waiting: set, cond };
    spinners.set(app, s);
  } else {
    s.waiting.add(server);
    s.spinner.update(label(s.waiting));
  }
  const entry = s;
  return () => {
    entry.waiting.delete(server);
    if (entry.waiting.size > 0) return entry.spinner.update(label(entry.waiting));
    entry.spinner.stop();
    spinners.delete(app);
  };
}

export function nodeReport(t: Target, probe: Probe, info?: ServerInfo): NodeReport {
  return {
    server: t.server.id,
    state: probe.state,
    ...(probe.status ? { initialized: probe.status.initialized, unlocked: probe.status.unlocked } : {}),
    ...(info ? { name: info.name, version: info.version } : {}),
    ...(probe.error ? { error: describeError(probe.error) } : {}),
    ...(NEXT_STEP[probe.state] ? { next: NEXT_STEP[probe.state] } : {}),
  };
}

function describeError(e: ApiError): string {
  const extra = e.requestId ? ` (request_id ${serverText(e.requestId, { max: 80 })})` : '';
  return `${e.serverMessage ?? e.message}${extra}`;
}

export function registerStatus(program: Command, app: App): void {
  const cmd = program
    .command('status')
    .description(summary('status'))
    .option('--wait <duration>', 'poll until the --for condition holds (through restarts and refused connections)')
    .addOption(new Option('--for <condition>', 'condition to wait for; "unlocked" means serving (unlocked, or encryption off)').choices([...WAIT_CONDITIONS]))
    .addHelpText(
      'after',
      `
Exit codes: 0 serving (unlocked or encryption off), 3 locked, 7 unreachable, 8 settings unreadable.
With --wait: 0 when the condition holds in time, else the code of the last state seen.

Several --server flags (or a context with several servers): one row per node, all asked at
once; --wait waits for every node (through restarts and refused connections). Exit 0 when
every node is fine, 8 when some are, else the worst single code. Each node answers for
itself (key/status is served locally even by a follower in a Pika cluster).

Examples:
  pikactl status --server https://pika.example:8080
  pikactl status --wait 5m --for unlocked --json
  pikactl status --context prod --wait 10m --for unlocked      # a rolling restart`,
    );
  app.action<StatusOptions>(cmd, async (opts, g) => {
    if (opts.for && opts.wait === undefined) throw usageError('--for needs --wait', 'e.g. pikactl status --wait 2m --for unlocked');
    const waitMs = opts.wait === undefined ? undefined : parseDuration(opts.wait, '--wait');
    const cond: WaitCondition = opts.for ?? (waitMs === undefined ? 'unlocked' : 'reachable');
    const session = await openSession(app, g);
    try {
      if (session.targets.length === 1) {
        const t = session.targets[0];
        const r = await mapApiErrors(t.server, 'status', () => observe(app, t, { waitMs, cond, info: true }));
        const report = nodeReport(t, r.probe, r.info);
        const code = waitMs !== undefined && r.met ? ExitCode.OK : exitCodeFor(r.probe);
        if (g.json) writeJson(app.ctx.io, { ok: code === 0, ...report, exit_code: code });
        else renderHuman(app, r.probe, report);
        if (!g.json && waitMs !== undefined && code !== 0) app.ctx.io.stderr.write(`Condition "${cond}" not met within ${formatDuration(waitMs)}.\n`);
        return code;
      }
      // Several replicas: all observed (and waited for) at once; one node's failure is its row, not the command's.
      const rows = await Promise.all(session.targets.map((t) => observeRow(app, t, waitMs, cond)));
      const code = combineCodes(rows.map((r) => r.code));
      if (g.json) {
        writeJson(app.ctx.io, { ok: code === 0, nodes: rows.map((r) => ({ ...r.report, exit_code: r.code })), exit_code: code });
      } else {
        renderTable(app, rows.map((r) => r.report));
        const missed = rows.filter((r) => r.code !== 0).length;
        if (waitMs !== undefined && missed > 0) {
          app.ctx.io.stderr.write(`Condition "${cond}" not met within ${formatDuration(waitMs)} on ${missed} of ${rows.length} nodes.\n`);
        }
      }
      return code;
    } finally {
      await session.close();
    }
  });
}

async function observeRow(app: App, t: Target, waitMs: number | undefined, cond: WaitCondition): Promise<{ report: NodeReport; code: number }> {
  try {
    const r = await observe(app, t, { waitMs, cond, info: true });
    return { report: nodeReport(t, r.probe, r.info), code: waitMs !== undefined && r.met ? ExitCode.OK : exitCodeFor(r.probe) };
  } catch (err) {
    const cli = err instanceof ApiError ? await toCliError(err, t.server, 'status') : err;
    if (!(cli instanceof CliError)) throw err;
    return { report: { server: t.server.id, state: 'error', error: cli.message, ...(cli.hint ? { next: cli.hint } : {}) }, code: cli.exitCode };
  }
}

/** Fleet rule: 0 if all 0; 8 (partly) if some 0; else the worst single code. */
export function combineCodes(codes: number[]): number {
  if (codes.every((c) => c === 0)) return 0;
  if (codes.length > 1 && codes.some((c) => c === 0)) return ExitCode.NEEDS_RECOVERY;
  return Math.max(...codes);
}

/** info's name and version come from the server: rendered safe, 60 characters at most. */
function product(r: NodeReport): string | undefined {
  return r.name ? serverText(`${r.name} ${r.version ?? ''}`.trim(), { max: 60 }) : undefined;
}

function renderHuman(app: App, probe: Probe, r: NodeReport): void {
  const { io } = app.ctx;
  io.stdout.write(
    fields([
      ['Server', r.server],
      ['Product', product(r)],
      ['Encryption', colorState(io.style, probe.state)],
      ['Error', r.error === undefined ? undefined : serverText(r.error)],
      ['Next', r.next],
    ]),
  );
}

/** One line per node, then each distinct next step once. Widths are measured before colouring. */
function renderTable(app: App, reports: NodeReport[]): void {
  const { io } = app.ctx;
  const header = ['NODE', 'ENCRYPTION', 'PRODUCT', 'ERROR'];
  const rows = reports.map((r) => [r.server, r.state, product(r) ?? '-', r.error === undefined ? '' : serverText(r.error)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[], state?: NodeReport['state']) =>
    cells
      .map((c, i) => {
        if (i === cells.length - 1) return c;
        const pad = ' '.repeat(widths[i] - c.length);
        return i === 1 && state ? `${paint(io.style, state, c)}${pad}` : `${c}${pad}`;
      })
      .join('  ')
      .trimEnd();
  io.stdout.write(`${[line(header), ...rows.map((row, i) => line(row, reports[i].state))].join('\n')}\n`);
  const next = [...new Set(reports.map((r) => r.next).filter((n): n is string => Boolean(n)))];
  for (const n of next) {
    const who = reports.filter((r) => r.next === n).map((r) => r.server);
    io.stdout.write(`Next for ${who.length === reports.length ? 'all nodes' : who.join(', ')}: ${n}\n`);
  }
}
