import { CliError, type ErrorCode } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import { gatewayHint, gatewayPhrase } from './classify.js';
import { serverText } from '../output/server-text.js';
import type { ApiError } from './types.js';
import type { ServerUrl } from './url.js';
import { targetFlags } from '../output/target-flags.js';

/**
 * The default mapping from an API failure to what the operator sees: what failed,
 * why, what to run next, and the documented exit code. Commands that know better
 * (init's "already initialized") map those kinds themselves. Whether a failed state
 * change may have been applied (exit 8) is decided before this, in src/outcome.ts.
 */
export function apiErrorToCli(err: ApiError, server: ServerUrl, action?: string): CliError {
  const s = server.id;
  const what = action ? `${action} failed: ` : '';
  // Server-supplied parts (message, request id, Location in a summary, TLS names) go through the one renderer.
  const said = err.serverMessage ? ` (server said: ${serverText(err.serverMessage)})` : '';
  const rid = err.requestId ? ` [request_id ${serverText(err.requestId, { max: 80 })}]` : '';
  const details: Record<string, unknown> = { kind: err.kind, method: err.method, path: err.path };
  if (err.status !== undefined) details.status = err.status;
  if (err.requestId) details.request_id = err.requestId;
  if (err.retryAfterMs !== undefined) details.retry_after_ms = err.retryAfterMs;
  const mk = (message: string, code: ErrorCode, hint?: string) =>
    new CliError(`${what}${message}`, { code, hint: hint ?? err.hint, cause: err, details });
  const login = `Log in: --user NAME --password-from SPEC (or PIKA_SESSION, or \`pikactl login\`), then run the command again.`;

  switch (err.kind) {
    case 'locked':
      return mk(`${s} is locked`, 'locked', `Unlock it first: pikactl unlock ${targetFlags(server)}`);
    case 'unauthenticated':
      return mk(`not logged in or session expired on ${s}`, 'session_expired', login);
    case 'invalid_credentials':
      return mk(
        `login to ${s} was rejected: wrong user name, password or TOTP code${said}`,
        'auth',
        'Check the credentials; repeated failures are rate limited.',
      );
    case 'forbidden':
      return mk(
        `user lacks settings.manage on ${s}${said}`,
        'not_permitted',
        'Key commands need a user with the settings.manage capability (or a superadmin). API tokens can never hold it.',
      );
    case 'wrong_key':
      return mk(
        `the server rejected the key${said}`,
        'wrong_key',
        'Check which key is current (your password manager entry); nothing was changed.',
      );
    case 'not_initialized':
      return mk(
        `encryption is not initialized on ${s}`,
        'not_initialized',
        `To turn encryption on: pikactl init ${targetFlags(server)}`,
      );
    case 'already_initialized':
      return mk(
        `encryption is already initialized on ${s}`,
        'already_initialized',
        `See its state with: pikactl status ${targetFlags(server)}`,
      );
    case 'rate_limited': {
      const wait = err.retryAfterMs !== undefined ? formatDuration(err.retryAfterMs) : undefined;
      return mk(
        `rate limited by ${s}${wait ? `: retry in ${wait}` : ''}`,
        'rate_limited',
        wait
          ? `Wait ${wait} before trying again; further failures extend the lockout window.`
          : 'Wait before trying again (the window is up to 15 minutes).',
      );
    }
    case 'server_error':
      return mk(
        `the server answered HTTP ${err.status ?? '5xx'}${said}${rid}`,
        'server_error',
        `Look up the request id in the server log. Check the state with: pikactl status ${targetFlags(server)}`,
      );
    case 'gateway':
      // Whether a state change sent through it may be done is outcome.ts's call (a 5xx: maybe).
      return mk(
        `${gatewayPhrase(err.status, server)}: Pika is not reachable through the gateway`,
        'gateway',
        gatewayHint(server),
      );
    case 'cluster':
      return mk(
        `cluster forwarding failed${said}`,
        'server_error',
        'The cluster has no reachable leader right now; retry shortly.',
      );
    case 'not_pika':
    case 'not_found':
      return mk(
        `${s} did not answer like a Pika server (${err.method} ${err.path}${err.status ? ` → HTTP ${err.status}` : ''})`,
        'not_pika',
        err.hint ?? 'The URL may be wrong or missing the base path, e.g. https://host:8080/pika.',
      );
    case 'bad_request':
      return mk(`the server refused the request${said}`, 'error');
    case 'too_large':
      return mk(
        `${err.status === 413 ? 'the server refused the request as too large' : 'the answer was larger than pikactl accepts'}`,
        'error',
      );
    case 'unreachable':
      return mk(
        `cannot reach ${s}`,
        'unreachable',
        err.hint ?? `Check the URL and that the server runs: pikactl status ${targetFlags(server)} --wait 60s`,
      );
    case 'tls':
      return mk(
        `TLS check failed for ${s}: ${serverText(tlsDetail(err))}`,
        'tls',
        err.hint ?? 'Trust the certificate with --cacert FILE or --pin SHA256 (see `pikactl trust`).',
      );
    case 'timeout':
      return mk(
        `${s} did not answer in time`,
        'timeout',
        err.hint ?? 'Raise --timeout, or check that the server is responsive.',
      );
    case 'connection_lost':
      return mk(
        `the connection to ${s} dropped before an answer came`,
        'unreachable',
        `Retry, or check the server: pikactl status ${targetFlags(server)}`,
      );
    case 'cancelled':
      return mk('cancelled', 'cancelled');
    default:
      return mk(`unexpected answer from ${s}: ${serverText(err.message)}`, 'error');
  }
}

/** The part of a TLS ApiError after "METHOD /path: ". */
function tlsDetail(err: ApiError): string {
  const i = err.message.indexOf(': ');
  return i >= 0 ? err.message.slice(i + 2) : err.message;
}
