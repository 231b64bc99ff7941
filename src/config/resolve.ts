import { dirname, isAbsolute, resolve } from 'node:path';
import type { TransportOptions } from '../transport/options.js';
import { parseServerUrl, type ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError, usageError } from '../errors.js';
import { GLOBAL_ENV, type GlobalOptions } from '../globals.js';
import { parseDuration } from '../util/duration.js';
import { normalizePin } from '../transport/pin.js';
import { kubeFlagsOf, type ConfigFile, type ContextConfig } from './schema.js';
import type { LoadedConfig } from './store.js';
import { resolveProxy } from '../transport/proxy-config.js';
import { rememberTargetFlags } from './target-flags.js';
import { kubeOptionsOf, type KubeOptions } from './kube-ref.js';

/** The transport half of a connection. */
export type ConnectionTransport = TransportOptions;

/** Where and how to connect, after flags, env vars and the chosen context are merged. */
export interface Connection {
  /** The context used, if any. */
  contextName?: string;
  /** No context applied, but this one holds the --server URL(s) and lent its trust (see contextHolding). */
  trustFrom?: string;
  servers: ServerUrl[];
  transport: ConnectionTransport;
  user?: string;
  /** The context's default key source (a spec such as "keychain"; never a secret). A --key-from flag wins. */
  keyFrom?: string;
  /** The servers are pods found through the Kubernetes API (--kube, or the context's kube block); servers is then empty. */
  kube?: KubeOptions;
}

export const NO_SERVER_HINT =
  'Pass --server URL, set PIKA_SERVER, or save one with: pikactl context add NAME --server URL';

export function unknownContextError(name: string, config: ConfigFile): CliError {
  const known = Object.keys(config.contexts);
  return usageError(
    `no context named "${name}"`,
    known.length > 0
      ? `Known contexts: ${known.join(', ')}. Add one with: pikactl context add ${name} --server URL`
      : `There are no contexts yet. Add one with: pikactl context add ${name} --server URL`,
  );
}

/**
 * Which context applies, by precedence:
 * 1. --context NAME / PIKACTL_CONTEXT (an unknown name is a usage error);
 * 2. none, when servers came from --server / PIKA_SERVER: a server named on the
 *    command line is not silently given another server's pin, CA or user
 *    (kubectl would merge; for a TLS pin that would turn into a confusing
 *    mismatch). Combine both with --context NAME --server URL. The trust of a
 *    context that lists that very server still applies (contextHolding);
 * 3. current_context from the file.
 */
export function chooseContextName(
  config: ConfigFile,
  g: Pick<GlobalOptions, 'context' | 'servers'>,
): string | undefined {
  if (g.context !== undefined && g.context !== '') {
    if (!Object.hasOwn(config.contexts, g.context)) throw unknownContextError(g.context, config);
    return g.context;
  }
  if (g.servers.length > 0) return undefined;
  const current = config.current_context;
  if (current === undefined) return undefined;
  if (!Object.hasOwn(config.contexts, current)) {
    throw usageError(
      `the current context "${current}" is not defined in the config file`,
      `Pick another with: pikactl context use NAME (known: ${Object.keys(config.contexts).join(', ') || 'none'})`,
    );
  }
  return current;
}

/**
 * Merges flags > env vars > context values into a Connection. GlobalOptions
 * already holds flags merged over env vars; only the timeout needs to know
 * whether it was set explicitly (it has a default).
 *
 * Trust follows the URL: `--server URL` (or PIKA_SERVER) without --context takes the
 * connection settings (pin, cacert, insecure, allow_http, timeout, proxy) of the context
 * that holds that server, so `pikactl trust` pins once and every `--server URL` after it
 * works. Not the user or key_from: those say who acts, and a context is chosen for them
 * with --context. See contextHolding for which context that is.
 * A broken config file does not block `--server URL`: it is named on stderr and no
 * context's trust applies (fail closed: verification stays on, no pin is borrowed).
 */
