import type { Command } from 'commander';
import { summary } from './summaries.js';
import type { App, RunCommand } from './app.js';
import { typed, checked } from './shared/typed.js';
import { openInvocation, singleTarget, type Invocation } from './shared/invocation.js';
import { mapApiErrors } from './shared/api-errors.js';
import { readServerKey } from './shared/server-key.js';
import { askCluster, authed } from './shared/auth-step.js';
import { confirmAction } from './shared/confirm.js';
import { requireSavedConfirmation, warnIfWeak } from './shared/key-safety.js';
import { observe } from './shared/observe.js';
import { narrowToLeader } from '../kube/leader.js';
import { openKubeSecret, withKubeSecret } from '../kube/boot-secret.js';
import { CliError, usageError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import { writeJson } from '../output/json.js';
import { parseDuration } from '../util/duration.js';
import { targetFlags } from '../output/target-flags.js';
import type { ServerUrl } from '../api/url.js';

interface StartOptions {
  currentKeyFrom?: string;
  newKeyFrom?: string;
  confirmSaved?: true;
  saveToKeychain?: true;
  operator?: string;
  record?: string;
  kubeSecret?: string;
}
interface AcceptOptions {
  record: string;
  yes?: true;
  keyFrom?: string;
  wait?: string;
  waitRestart: boolean;
  saveToKeychain?: true;
  operator?: string;
}
interface FinishOptions {
  record: string;
  yes?: true;
  operator?: string;
  kubeSecret?: string;
}

const DEFAULT_WAIT = '15m';

/** Who is doing this step: --operator, else $USER/$LOGNAME, else git's user.name. A name, never a secret. */
async function operatorName(app: App, given?: string): Promise<string> {
  const { defaultOperator } = await import('../handover/operator.js');
  const name = (given ?? (await defaultOperator(app.ctx))).trim();
  if (name === '' || name.length > 100 || /[\r\n]/.test(name))
    throw usageError('--operator must be a name on one line (at most 100 characters)');
  return name;
}

function done(app: App, g: GlobalOptions, json: Record<string, unknown>, text: string): number {
  if (g.json) writeJson(app.ctx.io, { ok: true, ...json, exit_code: 0 });
  else app.ctx.io.stdout.write(text);
  return 0;
}

/** Replacements for handover's three stages (parse tests): each gets the parsed options instead. */
export interface HandoverRuns {
  start: RunCommand<StartOptions>;
  accept: RunCommand<AcceptOptions>;
  finish: RunCommand<FinishOptions>;
}

export function registerHandover(program: Command, app: App, override: Partial<HandoverRuns> = {}): void {
  const handover = program
    .command('handover')
    .description(summary('handover'))
    .helpCommand(false)
    .addHelpText(
      'after',
      `
The runbook's three steps, for two people on two machines. A handover record
(JSON, plus a Markdown checklist beside it) carries who, when and which steps
are done, and never a key:
the key itself travels through your organisation's credential-transfer process.
Each step refuses to run out of order (exit 2) and names the command that comes
next.

  outgoing:  pikactl handover start --new-key-from SPEC --confirm-saved
  incoming:  pikactl handover accept --record handover-HOST-DATE.json --wait 30m
  outgoing:  pikactl handover finish --record handover-HOST-DATE.json`,
    );

  const start = typed(handover)
    .command('start')
    .description(
      'outgoing operator: check the server, rotate to a new key you pick, save it, write the handover record',
    )
    .option('--current-key-from <source>', 'the key the server runs on now (default: keychain, else asked)')
    .option('--new-key-from <source>', 'the new key (default: asked twice on the terminal)')
    .option('--confirm-saved', 'confirm the new key is saved in a password manager (required without a terminal)')
    .option(
      '--save-to-keychain',
      'also keep the new key in your OS keychain (the old one stays as server-key-previous until finish)',
    )
    .option('--operator <name>', 'your name in the record (default: $USER, else git user.name)')
    .option('--record <file>', 'where to write the record (default: ./handover-<host>-<date>.json, plus .md)')
    .option(
      '--kube-secret <name/key>',
      "the pods' boot-password Secret follows the key (old key in KEY.previous until finish)",
    );
  app.action(start, async (inferred, g, args) => {
    const opts = checked<StartOptions>()(inferred);
    if (override.start) return override.start(app, g, opts, args);
    const { ctx } = app;
    const operator = await operatorName(app, opts.operator);
    const inv = await openInvocation(app, g, [
      { flag: '--current-key-from', spec: opts.currentKeyFrom },
      { flag: '--new-key-from', spec: opts.newKeyFrom },
    ]);
    try {
      await narrowToLeader(app, inv, 'handover start', askCluster(app, g, inv));
      const t = singleTarget(inv, 'handover start');
      const { defaultRecordPath, resolveRecordPath, existingRecord, outOfOrder } = await import(
        '../handover/record.js'
      );
      const path = opts.record
        ? resolveRecordPath(ctx.cwd, opts.record)
        : defaultRecordPath(ctx.cwd, t.server.host, ctx.clock.now());
      // Only "no record there" lets start go on: a damaged or foreign file is reported, never overwritten.
      const existing = await existingRecord(path);
      if (existing) {
        const next =
          existing.rotation_may_be_half_done && existing.state === 'started'
            ? `pikactl recover-rotation ${targetFlags(existing.server)} (its rotation may be half done)`
            : nextFor(existing.state, path);
        throw outOfOrder(`a handover record already exists at ${path} (state: ${existing.state})`, next);
      }
      const { startHandover } = await import('../handover/start.js');
      const tlsPin = await certificatePin(app, inv, t.server);
      const kubeSecret = await mapApiErrors(t.server, 'handover start', () =>
        openKubeSecret(app, g, inv, opts.kubeSecret),
      );
      const { files } = await mapApiErrors(t.server, 'handover start', () =>
        startHandover({
          ...(kubeSecret
            ? { aroundSend: async (next, run) => void (await withKubeSecret(app, kubeSecret, next, run)) }
            : {}),
          ctx,
          client: t.client,
          server: t.server,
          operator,
          recordPath: path,
          ...(tlsPin !== undefined ? { tlsPin } : {}),
          saveToKeychain: Boolean(opts.saveToKeychain),
          withAuth: (fn) => authed(app, g, inv, t, 'handover start', fn),
          // Default: this server's keychain entry when there is one (said on stderr), else the prompt.
          readCurrentKey: () =>
            readServerKey(app, g, inv, t, {
              spec: opts.currentKeyFrom ?? inv.conn.keyFrom,
              flag: '--current-key-from',
              label: 'current server key',
            }),
          readNewKey: () =>
            inv.secrets.read({ spec: opts.newKeyFrom, flag: '--new-key-from', label: 'new server key', confirm: true }),
          confirmSaved: async (next) => {
            warnIfWeak(app, next);
            await requireSavedConfirmation(app, opts.confirmSaved, t.server.id);
          },
        }),
      );
      return done(
        app,
        g,
        {
          server: t.server.id,
          state: 'started',
          record: files.json,
          checklist: files.markdown,
          next: nextFor('started', files.json),
        },
        `Rotated ${t.server.id} to the new key and verified it.\n` +
          `Handover record: ${files.json} (checklist: ${files.markdown}). It holds no secret.\n` +
          `Hand the new key over through your credential-transfer process (never chat or a ticket), the record beside it.\n` +
          `The incoming operator needs their own login with settings.manage (API tokens cannot unlock).\n` +
          `Next: ${nextFor('started', files.json)}\n`,
      );
    } finally {
      await inv.close();
    }
  });

  const accept = typed(handover)
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
  app.action(accept, async (inferred, g, args) => {
    const opts = checked<AcceptOptions>()(inferred);
    if (override.accept) return override.accept(app, g, opts, args);
    const { ctx } = app;
    if (!opts.waitRestart && opts.wait !== undefined)
      throw usageError('--wait and --no-wait-restart exclude each other');
    const waitMs = opts.waitRestart ? parseDuration(opts.wait ?? DEFAULT_WAIT, '--wait') : undefined;
    const operator = await operatorName(app, opts.operator);
    const { resolveRecordPath, readRecord } = await import('../handover/record.js');
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
      await confirmRecordServer({ io: ctx.io, server: t.server, named: g.servers.length > 0, yes: Boolean(opts.yes) });
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
      return done(
        app,
        g,
        {
          server: t.server.id,
          state: 'accepted',
          record: files.json,
          checklist: files.markdown,
          next: nextFor('accepted', opts.record),
        },
        `Accepted: ${t.server.id} unlocked with the key you received and its settings open.\n` +
          `Record updated: ${files.json}. Send it back to the outgoing operator.\n` +
          `Next: ${nextFor('accepted', opts.record)}\n`,
      );
    } finally {
      await inv.close();
    }
  });

  const finish = typed(handover)
    .command('finish')
    .description('outgoing operator: check the incoming side accepted, retire the old key, close the record')
    .requiredOption('--record <file>', 'the handover record, as the incoming operator returned it')
    .option('-y, --yes', 'delete the old keychain entry without asking (required without a terminal)')
    .option('--operator <name>', 'your name in the record (default: $USER, else git user.name)')
    .option('--kube-secret <name/key>', "also drop KEY.previous (the old key) from the pods' boot-password Secret");
  app.action(finish, async (inferred, g, args) => {
    const opts = checked<FinishOptions>()(inferred);
    if (override.finish) return override.finish(app, g, opts, args);
    const { ctx } = app;
    const operator = await operatorName(app, opts.operator);
    const { resolveRecordPath, readRecord } = await import('../handover/record.js');
    const { checkFinishable, finishHandover } = await import('../handover/finish.js');
    const path = resolveRecordPath(ctx.cwd, opts.record);
    const record = await readRecord(path);
    checkFinishable(record, opts.record);
    const res = await finishHandover({
      ctx,
      operator,
      record,
      recordPath: path,
      confirmDelete: (account) =>
        confirmAction(app, {
          yes: opts.yes,
          what: 'delete the old key from the keychain',
          question: `Delete the old key's keychain entry ${account}? The new key is proven; the old one is not needed any more.`,
        }),
    });
    const pruned = opts.kubeSecret === undefined ? '' : await pruneKubeSecret(app, g, opts.kubeSecret);
    const kc = {
      deleted: `Deleted the old key from your keychain (${res.account}).`,
      absent: 'Your keychain holds no old key for this server.',
      unavailable: 'No keychain here: nothing to delete.',
    }[res.keychain];
    return done(
      app,
      g,
      {
        server: record.server,
        state: 'finished',
        record: res.files.json,
        checklist: res.files.markdown,
        keychain: res.keychain,
      },
      `${kc}\n${pruned}Now delete the OLD key's entry from your password manager: pikactl cannot reach it.\n` +
        `Handover of ${record.server} closed: ${res.files.json}\n`,
    );
  });
}

