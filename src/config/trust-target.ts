import { dirname, resolve } from 'node:path';
import { parseServerUrl, type ServerUrl } from '../api/url.js';
import { usageError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import { NO_SERVER_HINT, unknownContextError } from './resolve.js';
import { checkContextName, isValidContextName, type ConfigFile } from './schema.js';

/** Which context receives the pin, and which servers to look at. */
export interface TrustTarget {
  name: string;
  created: boolean;
  servers: ServerUrl[];
  timeout?: string;
  /** A CA file already configured (flag, env or context): used only to say whether normal verification passes. */
  cacert?: string;
  /** The pin and proxy the context holds already (none for a new one). */
  pin?: string;
  proxy?: string;
}

type TargetFlags = Pick<GlobalOptions, 'servers' | 'context' | 'cacert'>;

/**
 * Where the pin goes (trust's help text): --context NAME, else a context listing the server,
 * else a new one named after the host. Only https servers have a certificate to trust.
 */
export function chooseTrustTarget(config: ConfigFile, configFile: string, g: TargetFlags, cwd: string): TrustTarget {
  const t = pickTarget(config, g);
  const http = t.servers.find((s) => s.url.protocol !== 'https:');
  if (http)
    throw usageError(
      `${http.id} uses plain http: there is no certificate to trust`,
      'Use the https:// URL (Pika serves TLS by default).',
    );
  const held = t.created ? undefined : config.contexts[t.name];
  const cacert = g.cacert
    ? resolve(cwd, g.cacert)
    : held?.cacert !== undefined
      ? resolve(dirname(configFile), held.cacert)
      : undefined;
  return {
    ...t,
    ...(cacert !== undefined ? { cacert } : {}),
    ...(held?.pin !== undefined ? { pin: held.pin } : {}),
    ...(held?.proxy !== undefined ? { proxy: held.proxy } : {}),
  };
}

function pickTarget(config: ConfigFile, g: TargetFlags): TrustTarget {
  const given = g.servers.map((s) => parseServerUrl(s));
  const idsOf = (name: string) => config.contexts[name].servers.map((s) => parseServerUrl(s).id);
  if (g.context) {
    const name = g.context;
    if (!Object.hasOwn(config.contexts, name)) {
      if (given.length === 0) throw unknownContextError(name, config);
      return { name: checkContextName(name), created: true, servers: given };
    }
    const ids = idsOf(name);
    const stranger = given.find((s) => !ids.includes(s.id));
    if (stranger) {
      throw usageError(
        `${stranger.id} is not a server of context ${name}`,
        `Add it first (pikactl context add ${name} --force --server ...), or leave out --server to check all of its servers.`,
      );
    }
    return {
      name,
      created: false,
      servers: given.length > 0 ? given : ids.map((s) => parseServerUrl(s)),
      timeout: config.contexts[name].timeout,
    };
  }
  if (given.length > 0) {
    const holders = Object.keys(config.contexts).filter((n) => given.every((s) => idsOf(n).includes(s.id)));
    if (holders.length > 1)
      throw usageError(`several contexts list ${given[0].id}: ${holders.join(', ')}`, 'Pick one with --context NAME.');
    if (holders.length === 1)
      return { name: holders[0], created: false, servers: given, timeout: config.contexts[holders[0]].timeout };
    const name = nameForHost(given[0].host);
    if (Object.hasOwn(config.contexts, name)) {
      throw usageError(
        `a context named ${name} already exists for other servers`,
        `Pass --context NAME to choose where the pin goes.`,
      );
    }
    return { name, created: true, servers: given };
  }
  const current = config.current_context;
  if (current === undefined)
    throw usageError('no server to trust', NO_SERVER_HINT.replace('Pass --server URL', 'Pass --server URL (https)'));
  if (!Object.hasOwn(config.contexts, current)) throw unknownContextError(current, config);
  return {
    name: current,
    created: false,
    servers: idsOf(current).map((s) => parseServerUrl(s)),
    timeout: config.contexts[current].timeout,
  };
}

/** "pika.example.com" stays; an IPv6 literal "[::1]" becomes "host-::1". */
export function nameForHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isValidContextName(bare)) return bare;
  const cleaned = `host-${bare.replace(/[^A-Za-z0-9._:-]/g, '-')}`.slice(0, 100);
  return checkContextName(cleaned);
}
