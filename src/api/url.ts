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
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`invalid server URL "${text}"`, 'Use e.g. https://pika.example.com:8080 or http://127.0.0.1:8080/pika');
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

/** Joins the base path and an API path ("/api/v1/key/status"). */
export function endpoint(server: ServerUrl, path: string): string {
  return `${server.url.protocol}//${server.url.host}${server.basePath}${path}`;
}
