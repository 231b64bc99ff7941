import { BlockList, isIP } from 'node:net';
import { usageError } from '../errors.js';
import { GLOBAL_ENV } from '../globals.js';

/** One proxy and where it was configured (for messages: "from HTTPS_PROXY"). */
export interface ProxyChoice {
  /** Full URL as given (may hold credentials when it came from an env var: never print it). */
  url: string;
  /** The proxy's origin without credentials, for messages. */
  shown: string;
  from: string;
}

/** The proxies that may apply to this invocation; which one a server gets is proxyFor's decision. */
export interface ProxySettings {
  https?: ProxyChoice;
  http?: ProxyChoice;
  /** NO_PROXY / no_proxy entries, lower case, trimmed. */
  noProxy: string[];
  noProxyFrom?: string;
}

type Env = Record<string, string | undefined>;

/** curl's order: the lower-case name first (curl reads only http_proxy; HTTP_PROXY is accepted too, as kubectl and gh do). */
function fromEnv(env: Env, names: string[]): { value: string; name: string } | undefined {
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return { value: v, name };
  }
  return undefined;
}

/**
 * Parses a proxy URL as curl does: no scheme means http://. Only http:// and https://
 * proxies (CONNECT tunnels for https targets). Credentials are allowed in env vars
 * (curl's habit) but not on the command line or in the config file, which never hold a secret.
 */
export function parseProxyUrl(text: string, from: string, credentialsAllowed: boolean): ProxyChoice {
  const raw = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`invalid proxy URL in ${from}`, 'Use e.g. http://proxy.example:3128');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(
      `unsupported proxy scheme "${url.protocol}" in ${from}`,
      'pikactl speaks to http:// and https:// proxies (CONNECT for https servers).',
    );
  }
  if ((url.username || url.password) && !credentialsAllowed) {
    throw usageError(
      `${from} must not contain credentials`,
      'pikactl never takes a secret on the command line or in its config file: put the proxy URL with credentials in HTTPS_PROXY instead.',
    );
  }
  return { url: url.href, shown: `${url.protocol}//${url.host}`, from };
}

/**
 * Which proxies apply, by precedence: --proxy, PIKA_PROXY, the context's `proxy`, then
 * HTTPS_PROXY / HTTP_PROXY. An explicit proxy serves both schemes (curl's -x); `--proxy ""`
 * turns every proxy off (curl's rule). NO_PROXY applies to all of them, as in curl.
 * Undefined when no proxy is configured. `flag` is the --proxy typed on the command line.
 */
export function resolveProxy(
  env: Env,
  flag: string | undefined,
  contextProxy: string | undefined,
): ProxySettings | undefined {
  if (flag !== undefined && flag.trim() === '') return undefined;
  const np = fromEnv(env, ['no_proxy', 'NO_PROXY']);
  const noProxy = (np?.value ?? '')
    .split(/[\s,]+/)
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  const base = { noProxy, ...(np ? { noProxyFrom: np.name } : {}) };
  const explicit = flag !== undefined ? { value: flag, name: '--proxy' } : fromEnv(env, [GLOBAL_ENV.proxy]);
  if (explicit) {
    const p = parseProxyUrl(explicit.value, explicit.name, explicit.name !== '--proxy');
    return { ...base, https: p, http: p };
  }
  if (contextProxy !== undefined) {
    const p = parseProxyUrl(contextProxy, "the context's proxy", false);
    return { ...base, https: p, http: p };
  }
  const https = fromEnv(env, ['https_proxy', 'HTTPS_PROXY']);
  const http = fromEnv(env, ['http_proxy', 'HTTP_PROXY']);
  if (!https && !http) return undefined;
  return {
    ...base,
    ...(https ? { https: parseProxyUrl(https.value, https.name, true) } : {}),
    ...(http ? { http: parseProxyUrl(http.value, http.name, true) } : {}),
  };
}

const LOOPBACK = /^(localhost|.+\.localhost|127(?:\.\d{1,3}){3}|::1)$/i;
const defaultPort = (protocol: string) => (protocol === 'https:' ? '443' : '80');

/**
 * NO_PROXY as curl (7.86+) reads it: `*`, a host, a domain suffix (".example.com" or
 * "example.com"), optionally host:port. A server given by IP address matches only an
 * address or a CIDR block of its family (`10.0.0.0/8`, `::1/128`, `[fd00::]/8`), never a
 * suffix: "2.3" is no domain of 10.1.2.3.
 */
export function bypassed(noProxy: string[], target: URL): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = target.port || defaultPort(target.protocol);
  const family = isIP(host);
  return noProxy.some((entry) => {
    if (entry === '*') return true;
    let name = entry;
    let entryPort: string | undefined;
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+):(\d+)$/.exec(entry);
    if (m) {
      name = m[1];
      entryPort = m[2];
    }
    if (entryPort !== undefined && entryPort !== port) return false;
    if (family === 4 || family === 6) return inBlock(host, family, name);
    name = name.replace(/^\*?\./, '');
    return host === name || host.endsWith(`.${name}`);
  });
}

/**
 * Whether an IP-literal host lies in an entry's address or CIDR block. Unlike curl, which
 * reads "/0" as "this address only", a /0 block is the whole family, as CIDR means it.
 * An entry of the other family, a bad prefix or no address at all matches nothing.
 */
function inBlock(host: string, family: 4 | 6, entry: string): boolean {
  const m = /^\[?([^\]/]+)\]?(?:\/(\d{1,3}))?$/.exec(entry);
  if (!m || isIP(m[1]) !== family) return false;
  const max = family === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (prefix > max) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(m[1], prefix, type);
  return block.check(host, type);
}

/** The proxy for one server, or undefined for a direct connection. Loopback is always direct. */
export function proxyFor(settings: ProxySettings | undefined, target: URL): ProxyChoice | undefined {
  if (!settings) return undefined;
  if (LOOPBACK.test(target.hostname.replace(/^\[|\]$/g, ''))) return undefined;
  const choice = target.protocol === 'https:' ? settings.https : settings.http;
  if (!choice || bypassed(settings.noProxy, target)) return undefined;
  return choice;
}
