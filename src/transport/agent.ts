import { Agent } from './undici-parts.js';
import { loadCaFile, createConnector } from './tls.js';
import { normalizePin, type TransportOptions } from './options.js';

/**
 * The undici dispatcher for one pikactl invocation. undici's `request` never
 * follows redirects (there is no redirect interceptor here), which is what the
 * auth layer needs: a 307 to the login page means "session missing or expired".
 * The per-call AbortSignal carries the overall timeout; undici's own timeouts are
 * set to the same budget as a backstop.
 * Throws a usage CliError for an unreadable --cacert file or a malformed --pin.
 */
export function createDispatcher(opts: TransportOptions): Agent {
  const ca = opts.cacert !== undefined ? loadCaFile(opts.cacert) : undefined;
  const pin = opts.pin !== undefined ? normalizePin(opts.pin) : undefined;
  return new Agent({
    connect: createConnector({ ca, pin, insecure: opts.insecure, connectTimeoutMs: opts.timeoutMs }),
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    // One operator command makes a handful of calls; short keep-alive avoids reusing a
    // socket the server already closed (which would look like a dropped connection).
    keepAliveTimeout: 2_000,
    keepAliveMaxTimeout: 10_000,
  });
}
