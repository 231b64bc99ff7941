import { Option, type Command } from 'commander';
import type { App } from './app.js';
import { mapApiErrors, openSession, type Target } from './target.js';
import { ExitCode, usageError } from '../errors.js';
import { meets, probeNode, tryInfo, WAIT_CONDITIONS, type Probe, type WaitCondition } from '../ops/probe.js';
import { pollUntil } from '../ops/wait.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { writeJson } from '../output/json.js';
import { colorState, fields, NEXT_STEP } from '../output/status.js';
import { ApiError, type ServerInfo } from '../api/types.js';

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
  state: Probe['state'];
  initialized?: boolean;
  unlocked?: boolean;
  name?: string;
  version?: string;
  error?: string;
  next?: string;
}

/** Probe (and optionally wait on) one node; never throws for waitable conditions. */
export async function observe(app: App, t: Target, opts: { waitMs?: number; cond: WaitCondition }): Promise<{ probe: Probe; info?: ServerInfo; met: boolean }> {
  const { ctx } = app;
  const probe = () => probeNode(t.client, ctx.signal);
  let result: Probe;
  if (opts.waitMs !== undefined) {
    const spinner = ctx.io.spinner(`waiting for ${t.server.id} to be ${opts.cond}`);
    try {
      const outcome = await pollUntil(probe, (p) => meets(p, opts.cond), { clock: ctx.clock, timeoutMs: opts.waitMs, signal: ctx.signal });
      result = outcome.done ? outcome.value : outcome.last;
    } finally {
      spinner.stop();
    }
  } else {
    result = await probe();
  }
  const info = result.state === 'unreachable' ? undefined : await tryInfo(t.client, ctx.signal);
  return { probe: result, info, met: meets(result, opts.cond) };
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
  const extra = e.requestId ? ` (request_id ${e.requestId})` : '';
  return `${e.serverMessage ?? e.message}${extra}`;
}

export function registerStatus(program: Command, app: App): void {
  const cmd = program
    .command('status')
    .description('show whether the server is reachable, and whether its encryption is off, locked or unlocked (no login needed)')
    .option('--wait <duration>', 'poll until the --for condition holds (through restarts and refused connections)')
    .addOption(new Option('--for <condition>', 'condition to wait for; "unlocked" means serving (unlocked, or encryption off)').choices([...WAIT_CONDITIONS]))
    .addHelpText(
      'after',
      `
Exit codes: 0 serving (unlocked or encryption off), 3 locked, 7 unreachable, 8 settings unreadable.
With --wait: 0 when the condition holds in time, else the code of the last state seen.

Examples:
  pikactl status --server https://pika.example:8080
  pikactl status --wait 5m --for unlocked --json`,
    );
  app.action<StatusOptions>(cmd, async (opts, g) => {
    if (opts.for && opts.wait === undefined) throw usageError('--for needs --wait', 'e.g. pikactl status --wait 2m --for unlocked');
    const waitMs = opts.wait === undefined ? undefined : parseDuration(opts.wait, '--wait');
    const cond: WaitCondition = opts.for ?? (waitMs === undefined ? 'unlocked' : 'reachable');
    const session = await openSession(app, g);
    try {
      const results = await Promise.all(session.targets.map(async (t) => ({ t, ...(await mapApiErrors(t.server, 'status', () => observe(app, t, { waitMs, cond }))) })));
      const reports = results.map((r) => nodeReport(r.t, r.probe, r.info));
      const codes = results.map((r) => (waitMs !== undefined && r.met ? ExitCode.OK : exitCodeFor(r.probe)));
      const code = combineCodes(codes);
      if (g.json) {
        writeJson(app.ctx.io, reports.length === 1 ? { ok: code === 0, ...reports[0], exit_code: code } : { ok: code === 0, nodes: reports, exit_code: code });
      } else {
        renderHuman(app, results, reports);
        if (waitMs !== undefined && codes.some((c) => c !== 0)) {
          app.ctx.io.stderr.write(`Condition "${cond}" not met within ${formatDuration(waitMs)}.\n`);
        }
      }
      return code;
    } finally {
      await session.close();
    }
  });
}

/** Fleet rule: 0 if all 0; 8 (partly) if some 0; else the worst single code. */
export function combineCodes(codes: number[]): number {
  if (codes.every((c) => c === 0)) return 0;
  if (codes.length > 1 && codes.some((c) => c === 0)) return ExitCode.NEEDS_RECOVERY;
  return Math.max(...codes);
}

function renderHuman(app: App, results: Array<{ t: Target; probe: Probe; info?: ServerInfo }>, reports: NodeReport[]): void {
  const { io } = app.ctx;
  reports.forEach((r, i) => {
    if (i > 0) io.stdout.write('\n');
    const product = r.name ? `${r.name} ${r.version ?? ''}`.trim() : undefined;
    io.stdout.write(
      fields([
        ['Server', r.server],
        ['Product', product],
        ['Encryption', colorState(io.style, results[i].probe.state)],
        ['Error', r.error],
        ['Next', r.next],
      ]),
    );
  });
}

