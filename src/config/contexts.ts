import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { usageError } from '../errors.js';
import { parseSecretSpec } from '../secrets/spec.js';
import { normalizePin } from '../transport/pin.js';
import { parseProxyUrl } from '../transport/proxy-config.js';
import { parseDuration } from '../util/duration.js';
import { kubeOptionsOf, type KubeFlags } from './kube-ref.js';
import { unknownContextError } from './resolve.js';
import type { ConfigFile, ContextConfig } from './schema.js';
import { updateConfig } from './store.js';

/** The named contexts of config.json: building an entry from flags, and the edits of `pikactl context`. */

/** The global flags `context add` stores, as commander hands them to the program. */
export interface RawConnectionFlags extends KubeFlags {
  server?: string[];
  cacert?: string;
  pin?: string;
  user?: string;
  timeout?: string;
  insecure?: boolean;
  allowHttp?: boolean;
  proxy?: string;
}

type ConfigDeps = Pick<Deps, 'env' | 'homedir' | 'io' | 'signal'>;

export function requireContext(config: ConfigFile, name: string): ContextConfig {
  if (!Object.hasOwn(config.contexts, name)) throw unknownContextError(name, config);
  return config.contexts[name];
}

/** The context `context show [NAME]` shows: NAME, else --context, else the current one. */
export function contextToShow(
  config: ConfigFile,
  name: string | undefined,
): { name: string; entry: ContextConfig; current: boolean } {
  const chosen = name ?? config.current_context;
  if (chosen === undefined)
    throw usageError(
      'no context named and no current context',
      'Pass a NAME, or set one with: pikactl context use NAME',
    );
  return { name: chosen, entry: requireContext(config, chosen), current: chosen === config.current_context };
}

/** --kube and its companions as a context's kube block (validated as at load time). */
function kubeEntry(raw: RawConnectionFlags, cwd: string): ContextConfig['kube'] {
  const o = kubeOptionsOf(raw);
  if (!o) return undefined;
  return {
    ref: `${o.ref.kind}/${o.ref.name}`,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(raw.kubeContext ? { context: raw.kubeContext } : {}),
    ...(raw.kubeconfig ? { kubeconfig: resolve(cwd, raw.kubeconfig) } : {}),
    ...(raw.kubePort ? { port: raw.kubePort } : {}),
    ...(raw.kubeConnect ? { connect: raw.kubeConnect } : {}),
  };
}

/** Turns the command line into a context entry, validating every value the way load will. */
export function buildContextEntry(raw: RawConnectionFlags, keyFrom: string | undefined, cwd: string): ContextConfig {
  const servers = raw.server ?? [];
  const kube = kubeEntry(raw, cwd);
  if (kube && servers.length > 0) throw usageError('--kube and --server name the servers twice', 'Pass one of them.');
  if (servers.length === 0 && !kube)
    throw usageError(
      'context add needs at least one --server URL (or --kube REF)',
      'pikactl context add NAME --server https://pika.example:8080',
    );
  const ids: string[] = [];
  for (const s of servers) {
    const id = parseServerUrl(s).id;
    if (!ids.includes(id)) ids.push(id);
  }
  const entry: ContextConfig = { servers: ids, ...(kube ? { kube } : {}) };
  if (raw.cacert !== undefined) {
    const file = resolve(cwd, raw.cacert);
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      // reported below
    }
    if (!isFile)
      throw usageError(
        `--cacert file ${file} does not exist`,
        "Copy the server's certificate (Pika: <storage>/tls/server.crt) here first, or use pikactl trust.",
      );
    entry.cacert = file;
  }
  if (raw.pin !== undefined) entry.pin = normalizePin(raw.pin, '--pin');
  if (raw.user !== undefined) entry.user = raw.user;
  if (keyFrom !== undefined) {
    parseSecretSpec(keyFrom, '--key-from'); // the shared grammar; its errors never echo the text (it may be a passphrase)
    entry.key_from = keyFrom;
  }
  if (raw.timeout !== undefined) {
    if (parseDuration(raw.timeout, '--timeout') <= 0) throw usageError('--timeout must be greater than zero');
    entry.timeout = raw.timeout;
  }
  if (raw.insecure) entry.insecure = true;
  if (raw.allowHttp) entry.allow_http = true;
  if (raw.proxy !== undefined && raw.proxy.trim() !== '') {
    parseProxyUrl(raw.proxy, '--proxy', false);
    entry.proxy = raw.proxy.trim();
  }
  return entry;
}

export interface AddedContext {
  file: string;
  existed: boolean;
  makeCurrent: boolean;
}

/**
 * Stores an entry under its name, under the config lock (a parallel `context add` must not be
 * lost). It becomes current with `use`, or when there is no (existing) current context.
 */
export async function addContext(
  ctx: ConfigDeps,
  name: string,
  entry: ContextConfig,
  opts: { force?: boolean; use?: boolean },
): Promise<AddedContext> {
  const { file, result } = await updateConfig(ctx, (config) => {
    const existed = Object.hasOwn(config.contexts, name);
    if (existed && !opts.force) {
      throw usageError(
        `context "${name}" already exists`,
        `Pass --force to replace it, or see it with: pikactl context show ${name}`,
      );
    }
    config.contexts[name] = entry;
    const makeCurrent =
      Boolean(opts.use) ||
      config.current_context === undefined ||
      !Object.hasOwn(config.contexts, config.current_context);
    if (makeCurrent) config.current_context = name;
    return { existed, makeCurrent };
  });
  return { file, ...result };
}

/** Makes an existing context the current one; returns the config file. */
export async function useContext(ctx: ConfigDeps, name: string): Promise<string> {
  const { file } = await updateConfig(ctx, (config) => {
    requireContext(config, name);
    config.current_context = name;
  });
  return file;
}

export interface RemovedContext {
  file: string;
  wasCurrent: boolean;
  /** The current context afterwards (none when the removed one was current). */
  current?: string;
}

/** Deletes a context; the file is re-read under the lock (it may have changed while the operator answered). */
export async function removeContext(ctx: ConfigDeps, name: string): Promise<RemovedContext> {
  const { file, result } = await updateConfig(ctx, (fresh) => {
    requireContext(fresh, name);
    delete fresh.contexts[name];
    const wasCurrent = fresh.current_context === name;
    if (wasCurrent) delete fresh.current_context;
    return { wasCurrent, current: fresh.current_context };
  });
  return { file, ...result };
}