/** handover finish --kube-secret: the old key leaves the boot-password Secret too (a line for the summary). */
async function pruneKubeSecret(app: App, g: GlobalOptions, flag: string): Promise<string> {
  const { parseSecretRef } = await import('../config/kube-ref.js');
  const { openKubeApi } = await import('../kube/api.js');
  const { prunePrevious } = await import('../kube/secret-staging.js');
  const ref = parseSecretRef(flag);
  const api = await openKubeApi(app.ctx, {
    ...(g.kube.kubeconfig ? { kubeconfig: g.kube.kubeconfig } : {}),
    ...(g.kube.kubeContext ? { kubeContext: g.kube.kubeContext } : {}),
  });
  const ns = g.kube.namespace ?? api.defaultNamespace;
  const removed = await prunePrevious(api, ns, ref);
  return removed
    ? `Removed ${ref.key}.previous from secret/${ref.name} (namespace ${ns}).\n`
    : `secret/${ref.name} holds no ${ref.key}.previous.\n`;
}

function nextFor(state: 'started' | 'accepted' | 'finished', file: string): string {
  if (state === 'started')
    return `(incoming operator, after the next restart) pikactl handover accept --record ${file}`;
  if (state === 'accepted') return `(outgoing operator) pikactl handover finish --record ${file}`;
  return 'nothing: this handover is complete';
}

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

/**
 * The certificate handover start saw, for the record: the pin the outgoing operator
 * trusts, else the certificate presented now (a handshake, nothing sent). None for http.
 */
async function certificatePin(app: App, inv: Invocation, server: ServerUrl): Promise<string | undefined> {
  if (server.url.protocol !== 'https:') return undefined;
  const { normalizePin } = await import('../transport/pin.js');
  if (inv.conn.transport.pin !== undefined) return normalizePin(inv.conn.transport.pin);
  const { fetchPeerCertificate } = await import('../config/tls-probe.js');
  try {
    const cert = await fetchPeerCertificate(server, {
      timeoutMs: inv.conn.transport.timeoutMs,
      ...(app.ctx.signal ? { signal: app.ctx.signal } : {}),
    });
    return cert.fingerprintSha256;
  } catch (err) {
    // A direct handshake may fail where requests work (a proxy-only network): the record then has no pin.
    if (err instanceof CliError && err.code === 'cancelled') throw err;
    return undefined;
  }
}
