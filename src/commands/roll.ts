import type { Command } from 'commander';
import { summary } from './summaries.js';
import { typed, type OptionsOf } from './shared/typed.js';
import type { App, RunCommand } from './app.js';
import { openInvocation, type Invocation } from './shared/invocation.js';
import { readServerKey } from './shared/server-key.js';
import type { GlobalOptions } from '../globals.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import { parseDuration, formatDuration } from '../util/duration.js';
import { errorJson, jsonText } from '../output/json.js';
import { serverText } from '../output/server-text.js';
import { findLeader } from '../kube/leader.js';
import { askCluster } from './shared/auth-step.js';
import { bootSecrets } from '../kube/boot-secret.js';
import { rollOrder, rollPods, type RollEvent, type RollPod } from '../kube/roll.js';
import { choosePort, hostOf, podServer } from '../kube/targets.js';

const DEFAULT_WAIT = '5m';

/** The declaration, once: RollOptions is inferred from it. */
function declareRoll(program: Command) {
  return typed(program)
    .command('roll')
    .description(summary('roll'))
    .option('--one', 'restart one pod only (the handover check: does a restart come back unlocked?)')
    .option('--plan', 'show what would happen and change nothing')
    .option('--wait <duration>', `how long each pod may take to come back unlocked (default ${DEFAULT_WAIT})`)
    .option('--key-from <source>', 'unlock the leader (or a single replica) with this key if it comes back locked')
    .addHelpText(
      'after',
      `
Needs --kube REF (or a context with kube). One pod at a time: delete it, wait
for its replacement to be Running, then for its own key/status to be unlocked
(by the boot password PIKA_ENCRYPTION_PASSWORD, or --key-from for the leader or
a single replica: a follower cannot be unlocked over HTTP). The leader goes
last. The roll stops at the first pod that does not come back unlocked and says
where things stand; the key before the last rotation is in KEY.previous of the
boot-password Secret until \`pikactl kube secret prune\`.
With --json: one JSON object per line, the events, then the result.
Exit codes: 0 every pod back unlocked, 3 a pod stayed locked, 7 a pod did not
come back Running in time, 2 no --kube.

Examples:
  pikactl roll --kube sts/pika -n pika --plan
  pikactl roll --kube sts/pika -n pika --one   # after a rotation: one pod first
  pikactl roll --kube sts/pika -n pika --wait 10m`,
    );
}

export type RollOptions = OptionsOf<typeof declareRoll>;

export function registerRoll(program: Command, app: App, run: RunCommand<RollOptions> = runRoll): void {
  app.action(declareRoll(program), (opts, g, args) => run(app, g, opts, args));
}

export const runRoll: RunCommand<RollOptions> = async (app, g, opts) => {
  const waitMs = parseDuration(opts.wait ?? DEFAULT_WAIT, '--wait');
  const inv = await openInvocation(app, g, [{ flag: '--key-from', spec: opts.keyFrom }]);
  try {
    return await roll(app, g, inv, opts, waitMs);
  } finally {
    await inv.close();
  }
};