export async function resolveConnection(ctx: Deps, g: GlobalOptions): Promise<Connection> {
  const explicit = g.context !== undefined && g.context !== '';
  // --kube names the servers as --server does: no context applies unless --context says so.
  const named = g.kube.kube !== undefined && g.kube.kube !== '' ? [g.kube.kube] : g.servers;
  const loaded = await loadFor(ctx, explicit || named.length === 0);
  const name = loaded ? chooseContextName(loaded.config, { context: g.context, servers: named }) : undefined;

  // --kube wins over a context's servers (the flags are merged over the context's kube block).
  const kube = kubeOptionsOf({
    ...(g.servers.length === 0 && name !== undefined ? kubeFlagsOf(loaded!.config.contexts[name].kube) : {}),
    ...g.kube,
  });
  if (kube && g.servers.length > 0) throw usageError('--kube and --server name the servers twice', 'Pass one of them.');
  const serverTexts = kube
    ? []
    : g.servers.length > 0
      ? g.servers
      : name !== undefined
        ? loaded!.config.contexts[name].servers
        : [];
  if (serverTexts.length === 0 && !kube) {
    throw usageError('no server given', NO_SERVER_HINT);
  }
  const servers = dedupe(serverTexts.map((s) => parseServerUrl(s)));
  const trustFrom = name === undefined && loaded && servers.length > 0 ? contextHolding(loaded, servers) : undefined;
  const c: ContextConfig | undefined =
    name !== undefined
      ? loaded!.config.contexts[name]
      : trustFrom !== undefined
        ? loaded!.config.contexts[trustFrom]
        : undefined;

  let cacert: string | undefined;
  if (g.cacert !== undefined && g.cacert !== '') cacert = resolve(ctx.cwd, g.cacert);
  else if (c?.cacert !== undefined) cacert = contextCacert(c.cacert, loaded!.path);

  const pinFlag = g.pin !== undefined && g.pin !== '' ? g.pin : undefined;
  const pin =
    pinFlag !== undefined
      ? normalizePin(pinFlag, ctx.env[GLOBAL_ENV.pin] === pinFlag ? GLOBAL_ENV.pin : '--pin')
      : c?.pin;

  const timeoutMs = g.timeoutExplicit || c?.timeout === undefined ? g.timeoutMs : parseDuration(c.timeout, 'timeout');
  const proxy = resolveProxy(ctx.env, g.typed.proxy, c?.proxy);
  const user = g.user ?? (name !== undefined ? c?.user : undefined);

  const conn: Connection = {
    ...(name !== undefined ? { contextName: name } : {}),
    ...(trustFrom !== undefined ? { trustFrom } : {}),
    servers,
    transport: {
      ...(cacert !== undefined ? { cacert } : {}),
      ...(pin !== undefined ? { pin } : {}),
      // Booleans: a flag/env can turn these on; nothing on the command line turns a context's true off.
      insecure: g.insecure || c?.insecure === true,
      allowHttp: g.allowHttp || c?.allow_http === true,
      timeoutMs,
      ...(proxy !== undefined ? { proxy } : {}),
    },
    ...(user !== undefined ? { user } : {}),
    ...(name !== undefined && c?.key_from !== undefined ? { keyFrom: c.key_from } : {}),
    ...(kube ? { kube } : {}),
  };
  rememberTargetFlags(conn, g, ctx.cwd);
  return conn;
}

/** The config, when a context can apply; undefined when none can (or the file is broken and none was asked for). */
async function loadFor(ctx: Deps, required: boolean): Promise<LoadedConfig | undefined> {
  const { loadConfig } = await import('./store.js');
  if (required) return loadConfig(ctx);
  try {
    return await loadConfig(ctx);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    ctx.io.stderr.write(`Warning: ${err.message}; no context's trust applies to --server (fix the file to use it).\n`);
    return undefined;
  }
}

// A relative path in the file is relative to the file (as in kubeconfig), not to wherever pikactl runs.
const contextCacert = (cacert: string, file: string) => (isAbsolute(cacert) ? cacert : resolve(dirname(file), cacert));

/**
 * The context whose trust a `--server` list gets: one that holds every server named (a
 * context's pin is never lent to a server it does not list). Several such contexts with the
 * same trust are one answer; with different trust the current context wins if it is one of
 * them, otherwise it is a usage error naming them (guessing could pick the wrong pin or
 * turn on --insecure). None holding them all: no context applies.
 */
export function contextHolding(loaded: LoadedConfig, servers: ServerUrl[]): string | undefined {
  const { config } = loaded;
  const ids = servers.map((s) => s.id);
  const holders = Object.keys(config.contexts)
    .filter((n) => {
      const own = new Set(config.contexts[n].servers.map((s) => parseServerUrl(s).id));
      return ids.every((id) => own.has(id));
    })
    .sort();
  if (holders.length <= 1) return holders[0];
  const trustOf = (n: string) => {
    const c = config.contexts[n];
    return JSON.stringify([
      c.pin,
      c.cacert && contextCacert(c.cacert, loaded.path),
      !!c.insecure,
      !!c.allow_http,
      c.timeout,
      c.proxy,
    ]);
  };
  if (holders.every((n) => trustOf(n) === trustOf(holders[0]))) return holders[0];
  if (config.current_context !== undefined && holders.includes(config.current_context)) return config.current_context;
  throw usageError(
    `${ids.join(', ')} ${ids.length > 1 ? 'are' : 'is'} in contexts ${holders.map((n) => `"${n}"`).join(' and ')}, with different TLS trust or settings`,
    `Say which one applies: --context ${holders[0]} (or --context ${holders[1]}), or give the trust flags yourself (--cacert FILE / --pin SHA256).`,
  );
}

/** The same replica listed twice (e.g. by flag and env) is contacted once. */
function dedupe(servers: ServerUrl[]): ServerUrl[] {
  const seen = new Set<string>();
  return servers.filter((s) => (seen.has(s.id) ? false : (seen.add(s.id), true)));
}
