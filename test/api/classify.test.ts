import { describe, expect, it } from 'vitest';
import { checkResponse, type Exchange } from '../../src/api/classify.js';
import { apiErrorToCli } from '../../src/api/errors.js';
import { ApiError, type PikaClient } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import { keyStatusErrorState, observeNode } from '../../src/ops/observe.js';
import { rotationUncertainty } from '../../src/ops/rotation.js';
import { isTransient } from '../../src/fleet/ops.js';
import { CliError } from '../../src/errors.js';
import { outcomeOf } from '../../src/outcome.js';
import type { RawResponse } from '../../src/transport/http.js';

/**
 * Who answered: Pika's own error shapes (shared/pika-api.md §2) against what a proxy,
 * ingress or load balancer in front of it sends (HTML, empty, someone else's JSON).
 */
const server = parseServerUrl('https://pika.test:8080/pika');
const ex = (path = '/api/v1/key/status', method = 'GET'): Exchange => ({
  method,
  path,
  server,
  expectJson: true,
  secrets: [],
});

function raw(status: number, body: string, headers: Record<string, string> = {}): RawResponse {
  const h = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, header: (n) => h.get(n.toLowerCase()), setCookies: [], body: Buffer.from(body) };
}

function classify(res: RawResponse, exchange = ex()): ApiError {
  try {
    checkResponse(res, exchange);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const HTML = { 'content-type': 'text/html' };
const JSON_CT = { 'content-type': 'application/json' };

describe('a gateway in front of Pika', () => {
  it('an nginx HTML 502 is the gateway, named with its real status and reason', () => {
    const e = classify(raw(502, NGINX_502, HTML));
    expect(e.kind).toBe('gateway');
    expect(e.status).toBe(502);
    expect(e.message).toContain('502 Bad Gateway from the proxy in front of https://pika.test:8080/pika');
    const cli = apiErrorToCli(e, server, 'status');
    expect(cli.code).toBe('gateway');
    expect(cli.exitCode).toBe(7);
    expect(cli.message).toContain('502 Bad Gateway from the proxy in front of https://pika.test:8080/pika');
    expect(cli.message).not.toMatch(/HTTP 500|recover/);
    expect(cli.hint).toContain('--wait');
    expect(keyStatusErrorState(e)).toBe('unreachable');
  });

  it.each([
    ['an empty 503', raw(503, '')],
    ['an empty 504', raw(504, '', { 'content-type': 'text/plain' })],
    ['a foreign JSON 500', raw(500, '{"detail":"x"}', JSON_CT)],
    ['a foreign JSON 503 with an unrelated "code"', raw(503, '{"code":"maintenance","detail":"back soon"}', JSON_CT)],
    ['an HTML maintenance page (503)', raw(503, '<!doctype html><title>Maintenance</title><p>back soon</p>', HTML)],
    ['a 429 HTML page from a gateway', raw(429, '<html><body>Too many requests</body></html>', HTML)],
    ['an empty 429 with Retry-After', raw(429, '', { 'retry-after': '3' })],
  ])('%s is the gateway, never Pika settings that do not decrypt', (_what, res) => {
    const e = classify(res);
    expect(e.kind).toBe('gateway');
    expect(keyStatusErrorState(e)).toBe('unreachable');
    const cli = apiErrorToCli(e, server, 'unlock');
    expect(cli.exitCode).toBe(7);
    expect(cli.message).toContain(`${res.status} `);
    expect(cli.message).toContain('from the proxy in front of');
  });

  it('a rolling restart behind a gateway is waited through by the fleet code too', () => {
    const e = classify(raw(502, NGINX_502, HTML), ex('/api/v1/key/unlock', 'POST'));
    expect(isTransient(e)).toBe(true);
    expect(isTransient(new CliError('login failed', { code: 'gateway', cause: e }))).toBe(true);
    expect(isTransient(classify(raw(429, '{"error":"rate_limited","message":"slow down"}', JSON_CT)))).toBe(false);
  });

  it('a gateway 5xx on a state change may have reached Pika: maybe done (exit 8); its 429 did not', () => {
    const e504 = classify(raw(504, '<html>504 Gateway Time-out</html>', HTML), ex('/api/v1/key/rotate', 'POST'));
    expect(e504.message).toContain('504 Gateway Timeout from the proxy');
    expect(outcomeOf(e504).outcome).toBe('maybe_done');
    expect(outcomeOf(e504).why).toContain('gateway');
    const e503 = classify(
      raw(503, 'upstream connect error or disconnect/reset before headers', { 'content-type': 'text/plain' }),
      ex('/api/v1/key/rotate', 'POST'),
    );
    expect(e503.kind).toBe('gateway');
    expect(outcomeOf(e503).outcome).toBe('maybe_done');
    expect(rotationUncertainty(e504)).toContain('answered HTTP 504');
    const e429 = classify(raw(429, '', HTML), ex('/api/v1/key/rotate', 'POST'));
    expect(apiErrorToCli(e429, server, 'rotate').code).toBe('gateway');
    expect(outcomeOf(e429).outcome).toBe('not_done');
    expect(rotationUncertainty(e429)).toBeUndefined();
  });
});

/** observeNode over a client whose key/status answers `res` (the one reading every command uses). */
async function probeOf(res: RawResponse) {
  const client = { keyStatus: async () => checkResponse(res, ex()).json } as unknown as PikaClient;
  return observeNode(client);
}

describe("Pika's own answers against the gateway's", () => {
  it("a JSON 500: Pika's (message, request_id) means unreadable settings; a foreign one is the gateway", async () => {
    const pika = raw(
      500,
      '{"message":"read settings: open sealed: chacha20poly1305: message authentication failed","request_id":"req-5"}',
      JSON_CT,
    );
    const e = classify(pika);
    expect(e.kind).toBe('server_error');
    expect(e.requestId).toBe('req-5');
    expect((await probeOf(pika)).state).toBe('unreadable');
    const foreign = await probeOf(raw(500, '{"detail":"x"}', JSON_CT));
    expect(foreign.state).toBe('unreachable');
    expect(foreign.error?.kind).toBe('gateway');
  });

  it("a 429: Pika's JSON is a rate limit (exit 9), a gateway's page is waited through (exit 7)", () => {
    const e = classify(
      raw(429, '{"error":"rate_limited","message":"too many attempts; try again later"}', {
        ...JSON_CT,
        'retry-after': '42',
      }),
      ex('/api/v1/key/unlock', 'POST'),
    );
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(42_000);
    expect(apiErrorToCli(e, server, 'unlock').exitCode).toBe(9);
    const g = classify(
      raw(429, '<html><body><h1>429 Too Many Requests</h1></body></html>', HTML),
      ex('/api/v1/key/unlock', 'POST'),
    );
    expect(g.kind).toBe('gateway');
    expect(apiErrorToCli(g, server, 'unlock').message).toContain('429 Too Many Requests from the proxy in front of');
  });

  it('the lock gate 503 on key/status is "locked" (initialized, not unlocked), not "unreachable"', async () => {
    const gate = raw(503, '{"code":"server_locked","message":"Server is locked. An administrator must unlock it."}', {
      ...JSON_CT,
      'x-pika-locked': 'true',
    });
    expect(classify(gate).kind).toBe('locked');
    expect(await probeOf(gate)).toEqual({ state: 'locked', status: { initialized: true, unlocked: false } });
    // The header alone (a proxy that rewrote the body) is still Pika's gate.
    expect(
      (await probeOf(raw(503, '<html>Service Unavailable</html>', { ...HTML, 'x-pika-locked': 'true' }))).state,
    ).toBe('locked');
  });

  it("Pika's other 5xx on key/status (cluster text, a 503 'try later') are waited through, not 'unreadable'", async () => {
    const c = raw(502, 'cluster: leader forward failed: EOF\n', { 'content-type': 'text/plain; charset=utf-8' });
    expect(classify(c).kind).toBe('cluster');
    expect((await probeOf(c)).state).toBe('unreachable');
    const busy = raw(503, '{"error":"rate_limit_unavailable","message":"rate limit store unavailable"}', JSON_CT);
    expect(classify(busy).kind).toBe('server_error');
    expect((await probeOf(busy)).state).toBe('unreachable');
  });
});
