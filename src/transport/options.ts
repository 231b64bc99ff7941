import type { ServerUrl } from '../api/url.js';
import { usageError } from '../errors.js';
import type { ProxySettings } from './proxy-config.js';

/** How pikactl connects: the TLS trust decision, timeouts and caps. Built from the global flags. */
export interface TransportOptions {
  /** Path of a PEM file to trust instead of the system roots (a CA, or Pika's self-signed leaf itself). */
  cacert?: string;
  /** Required SHA-256 fingerprint of the server certificate (any case, colons/spaces allowed). */
  pin?: string;
  /** Skip certificate verification entirely (a pin, if given, is still enforced). */
  insecure: boolean;
  /** Allow plain http:// to hosts other than loopback. */
  allowHttp: boolean;
  /** Whole-request budget: connect + headers + body. */
  timeoutMs: number;
  /** Proxies that may apply (--proxy, the context, HTTPS_PROXY…); proxyFor picks per server. */
  proxy?: ProxySettings;
  /** Response bodies above this are refused (kind too_large). Default 1 MiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** One normaliser for every place a pin is typed (--pin, PIKA_TLS_PIN, contexts, trust). */
export { normalizePin } from './pin.js';

/**
 * Plain HTTP carries the passphrase and the session cookie in clear text, so it is
 * allowed only to loopback (the sandbox, an SSH tunnel) unless the operator says so.
 */
export function assertHttpAllowed(server: ServerUrl, allowHttp: boolean): void {
  if (server.url.protocol !== 'http:' || server.isLoopback || allowHttp) return;
  throw usageError(
    `refusing plain http:// to ${server.host}: the key and your session would cross the network unencrypted`,
    `Use https:// (Pika serves TLS by default), or pass --allow-http if the network path is trusted (e.g. behind a TLS-terminating gateway in the same pod).`,
  );
}

/**
 * The loud warning callers print on stderr for each https:// server when --insecure is in
 * effect. None for http://: there is no TLS to skip, so -k changes nothing there (as with
 * curl), and plainHttpWarning speaks for what plain http risks.
 */
export function insecureWarning(server: ServerUrl): string | undefined {
  if (server.url.protocol !== 'https:') return undefined;
  return (
    `WARNING: TLS certificate verification is DISABLED for ${server.id} (--insecure).\n` +
    `Anyone on the network path can impersonate the server and read the key and password you send.\n` +
    `Trust the certificate instead: --cacert FILE (Pika's tls/server.crt), --pin SHA256, or \`pikactl trust\`.`
  );
}

/**
 * Printed on stderr, like insecureWarning, for each plain-http server that is not
 * loopback when --allow-http (or a context's allow_http) let it through: the key
 * and the password then cross the network in clear text, so it must never be silent.
 */
export function plainHttpWarning(server: ServerUrl): string | undefined {
  if (server.url.protocol !== 'http:' || server.isLoopback) return undefined;
  return (
    `WARNING: plain http:// to ${server.id} (--allow-http): the key, your password and the session cross the network UNENCRYPTED.\n` +
    `Use https:// unless this path is trusted end to end (e.g. a TLS-terminating gateway in the same pod).`
  );
}
