import { dirname, isAbsolute, resolve } from 'node:path';
import type { TransportOptions } from '../transport/options.js';
import { parseServerUrl, type ServerUrl } from '../api/url.js';
import type { Context } from '../context.js';
import { usageError, type CliError } from '../errors.js';
import { GLOBAL_ENV, type GlobalOptions } from '../globals.js';
import { parseDuration } from '../util/duration.js';
import { normalizePin } from './pin.js';
import type { ConfigFile, ContextConfig } from './schema.js';

/** The transport half of a connection. */
export type ConnectionTransport = TransportOptions;

/** Where and how to connect, after flags, env vars and the chosen context are merged. */
export interface Connection {
  /** The context used, if any. */
  contextName?: string;
  servers: ServerUrl[];
  transport: ConnectionTransport;
  user?: string;
  /** The context's default key source (a spec such as "keychain"; never a secret). A --key-from flag wins. */
  keyFrom?: string;
}

export const NO_SERVER_HINT = 'Pass --server URL, set PIKA_SERVER, or save one with: pikactl context add NAME --server URL';

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
 *    mismatch). Combine both with --context NAME --server URL;
 * 3. current_context from the file.
 */
export function chooseContextName(config: ConfigFile, g: Pick<GlobalOptions, 'context' | 'servers'>): string | undefined {
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
 * The config file is read only when a context can apply, so a broken file does not
 * block `--server URL` usage.
 */
export async function resolveConnection(ctx: Context, g: GlobalOptions): Promise<Connection> {
  const needsConfig = (g.context !== undefined && g.context !== '') || g.servers.length === 0;
  const loaded = needsConfig ? await (await import('./store.js')).loadConfig(ctx) : undefined;
  const name = loaded ? chooseContextName(loaded.config, g) : undefined;
  const c: ContextConfig | undefined = name !== undefined ? loaded!.config.contexts[name] : undefined;

  const serverTexts = g.servers.length > 0 ? g.servers : (c?.servers ?? []);
  if (serverTexts.length === 0) {
    throw usageError('no server given', NO_SERVER_HINT);
  }
  const servers = dedupe(serverTexts.map((s) => parseServerUrl(s)));

  let cacert: string | undefined;
  if (g.cacert !== undefined && g.cacert !== '') cacert = resolve(ctx.cwd, g.cacert);
  // A relative path in the file is relative to the file (as in kubeconfig), not to wherever pikactl runs.
  else if (c?.cacert !== undefined) cacert = isAbsolute(c.cacert) ? c.cacert : resolve(dirname(loaded!.path), c.cacert);

  const pinFlag = g.pin !== undefined && g.pin !== '' ? g.pin : undefined;
  const pin = pinFlag !== undefined ? normalizePin(pinFlag, ctx.env[GLOBAL_ENV.pin] === pinFlag ? GLOBAL_ENV.pin : '--pin') : c?.pin;

  const timeoutMs = g.timeoutExplicit || c?.timeout === undefined ? g.timeoutMs : parseDuration(c.timeout, 'timeout');

  return {
    ...(name !== undefined ? { contextName: name } : {}),
    servers,
    transport: {
      ...(cacert !== undefined ? { cacert } : {}),
      ...(pin !== undefined ? { pin } : {}),
      // Booleans: a flag/env can turn these on; nothing on the command line turns a context's true off.
      insecure: g.insecure || c?.insecure === true,
      allowHttp: g.allowHttp || c?.allow_http === true,
      timeoutMs,
    },
    ...((g.user ?? c?.user) !== undefined ? { user: g.user ?? c?.user } : {}),
    ...(c?.key_from !== undefined ? { keyFrom: c.key_from } : {}),
  };
}

/** The same replica listed twice (e.g. by flag and env) is contacted once. */
function dedupe(servers: ServerUrl[]): ServerUrl[] {
  const seen = new Set<string>();
  return servers.filter((s) => (seen.has(s.id) ? false : (seen.add(s.id), true)));
}
