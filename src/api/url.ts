import { isIP } from 'node:net';
import { usageError } from '../errors.js';

export interface ServerUrl {
  /** Normalised origin + base path, no trailing slash: "https://pika.example:8080/pika". Used as keychain/journal identity. */
  readonly id: string;
  readonly url: URL;
  /** "" or "/something" (no trailing slash). */
  readonly basePath: string;
  readonly isLoopback: boolean;
  readonly host: string;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/**
 * Parses a server URL as operators type it. A missing scheme means https (Pika's
 * default listener speaks TLS). Query strings and fragments are refused; a path
 * is the server's base path.
 */
export function parseServerUrl(text: string): ServerUrl {
  const raw = text.trim();
  if (raw === '') throw usageError('empty server URL');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  const bare = unbracketedIpv6(withScheme);
  if (bare) throw usageError(`invalid server URL "${text}": put IPv6 addresses in brackets: ${bare}`, `Use ${bare}`);
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(
      `invalid server URL "${text}"`,
      'Use e.g. https://pika.example.com:8080 or http://127.0.0.1:8080/pika',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`unsupported scheme "${url.protocol}" in server URL`, 'Use http:// or https://');
  }
  if (url.username || url.password) {
    throw usageError('server URL must not contain credentials', 'Use --user and --password-from instead.');
  }
  if (url.search || url.hash) throw usageError('server URL must not contain a query or fragment');
  const basePath = url.pathname.replace(/\/+$/, '');
  const origin = `${url.protocol}//${url.host.toLowerCase()}`;
  return {
    id: `${origin}${basePath}`,
    url,
    basePath,
    isLoopback: LOOPBACK.test(url.hostname),
    host: url.hostname,
  };
}

/**
 * "http://::1:8080" → "http://[::1]:8080": the same URL with the IPv6 address in
 * brackets (a last group of digits after a full address is taken as the port), or
 * undefined when the host part has no bare IPv6 address.
 */
function unbracketedIpv6(withScheme: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(withScheme);
  if (!m) return undefined;
  const [, scheme, authority, rest] = m;
  if (authority.includes('[') || authority.includes('@') || (authority.match(/:/g) ?? []).length < 2) return undefined;
  const port = /^(.*):(\d{1,5})$/.exec(authority);
  if (port && isIP(port[1]) === 6) return `${scheme}[${port[1]}]:${port[2]}${rest}`;
  if (isIP(authority) === 6) return `${scheme}[${authority}]${rest}`;
  return undefined;
}

/** Joins the base path and an API path ("/api/v1/key/status"). */
export function endpoint(server: ServerUrl, path: string): string {
  return `${server.url.protocol}//${server.url.host}${server.basePath}${path}`;
}
