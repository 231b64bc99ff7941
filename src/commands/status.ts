import { Option, type Command } from 'commander';
import { summary } from './summaries.js';
import type { App } from './app.js';
import { mapApiErrors, openSession, toCliError, type Target } from './target.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { meets, probeNode, tryInfo, WAIT_CONDITIONS, type Probe, type WaitCondition } from '../ops/probe.js';
import { boundRequests, pollUntil } from '../ops/wait.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { writeJson } from '../output/json.js';
import { colorState, fields, nextStep, paint } from '../output/status.js';
import { targetFlags } from '../config/target-flags.js';
import { serverText } from '../output/server-text.js';
import { ApiError, type ServerInfo } from '../api/types.js';
import { watchWait } from './wait-progress.js';
import { idleReports, podColumns, type PodColumns } from '../kube/rows.js';
import { markRoles } from '../kube/leader.js';
import { askCluster } from './auth-step.js';

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
  /** --kube: the pod's phase and readiness from Kubernetes, beside Pika's own state. */
  pod?: PodColumns;
}

/**
 * Probe (and optionally wait on) one node. `info` adds the product name/version (status shows
 * it; others need not pay the GET). `gaveUp` says why a wait ended unmet, from what it saw.
 */
export async function observe(
  app: App,
  t: Target,
  opts: { waitMs?: number; cond: WaitCondition; info?: boolean },
): Promise<{ probe: Probe; info?: ServerInfo; met: boolean; gaveUp?: string }> {
  const { ctx } = app;
  const probe = () => probeNode(t.client, ctx.signal);
  let result: Probe;
  let gaveUp: string | undefined;
  if (opts.waitMs !== undefined) {
    const watch = watchWait(app, t.server.id, opts.cond, opts.waitMs);
    try {
      const seen = async () => {
        const p = await probe();
        watch.saw(p);
        return p;
      };
      const outcome = await pollUntil(seen, (p) => meets(p, opts.cond), { clock: ctx.clock, timeoutMs: opts.waitMs, signal: ctx.signal });
      result = outcome.done ? outcome.value : outcome.last;
      if (!outcome.done) gaveUp = watch.gaveUp();
    } finally {
      watch.end();
    }
  } else {
    result = await probe();
  }
  const info = opts.info && result.state !== 'unreachable' ? await tryInfo(t.client, ctx.signal) : undefined;
  return { probe: result, info, met: meets(result, opts.cond), gaveUp };
}