async function roll(app: App, g: GlobalOptions, inv: Invocation, opts: RollOptions, waitMs: number): Promise<number> {
  const { io } = app.ctx;
  const kube = inv.kube;
  if (!kube) throw usageError('roll restarts pods: it needs --kube REF', 'e.g. pikactl roll --kube sts/pika -n pika');
  if (kube.idle.length > 0) {
    const p = kube.idle[0];
    throw new CliError(
      `${p.id} is ${p.terminating ? 'being deleted' : p.phase}: roll starts only when every pod is Running`,
      {
        code: 'unreachable',
        hint: `Look at it first: kubectl describe pod ${p.name} -n ${p.namespace}`,
      },
    );
  }
  const boot = bootSecrets(inv)[0];
  if (boot) await refuseUnfinished(kube.api, kube.namespace, boot);
  const total = kube.targets.length;
  // Who leads, best effort (cluster/status needs a login): the leader goes last and may be unlocked with --key-from.
  const leader =
    total > 1 && !opts.plan
      ? await findLeader(app, inv, askCluster(app, g, inv), g.debug).catch(() => undefined)
      : undefined;
  const pods: RollPod[] = inv.targets.map((t) => ({
    facts: t.pod!,
    uid: '',
    ...(leader ? { role: t === leader ? ('leader' as const) : ('follower' as const) } : {}),
    client: async (now) => {
      // A port-forward goes by pod name; a replacement reached directly may have a new IP.
      if (kube.connect !== 'direct' || !now.ip || t.server.url.hostname === hostOf(now.ip)) return t.client;
      const { createPikaClient } = await import('../api/client.js');
      const { port, tls } = choosePort(now, inv.conn.kube?.port);
      const server = podServer(t.server.id, `${tls ? 'https' : 'http'}://${hostOf(now.ip)}:${port}`);
      const { proxy: _none, ...transport } = inv.conn.transport;
      const old = t.client;
      // The invocation closes the target's client at the end: the new one takes its place.
      t.client = createPikaClient({
        server,
        transport: { ...transport, allowHttp: transport.allowHttp || !tls },
        fetch: app.ctx.fetch,
        cookieName: g.cookieName,
      });
      await old.close().catch(() => undefined);
      return t.client;
    },
  }));
  const uids = await Promise.all(pods.map((p) => kube.api.getPod(kube.namespace, p.facts.name)));
  for (const [i, p] of pods.entries()) p.uid = uids[i]?.uid ?? '';
  const order = rollOrder(pods).slice(0, opts.one ? 1 : undefined);
  const bootText = boot
    ? `the boot password from secret/${boot.name} key ${boot.key}`
    : 'no boot password (the pod spec has no PIKA_ENCRYPTION_PASSWORD)';
  if (opts.plan) {
    const lines = order.map(
      (p, i) =>
        `  ${i + 1}. delete ${p.facts.id}${p.role ? ` (${p.role})` : ''}; wait up to ${formatDuration(waitMs)} for it to be Running and unlocked`,
    );
    if (g.json)
      io.stdout.write(
        `${jsonText({ ok: true, plan: order.map((p) => ({ pod: p.facts.id, role: p.role ?? null })), wait_ms: waitMs, boot_secret: boot ?? null, exit_code: 0 })}\n`,
      );
    else
      io.stdout.write(
        `Would roll ${order.length} of ${total} pod(s) of ${kube.what}, one at a time, unlocked by ${bootText}:\n${lines.join('\n')}\nNothing was changed.\n`,
      );
    return ExitCode.OK;
  }
  if (!boot && !opts.keyFrom)
    io.stderr.write(io.style.yellow(`Warning: the pods have no boot password: a restarted follower stays locked.\n`));
  const rolled: string[] = [];
  const spinner = g.json ? undefined : io.spinner(`Rolling ${order[0].facts.id}`);
  const emit = (e: RollEvent) => {
    if (g.json) io.stdout.write(`${jsonText(e)}\n`);
    else spinner?.update(`${e.pod}: ${e.event}${'after_ms' in e ? ` (${formatDuration(e.after_ms)})` : ''}`);
  };
  const first = inv.targets[0];
  try {
    await rollPods(
      order,
      {
        api: kube.api,
        namespace: kube.namespace,
        clock: app.ctx.clock,
        signal: app.ctx.signal,
        waitMs,
        ...(opts.keyFrom !== undefined
          ? {
              key: () =>
                readServerKey(app, g, inv, first, { spec: opts.keyFrom, flag: '--key-from', label: 'server key' }),
            }
          : {}),
        mayUnlock: (p) => total === 1 || p.role === 'leader',
        emit,
        backHint: (p) => backHint(p, rolled, order, boot, kube.namespace),
      },
      (p) => {
        rolled.push(p.facts.id);
        if (!g.json) io.stderr.write(`${p.facts.id}: restarted and unlocked (${rolled.length} of ${order.length})\n`);
      },
    );
  } catch (err) {
    spinner?.fail();
    if (!(err instanceof CliError)) throw err;
    const stopped = new CliError(err.message, {
      code: err.code,
      hint: err.hint,
      cause: err.cause,
      details: { ...(err.details ?? {}), rolled, untouched: order.slice(rolled.length + 1).map((p) => p.facts.id) },
    });
    // JSON Lines to the end: the result is one line after the events (printed here, once).
    if (!g.json) throw stopped;
    io.stdout.write(`${jsonText(errorJson(stopped))}\n`);
    return stopped.exitCode;
  }
  spinner?.stop();
  if (g.json) io.stdout.write(`${jsonText({ ok: true, rolled, exit_code: 0 })}\n`);
  else io.stdout.write(`Rolled ${rolled.length} of ${total} pod(s) of ${kube.what}: every one came back unlocked.\n`);
  return ExitCode.OK;
}

/** Exactly where things stand after a stop, and the way back (the old key is in KEY.previous). */
function backHint(
  p: RollPod,
  rolled: string[],
  order: RollPod[],
  boot: { name: string; key: string } | undefined,
  ns: string,
): string {
  const untouched = order.slice(rolled.length + 1).map((x) => x.facts.id);
  const where = `Restarted and unlocked: ${rolled.join(', ') || 'none'}. Not restarted: ${untouched.join(', ') || 'none'} (they still run as before).`;
  if (!boot)
    return `${where} The pod spec has no boot password, so a restarted follower stays locked: add PIKA_ENCRYPTION_PASSWORD from a Secret (README "Kubernetes").`;
  return (
    `${where} ${serverText(p.facts.id)} booted with secret/${boot.name} key ${boot.key} and did not unlock: that Secret does not hold the server's key. ` +
    `If the last rotation is what changed it, the key before it is still in "${boot.key}.previous"; find the server's key with pikactl recover-rotation, ` +
    `put it in "${boot.key}" (kubectl edit secret ${boot.name} -n ${ns}), then: pikactl roll --kube pod/${p.facts.name} -n ${ns}`
  );
}

async function refuseUnfinished(
  api: import('../kube/types.js').KubeApi,
  namespace: string,
  boot: { name: string; key: string },
): Promise<void> {
  const s = await api.readSecret(namespace, boot.name);
  const pending = s.data[`${boot.key}.pending`];
  if (pending !== undefined && pending !== s.data[boot.key]) {
    throw new CliError(
      `secret/${boot.name} holds "${boot.key}.pending": a rotation did not finish, so the pods would boot with an unknown key`,
      {
        code: 'needs_recovery',
        hint: 'Find out which key the server holds first: pikactl recover-rotation (then finish the Secret), and roll after that.',
      },
    );
  }
  if (s.data[boot.key] === undefined) {
    throw new CliError(`secret/${boot.name} has no key "${boot.key}": every restarted pod would come up locked`, {
      code: 'usage',
      hint: `Put the server key there first (kubectl edit secret ${boot.name} -n ${namespace}).`,
    });
  }
}
