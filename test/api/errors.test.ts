import { describe, expect, it } from 'vitest';
import { apiErrorToCli } from '../../src/api/errors.js';
import { ApiError, type ApiErrorInit, type ApiErrorKind } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';

const server = parseServerUrl('https://pika.example:8080/pika');
const err = (kind: ApiErrorKind, extra: Partial<ApiErrorInit> = {}) =>
  new ApiError(`POST /api/v1/key/unlock: ${kind}`, { kind, method: 'POST', path: '/api/v1/key/unlock', ...extra });

describe('apiErrorToCli', () => {
  it.each<[ApiErrorKind, number, string]>([
    ['locked', 3, 'locked'],
    ['unauthenticated', 4, 'session_expired'],
    ['invalid_credentials', 4, 'auth'],
    ['forbidden', 4, 'not_permitted'],
    ['wrong_key', 5, 'wrong_key'],
    ['not_initialized', 6, 'not_initialized'],
    ['already_initialized', 1, 'already_initialized'],
    ['bad_request', 1, 'error'],
    ['rate_limited', 9, 'rate_limited'],
    ['server_error', 1, 'server_error'],
    ['cluster', 1, 'server_error'],
    ['not_pika', 1, 'not_pika'],
    ['not_found', 1, 'not_pika'],
    ['too_large', 1, 'error'],
    ['unreachable', 7, 'unreachable'],
    ['tls', 7, 'tls'],
    ['timeout', 7, 'timeout'],
    ['connection_lost', 7, 'unreachable'],
    ['cancelled', 130, 'cancelled'],
    ['unexpected', 1, 'error'],
  ])('%s → exit %i (%s), with a hint naming what to do', (kind, exitCode, code) => {
    const cli = apiErrorToCli(err(kind), server, 'unlock');
    expect(cli.exitCode).toBe(exitCode);
    expect(cli.code).toBe(code);
    expect(cli.message.startsWith('unlock failed: ')).toBe(true);
    if (kind !== 'cancelled' && kind !== 'bad_request' && kind !== 'too_large' && kind !== 'unexpected')
      expect(cli.hint).toBeTruthy();
    expect(cli.details).toMatchObject({ kind });
  });

  it('tells "not logged in" apart from "lacks settings.manage"', () => {
    const a = apiErrorToCli(err('unauthenticated'), server);
    const f = apiErrorToCli(
      err('forbidden', { serverMessage: 'capability "settings.manage" required: forbidden' }),
      server,
    );
    expect(a.message).toContain('not logged in or session expired');
    expect(a.hint).toContain('--password-from');
    expect(f.message).toContain('lacks settings.manage');
    expect(f.message).not.toContain('not logged in');
  });

  it("connection_lost is exit 7 here: whether a state change may have been applied is src/outcome.ts's call", () => {
    const cli = apiErrorToCli(err('connection_lost'), server, 'status');
    expect(cli.exitCode).toBe(7);
    expect(cli.hint).toContain('pikactl status');
  });

  it('puts the retry time in the rate-limit message', () => {
    const cli = apiErrorToCli(err('rate_limited', { retryAfterMs: 90_000 }), server, 'unlock');
    expect(cli.message).toContain('retry in 1m30s');
    expect(cli.details).toMatchObject({ retry_after_ms: 90_000 });
  });

  it('names the request_id of a server error', () => {
    const cli = apiErrorToCli(
      err('server_error', { status: 500, serverMessage: 'rewrap secrets failed: x', requestId: 'req-9' }),
      server,
      'rotate',
    );
    expect(cli.message).toContain('request_id req-9');
    expect(cli.message).toContain('rewrap secrets failed');
    expect(cli.details).toMatchObject({ request_id: 'req-9', status: 500 });
  });

  it('suggests the base path when the answer was not Pika', () => {
    const cli = apiErrorToCli(err('not_found', { status: 404 }), server, 'status');
    expect(cli.hint).toMatch(/base path/);
    expect(cli.message).toContain(server.id);
  });

  it('keeps the transport hint for TLS errors', () => {
    const cli = apiErrorToCli(err('tls', { hint: 'use --cacert' }), server);
    expect(cli.hint).toBe('use --cacert');
  });
});
