import type { Command } from 'commander';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';
import { openInvocation, singleTarget, type Invocation } from './shared/invocation.js';
import { mapApiErrors } from './shared/api-errors.js';
import { authed } from './shared/auth-step.js';
import { observe } from './shared/observe.js';
import { usageError } from '../errors.js';
import { reportStage } from '../handover/render.js';
import { parseDuration } from '../util/duration.js';

const DEFAULT_WAIT = '15m';

/** `handover accept` (incoming operator), declared once: HandoverAcceptOptions is inferred from it. */
function declareHandoverAccept(handover: Command) {
  return typed(handover)
    .command('accept')
    .description(
      'incoming operator: wait for the restart, unlock with the key you received, check the settings, confirm in the record',
    )
    .requiredOption('--record <file>', 'the handover record from the outgoing operator')
    .option('--key-from <source>', 'the key you received (default: asked)')
    .option('--wait <duration>', `how long to wait for the restart (status goes locked; default ${DEFAULT_WAIT})`)
    .option('--no-wait-restart', 'the server was restarted already: do not wait for it to go locked')
    .option('--save-to-keychain', 'store the key in your OS keychain (server-key entry for this server)')
    .option('-y, --yes', 'with --server: skip typing the host name (without a terminal, --server alone is enough)')
    .option('--operator <name>', 'your name in the record (default: $USER, else git user.name)')
    .addHelpText(
      'after',
      `
accept shows the record's server and certificate pin and sends nothing until
you confirm it: type the host name on a terminal; without one, pass --server
with the record's server (--yes only together with --server). A record for
another server than --server or --context is refused, and so is a pin other
than the one you trust (--pin, context).`,
    );
}

export type HandoverAcceptOptions = OptionsOf<typeof declareHandoverAccept>;

export function registerHandoverAccept(
  handover: Command,
  app: App,
  run: RunCommand<HandoverAcceptOptions> = runHandoverAccept,
): void {
  app.action(declareHandoverAccept(handover), (opts, g, args) => run(app, g, opts, args));
}

export const runHandoverAccept: RunCommand<HandoverAcceptOptions> = async (app, g, opts) => {
  const { ctx } = app;
  if (!opts.waitRestart && opts.wait !== undefined) throw usageError('--wait and --no-wait-restart exclude each other');
  const waitMs = opts.waitRestart ? parseDuration(opts.wait ?? DEFAULT_WAIT, '--wait') : undefined;
  const { operatorName } = await import('../handover/operator.js');
  const operator = await operatorName(ctx, opts.operator);
  const { resolveRecordPath, readRecord, nextStep } = await import('../handover/record.js');
  const { acceptHandover, checkAcceptable } = await import('../handover/accept.js');
  const { checkPin, confirmRecordServer, describeRecord, recordPin, recordServer } = await import(
    '../handover/check.js'
  );
  const path = resolveRecordPath(ctx.cwd, opts.record);
  const record = await readRecord(path);
  checkAcceptable(record, opts.record);
  const recorded = recordServer(record, path);
  const pin = recordPin(record, path);
  // The record names the server; --server / --context only add how to reach it (CA, pin).
  const inv = await openInvocation(app, g.servers.length || g.context ? g : { ...g, servers: [recorded.id] }, [
    { flag: '--key-from', spec: opts.keyFrom },
  ]);
  try {
    const t = recordTarget(inv, recorded.id, g.context);
    // Checked, not trusted: nothing is sent before the operator confirmed where it goes.
    checkPin(pin, inv.conn.transport.pin, t.server);
    ctx.io.stderr.write(describeRecord(record, t.server, pin));
    await confirmRecordServer({
      io: ctx.io,
      server: t.server,
      named: g.servers.length > 0,
      yes: Boolean(opts.yes),
      secrets: app.secretsRead,
    });
    const { files } = await mapApiErrors(t.server, 'handover accept', () =>
      acceptHandover({
        ctx,
        client: t.client,
        server: t.server,
        operator,
        record,
        recordPath: path,
        waitMs,
        saveToKeychain: Boolean(opts.saveToKeychain),
        waitForLocked: (ms) => observe(app, t, { waitMs: ms, cond: 'locked' }),
        withAuth: (fn) => authed(app, g, inv, t, 'handover accept', fn),
        readKey: () =>
          inv.secrets.read({
            spec: opts.keyFrom,
            flag: '--key-from',
            label: 'new server key (received from the outgoing operator)',
            keychainDefault: 'server-key',
          }),
      }),
    );
    const next = nextStep('accepted', opts.record);
    reportStage(ctx.io, g.json, {
      server: t.server.id,
      state: 'accepted',
      files,
      fields: { next },
      text:
        `Accepted: ${t.server.id} unlocked with the key you received and its settings open.\n` +
        `Record updated: ${files.json}. Send it back to the outgoing operator.\n` +
        `Next: ${next}\n`,
    });
    return 0;
  } finally {
    await inv.close();
  }
};

/** The one server of the record: a different --server or context would hand over the wrong server's key. */
function recordTarget(inv: Invocation, server: string, context?: string) {
  const t = singleTarget(inv, 'handover accept');
  if (t.server.id !== server) {
    const by =
      inv.conn.contextName !== undefined && context
        ? `context "${inv.conn.contextName}" points at`
        : 'the command points at';
    throw usageError(
      `the record is for ${server}, but ${by} ${t.server.id}; nothing was sent`,
      `Check the record with the outgoing operator. If it is right: pass --server ${server}.`,
    );
  }
  return t;
}
