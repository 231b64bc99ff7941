import { describe, expect, it } from 'vitest';
import { ApiError, type ApiErrorInit, type ApiErrorKind } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError } from '../../src/errors.js';
import { maybeDone, outcomeOf, sendChange } from '../../src/outcome.js';

const server = parseServerUrl('https://pika.example:8080/pika');
const api = (kind: ApiErrorKind, extra: Partial<ApiErrorInit> = {}) =>
  new ApiError(`POST /api/v1/key/rotate: ${kind}`, { kind, method: 'POST', path: '/api/v1/key/rotate', ...extra });

describe('outcomeOf: what a failed state change proves', () => {
  it.each<[string, ApiError]>([
    ['a timeout after the request was written', api('timeout', { sent: true })],
    ['a timeout where the transport cannot tell (injected fetch)', api('timeout')],
    ['a connection dropped after sending', api('connection_lost', { sent: true })],
    ['SIGINT after sending', api('cancelled', { sent: true, cause: new Error('received SIGINT') })],
    ['malformed HTTP', api('unexpected', { sent: true })],
    ['a 200 with HTML', api('not_pika', { status: 200 })],
    ['a 202 with no body', api('not_pika', { status: 202 })],
    ['a 200 over the size cap', api('too_large', { status: 200, sent: true })],
    ["Pika's 500", api('server_error', { status: 500, serverMessage: 'rewrap secrets failed' })],
    [
      '502 cluster: leader forward failed',
      api('cluster', { status: 502, serverMessage: 'cluster: leader forward failed: EOF' }),
    ],
    ["a gateway's 504", api('not_pika', { status: 504 })],
  ])('maybe_done: %s', (_name, err) => {
    expect(outcomeOf(err).outcome).toBe('maybe_done');
  });

  it.each<[string, unknown]>([
    ['connect refused', api('unreachable', { sent: false })],
    ['a TLS handshake failure', api('tls')],
    ['a timeout before the socket had the request (connect timeout)', api('timeout', { sent: false })],
    ['SIGINT before sending', api('cancelled', { sent: false })],
    ['403 wrong key', api('wrong_key', { status: 403 })],
    ['400', api('bad_request', { status: 400 })],
    ['409', api('already_initialized', { status: 409 })],
    ['429', api('rate_limited', { status: 429 })],
    ['the 503 lock gate', api('locked', { status: 503 })],
    ['307 to the login page', api('unauthenticated', { status: 307 })],
    ['413 from the server', api('too_large', { status: 413 })],
    ['503 cluster: no leader', api('cluster', { status: 503 })],
    ['a 403 HTML page from a proxy', api('not_pika', { status: 403 })],
    ['our own refusal before sending', new CliError('the new key must differ', { code: 'usage' })],
  ])('not_done: %s', (_name, err) => {
    expect(outcomeOf(err).outcome).toBe('not_done');
  });

  it('names the signal and says the request was sent', () => {
    expect(outcomeOf(api('cancelled', { sent: true, cause: new Error('received SIGTERM') })).why).toBe(
      'interrupted by SIGTERM after the request was sent',
    );
    expect(outcomeOf(api('timeout', { sent: true })).why).toMatch(/^no answer came in time after the request was sent/);
  });
});

describe('sendChange and maybeDone', () => {
  it('a timeout after sending is exit 8 with the repair command for the server named; a refusal is rethrown as it is', async () => {
    const rotate = { op: 'rotate' as const, server };
    const e = await sendChange(rotate, () => Promise.reject(api('timeout', { sent: true }))).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(8);
    expect((e as CliError).code).toBe('maybe_done');
    expect((e as CliError).hint).toContain(`pikactl recover-rotation --server ${server.id}`);
    const refused = api('wrong_key', { status: 403 });
    expect(await sendChange(rotate, () => Promise.reject(refused)).catch((x: unknown) => x)).toBe(refused);
  });

  it('init, unlock and lock send the operator to status, not recover-rotation', () => {
    for (const op of ['initialize', 'unlock', 'lock'] as const) {
      const e = maybeDone({ op, server }, 'x');
      expect(e.hint).toContain(`pikactl status --server ${server.id}`);
      expect(e.hint).not.toContain('recover-rotation');
    }
  });
});