export function nodeReport(t: Target, probe: Probe, info?: ServerInfo): NodeReport {
  return {
    server: t.server.id,
    state: probe.state,
    ...(probe.status ? { initialized: probe.status.initialized, unlocked: probe.status.unlocked } : {}),
    ...(info ? { name: info.name, version: info.version } : {}),
    ...(probe.error ? { error: describeError(probe.error) } : {}),
    ...(nextStep(probe.state, targetFlags(t.server)) ? { next: nextStep(probe.state, targetFlags(t.server)) } : {}),
    ...(t.pod ? { pod: podColumns(t.pod) } : {}),
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
    .option('--wait <duration>', 'poll until the node serves (or the --for condition holds), through restarts and gateway errors')
    .addOption(new Option('--for <condition>', 'condition to wait for; default and "unlocked": serving (unlocked, or encryption off)').choices([...WAIT_CONDITIONS]))
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

Several --server flags (or a context with several servers): one row per node, all asked at
once; --wait waits for every node (through restarts and refused connections). Exit 0 when
every node is fine, 8 when some are, else the worst single code. Each node answers for
itself (key/status is served locally even by a follower in a Pika cluster).

Examples:
  pikactl status --server https://pika.example:8080
  pikactl status --wait 5m && deploy                # only once it serves
  pikactl status --wait 2m --for reachable --json   # up, locked or not
  pikactl status --context prod --wait 10m          # a rolling restart`,
    );
  app.action<StatusOptions>(cmd, async (opts, g) => {
    if (opts.for && opts.wait === undefined) throw usageError('--for needs --wait', 'e.g. pikactl status --wait 2m --for unlocked');
    const waitMs = opts.wait === undefined ? undefined : parseDuration(opts.wait, '--wait');
    // Without --for, --wait waits for what a plain `status` exits 0 on (serving), never merely "reachable".
    const cond: WaitCondition = opts.for ?? 'unlocked';
    const session = await openSession(app, g);
    boundRequests(session.targets.map((t) => t.client), app.ctx.clock, waitMs);
    try {
      const idle = idleReports(session.kube);
      if (session.targets.length === 1 && idle.length === 0) {
        const t = session.targets[0];
        const r = await mapApiErrors(t.server, 'status', () => observe(app, t, { waitMs, cond, info: true }));
        const report = nodeReport(t, r.probe, r.info);
        const code = waitMs !== undefined && r.met ? ExitCode.OK : exitCodeFor(r.probe);
        if (g.json) writeJson(app.ctx.io, { ok: code === 0, ...report, exit_code: code, ...(r.gaveUp ? { gave_up: r.gaveUp } : {}) });
        else renderHuman(app, r.probe, report);
        if (!g.json && r.gaveUp) app.ctx.io.stderr.write(`${capital(r.gaveUp)}.\n`);
        return code;
      }
      // Several replicas: all observed (and waited for) at once; one node's failure is its row, not the command's.
      const rows = [...(await Promise.all(session.targets.map((t) => observeRow(app, t, waitMs, cond)))), ...idle];
      // Roles need cluster/status, so a login: only when it needs no prompt (status itself never logs in otherwise).
      const canLogin = app.ctx.env.PIKA_SESSION !== undefined || ((g.user ?? session.conn.user) !== undefined && g.passwordFrom !== undefined);
      if (session.kube && canLogin) await markRoles(session, rows.map((r) => r.report), askCluster(app, g, session));
      const code = combineCodes(rows.map((r) => r.code));
      if (g.json) {
        writeJson(app.ctx.io, { ok: code === 0, nodes: rows.map((r) => ({ ...r.report, exit_code: r.code, ...(r.gaveUp ? { gave_up: r.gaveUp } : {}) })), exit_code: code });
      } else {
        renderTable(app, rows.map((r) => r.report));
        const missed = rows.filter((r) => r.gaveUp);
        if (waitMs !== undefined && missed.length > 0) {
          app.ctx.io.stderr.write(`Gave up after ${formatDuration(waitMs)} waiting for ${missed.length} of ${rows.length} nodes to be ${cond}:\n`);
          for (const m of missed) app.ctx.io.stderr.write(`  ${m.gaveUp}\n`);
        }
      }
      return code;
    } finally {
      await session.close();
    }
  });
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

async function observeRow(app: App, t: Target, waitMs: number | undefined, cond: WaitCondition): Promise<{ report: NodeReport; code: number; gaveUp?: string }> {
  try {
    const r = await observe(app, t, { waitMs, cond, info: true });
    return { report: nodeReport(t, r.probe, r.info), code: waitMs !== undefined && r.met ? ExitCode.OK : exitCodeFor(r.probe), gaveUp: r.gaveUp };
  } catch (err) {
    const cli = err instanceof ApiError ? await toCliError(err, t.server, 'status') : err;
    if (!(cli instanceof CliError)) throw err;
    return { report: { server: t.server.id, state: 'error', error: cli.message, ...(cli.hint ? { next: cli.hint } : {}), ...(t.pod ? { pod: podColumns(t.pod) } : {}) }, code: cli.exitCode };
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
      ['Pod', r.pod ? `${r.pod.phase}, ${r.pod.ready ? 'ready' : 'not ready'} (namespace ${r.pod.namespace})` : undefined],
      ['Error', r.error === undefined ? undefined : serverText(r.error)],
      ['Next', r.next],
    ]),
  );
}

/** One line per node, then each distinct next step once. Widths are measured before colouring. */
function renderTable(app: App, reports: NodeReport[]): void {
  const { io } = app.ctx;
  // With pods, Kubernetes' own view stands beside Pika's (the ENCRYPTION column stays second).
  const pods = reports.some((r) => r.pod);
  const header = ['NODE', 'ENCRYPTION', ...(pods ? ['PHASE', 'READY', 'ROLE'] : []), 'PRODUCT', 'ERROR'];
  const podCells = (r: NodeReport) => (pods ? [r.pod?.phase ?? '-', r.pod ? (r.pod.ready ? 'yes' : 'no') : '-', r.pod?.role ?? '-'] : []);
  const rows = reports.map((r) => [r.server, r.state, ...podCells(r), product(r) ?? '-', r.error === undefined ? '' : serverText(r.error)]);
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
