import type { Dispatcher } from 'undici';
import { Agent, loadProxyParts } from './undici-parts.js';
import { loadCaFile, createConnector, tlsConnectOptions, withPin, type ConnectorOptions } from './tls.js';
import { normalizePin, type TransportOptions } from './options.js';
import type { ProxyChoice } from './proxy-config.js';

/**
 * The undici dispatcher for one server of one pikactl invocation. undici's `request` never
 * follows redirects (there is no redirect interceptor here), which is what the
 * auth layer needs: a 307 to the login page means "session missing or expired".
 * The per-call AbortSignal carries the overall timeout; undici's own timeouts are
 * set to the same budget as a backstop.
 * With a proxy (proxyFor's choice for this server), undici's own ProxyAgent carries the
 * requests: a CONNECT tunnel for https, inside which the TLS handshake, the CA check and
 * the pin are exactly those of a direct connection; absolute-form requests for http, as curl does.
 * Throws a usage CliError for an unreadable --cacert file or a malformed --pin.
 */
export function createDispatcher(opts: TransportOptions, proxy?: ProxyChoice): Dispatcher {
  const ca = opts.cacert !== undefined ? loadCaFile(opts.cacert) : undefined;
  const pin = opts.pin !== undefined ? normalizePin(opts.pin) : undefined;
  const trust: ConnectorOptions = { ca, pin, insecure: opts.insecure, connectTimeoutMs: opts.timeoutMs };
  const timeouts = {
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    // One operator command makes a handful of calls; short keep-alive avoids reusing a
    // socket the server already closed (which would look like a dropped connection).
    keepAliveTimeout: 2_000,
    keepAliveMaxTimeout: 10_000,
  };
  if (!proxy) return new Agent({ connect: createConnector(trust), ...timeouts });

  const { ProxyAgent, Pool, connectVia } = loadProxyParts();
  const proxyOrigin = new URL(proxy.url).origin;
  return new ProxyAgent({
    uri: proxy.url,
    requestTls: tlsConnectOptions(trust),
    proxyTls: { timeout: opts.timeoutMs },
    clientFactory: (origin, options) => connectVia(new Pool(origin, options)),
    // Only https targets are tunnelled; ProxyAgent tunnels those whatever this says.
    proxyTunnel: false,
    ...timeouts,
    // Every pool to the server gets the tunnel connector wrapped with the pin check: the
    // tunnel hands back the TLS socket to the server, whose certificate is the one pinned.
    factory: (origin, options) => {
      const { connect } = options as { connect?: unknown };
      const toServer = new URL(String(origin)).origin !== proxyOrigin;
      const wrapped =
        toServer && typeof connect === 'function'
          ? { connect: withPin(connect as Parameters<typeof withPin>[0], pin) }
          : {};
      return new Pool(origin, { ...options, ...wrapped });
    },
  });
}
