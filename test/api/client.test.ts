import { http, HttpResponse, delay, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPikaClient, type CreatePikaClientOptions } from '../../src/api/client.js';
import { ApiError } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError } from '../../src/errors.js';
import { Secret } from '../../src/secrets/secret.js';
import { VERSION } from '../../src/version.js';
import { rejection } from '../support/rejects.js';

const BASE = 'https://pika.test:8080/pika';
const mswServer = setupServer();
beforeAll(() => mswServer.listen({ onUnhandledRequest: 'error' }));
afterEach(() => mswServer.resetHandlers());
afterAll(() => mswServer.close());

// msw patches globalThis.fetch at listen(): resolve it per call, not at import time.
const lateFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

function client(over: Partial<CreatePikaClientOptions> = {}) {
  return createPikaClient({
    server: parseServerUrl(BASE),
    transport: { insecure: false, allowHttp: false, timeoutMs: 5_000 },
    fetch: lateFetch,
    ...over,
  });
}

const failure = (p: Promise<unknown>) => rejection(p, ApiError);

const json = (status: number, body: JsonBodyType, headers: Record<string, string> = {}) =>
  HttpResponse.json(body, { status, headers });
const on = (method: 'get' | 'post', path: string, resolver: Parameters<typeof http.get>[1]) =>
  mswServer.use(http[method](`${BASE}${path}`, resolver));

describe('requests', () => {
  it('sends Accept, User-Agent, the session cookie and the JSON body under the base path', async () => {
    let seen: { headers: Headers; body: unknown } | undefined;
    on('post', '/api/v1/key/unlock', async ({ request }) => {
      seen = { headers: request.headers, body: await request.json() };
      return json(200, { message: 'server unlocked' });
    });
    const c = client({ cookieName: 'sid' });
    c.setSession(new Secret('cookie-value-1', 'test'));
    await c.unlock(new Secret('the-key', 'test'));
    expect(seen!.body).toEqual({ key: 'the-key' });
    expect(seen!.headers.get('accept')).toBe('application/json');
    expect(seen!.headers.get('content-type')).toBe('application/json');
    expect(seen!.headers.get('user-agent')).toBe(`pikactl/${VERSION}`);
    expect(seen!.headers.get('cookie')).toBe('sid=cookie-value-1');
  });

  it('parses key status and rejects an answer without the booleans', async () => {
    on('get', '/api/v1/key/status', () => json(200, { initialized: true, unlocked: false }));
    expect(await client().keyStatus()).toEqual({ initialized: true, unlocked: false });
    on('get', '/api/v1/key/status', () => json(200, { ok: true }));
    expect((await failure(client().keyStatus())).kind).toBe('not_pika');
  });

  it('refuses plain http to a non-loopback host unless allowHttp', () => {
    const make = (allowHttp: boolean) =>
      createPikaClient({
        server: parseServerUrl('http://pika.example.com'),
        transport: { insecure: false, allowHttp, timeoutMs: 1000 },
        fetch: lateFetch,
      });
    try {
      make(false);
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).hint).toContain('--allow-http');
    }
    expect(() => make(true)).not.toThrow();
    expect(() =>
      createPikaClient({
        server: parseServerUrl('http://127.0.0.1:9'),
        transport: { insecure: false, allowHttp: false, timeoutMs: 1000 },
        fetch: lateFetch,
      }),
    ).not.toThrow();
  });
});

describe('classification of every contract shape', () => {
  it('503 + X-Pika-Locked → locked', async () => {
    on('post', '/api/v1/key/rotate', () =>
      json(
        503,
        { code: 'server_locked', message: 'Server is locked. An administrator must unlock it.' },
        { 'X-Pika-Locked': 'true' },
      ),
    );
    const e = await failure(client().rotate(new Secret('a1', 't'), new Secret('b2', 't')));
    expect(e.kind).toBe('locked');
    expect(e.serverCode).toBe('server_locked');
  });

  it.each([307, 302, 303])('%i to the base path → unauthenticated', async (status) => {
    on(
      'post',
      '/api/v1/key/lock',
      () =>
        new HttpResponse(null, {
          status,
          headers: { Location: '/pika/?redirect_path=%2Fpika%2Fapi%2Fv1%2Fkey%2Flock' },
        }),
    );
    const e = await failure(client().lock());
    expect(e.kind).toBe('unauthenticated');
    expect(e.status).toBe(status);
  });

  it('a redirect to /login under the base path → unauthenticated; elsewhere → unexpected', async () => {
    on(
      'get',
      '/api/v1/settings',
      () => new HttpResponse(null, { status: 307, headers: { Location: 'https://pika.test:8080/pika/login/info' } }),
    );
    expect((await failure(client().settings())).kind).toBe('unauthenticated');
    on('get', '/api/v1/settings', () => new HttpResponse(null, { status: 307, headers: { Location: '/' } }));
    const outside = await failure(client().settings());
    expect(outside.kind).toBe('unexpected');
    expect(outside.location).toBe('/');
    on(
      'get',
      '/api/v1/settings',
      () => new HttpResponse(null, { status: 301, headers: { Location: 'https://other.example/pika/' } }),
    );
    expect((await failure(client().settings())).kind).toBe('unexpected');
  });

  it.each([
    ['no_session', 'unauthenticated'],
    ['invalid_credentials', 'invalid_credentials'],
    ['invalid_code', 'invalid_credentials'],
    ['invalid_session', 'invalid_credentials'],
  ])('401 %s → %s', async (code, kind) => {
    on('get', '/login/me', () => json(401, { error: code, message: 'nope' }));
    const e = await failure(client().me());
    expect(e.kind).toBe(kind);
    expect(e.serverCode).toBe(code);
  });

  it.each([
    ['invalid server key: forbidden', 'wrong_key'],
    ['invalid old key: forbidden', 'wrong_key'],
    ['verifier format mismatch: forbidden', 'wrong_key'],
    ['capability "settings.manage" required: forbidden', 'forbidden'],
  ])('403 "%s" → %s', async (message, kind) => {
    on('post', '/api/v1/key/unlock', () => json(403, { message }));
    const e = await failure(client().unlock(new Secret('k1', 't')));
    expect(e.kind).toBe(kind);
    expect(e.serverMessage).toBe(message);
  });

  it.each([
    ['server is not initialized; call /api/v1/key/initialize first: bad request', 'not_initialized'],
    ['server is not initialized: bad request', 'not_initialized'],
    ['new key must differ from old key: bad request', 'bad_request'],
    ["invalid character '}'\nbad request", 'bad_request'],
  ])('400 "%s" → %s', async (message, kind) => {
    on('post', '/api/v1/key/rotate', () => json(400, { message }));
    const e = await failure(client().rotate(new Secret('a1', 't'), new Secret('b2', 't')));
    expect(e.kind).toBe(kind);
    expect(e.serverMessage).not.toContain('\n');
  });

  it('409 → already_initialized', async () => {
    on('post', '/api/v1/key/initialize', () => json(409, { message: 'server is already initialized: conflict' }));
    expect((await failure(client().initialize(new Secret('k1', 't')))).kind).toBe('already_initialized');
  });

  it('429 → rate_limited with Retry-After in seconds or as an HTTP date', async () => {
    on('post', '/api/v1/key/unlock', () =>
      json(429, { error: 'rate_limited', message: 'too many attempts; try again later' }, { 'Retry-After': '42' }),
    );
    const e = await failure(client().unlock(new Secret('k1', 't')));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(42_000);
    const at = new Date(Date.now() + 120_000).toUTCString();
    on('post', '/api/v1/key/unlock', () => json(429, { error: 'rate_limited' }, { 'Retry-After': at }));
    const d = await failure(client().unlock(new Secret('k1', 't')));
    expect(d.retryAfterMs).toBeGreaterThan(100_000);
    expect(d.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('413 → too_large, 404 → not_found', async () => {
    on('post', '/api/v1/key/unlock', () => json(413, { message: 'request body too large' }));
    expect((await failure(client().unlock(new Secret('k1', 't')))).kind).toBe('too_large');
    on('get', '/api/v1/cluster/status', () => json(404, { message: 'not found' }));
    expect((await failure(client().clusterStatus())).kind).toBe('not_found');
  });

  it('5xx JSON → server_error with request_id', async () => {
    on('post', '/api/v1/key/rotate', () =>
      json(500, { message: 'rewrap secrets failed: disk full', request_id: 'req-77' }),
    );
    const e = await failure(client().rotate(new Secret('a1', 't'), new Secret('b2', 't')));
    expect(e.kind).toBe('server_error');
    expect(e.requestId).toBe('req-77');
    expect(e.serverMessage).toBe('rewrap secrets failed: disk full');
  });

  it.each([
    [503, 'cluster: no leader available, retry shortly'],
    [502, 'cluster: leader forward failed: EOF'],
  ])('%i text/plain "cluster: …" → cluster', async (status, text) => {
    on(
      'post',
      '/api/v1/key/lock',
      () => new HttpResponse(`${text}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }),
    );
    const e = await failure(client().lock());
    expect(e.kind).toBe('cluster');
    expect(e.serverMessage).toBe(text);
  });

  it('the SPA fallback (200 text/html) where JSON was expected → not_pika', async () => {
    const page = '<!doctype html><html><body><div id="app"></div></body></html>';
    on('get', '/api/v1/info', () => HttpResponse.html(page));
    const e = await failure(client().info());
    expect(e.kind).toBe('not_pika');
    expect(e.hint).toContain('base path');
    on('get', '/login/me', () => HttpResponse.html(page));
    expect((await failure(client().me())).kind).toBe('not_pika');
    on('get', '/healthz', () => HttpResponse.html(page));
    expect((await failure(client().healthz())).kind).toBe('not_pika');
    on('post', '/api/v1/key/unlock', () => HttpResponse.html(page));
    expect((await failure(client().unlock(new Secret('k1', 't')))).kind).toBe('not_pika');
  });

  it('healthz accepts plain OK; /login/me without a subject is unauthenticated', async () => {
    on('get', '/healthz', () => HttpResponse.text('OK'));
    await client().healthz();
    on('get', '/login/me', () => json(200, {}));
    expect((await failure(client().me())).kind).toBe('unauthenticated');
  });

  it('keeps server messages short and never echoes the secrets it sent', async () => {
    on('post', '/api/v1/key/rotate', async ({ request }) => {
      const body = (await request.json()) as Record<string, string>;
      return json(500, { message: `boom ${body.current_key} / ${body.new_key} ${'x'.repeat(800)}`, request_id: 'r1' });
    });
    const e = await failure(client().rotate(new Secret('old-canary-7f3a', 't'), new Secret('new-canary-9b2c', 't')));
    const everything = `${e.message} ${e.serverMessage} ${JSON.stringify(e)} ${String(e.stack)}`;
    expect(everything).not.toContain('old-canary-7f3a');
    expect(everything).not.toContain('new-canary-9b2c');
    expect(e.serverMessage!.length).toBeLessThanOrEqual(301);
    expect(e.serverMessage).toContain('[redacted]');
  });
});

describe('login', () => {
  it('returns the session cookie as a Secret and ignores auth_success and cleared cookies', async () => {
    let body: unknown;
    on('post', '/login/pass/local', async ({ request }) => {
      body = await request.json();
      const headers = new Headers();
      headers.append('Set-Cookie', 'pika_session=; Path=/; Max-Age=0');
      headers.append('Set-Cookie', 'pika_session=abc123; Path=/; HttpOnly; SameSite=Lax');
      headers.append('Set-Cookie', 'auth_success=true; Max-Age=60');
      return HttpResponse.json({ strategy: 'local', redirect_path: '' }, { headers });
    });
    const r = await client().login('local', 'alice', new Secret('pw-1', 't'));
    expect(body).toEqual({ username: 'alice', password: 'pw-1' });
    expect(r.kind).toBe('session');
    if (r.kind !== 'session') return;
    expect(r.cookie).toBeInstanceOf(Secret);
    expect(r.cookie.reveal()).toBe('abc123');
    expect(String(r.cookie)).toBe('[redacted]');
  });

  it('uses the configured cookie name and names the cookies it saw when it is missing', async () => {
    on('post', '/login/pass/corp', () =>
      HttpResponse.json({ strategy: 'corp' }, { headers: { 'Set-Cookie': 'pika_session=zzz; Path=/' } }),
    );
    const e = await failure(client({ cookieName: 'corp_sid' }).login('corp', 'bob', new Secret('pw', 't')));
    expect(e.kind).toBe('unexpected');
    expect(e.message).toContain('corp_sid');
    expect(e.message).toContain('pika_session');
    expect(e.message).not.toContain('zzz');
    expect(e.hint).toContain('--cookie-name');
  });

  it('handles the TOTP step-up', async () => {
    const bodies: unknown[] = [];
    on('post', '/login/pass/local', async ({ request }) => {
      const b = (await request.json()) as Record<string, string>;
      bodies.push(b);
      if (b.totp_session_id === undefined) {
        return HttpResponse.json({
          phase: 'totp_required',
          totp_session_id: 'step-1',
          strategy: 'local',
          expires_in: 300,
        });
      }
      if (b.code !== '123456') return json(401, { error: 'invalid_code', message: 'invalid code' });
      return HttpResponse.json({ strategy: 'local' }, { headers: { 'Set-Cookie': 'pika_session=after-totp; Path=/' } });
    });
    const c = client();
    const first = await c.login('local', 'alice', new Secret('pw', 't'));
    expect(first.kind).toBe('totp_required');
    if (first.kind !== 'totp_required') return;
    expect(first.expiresInSeconds).toBe(300);
    expect((await failure(c.loginTotp('local', first.totpSessionId, new Secret('000000', 't')))).kind).toBe(
      'invalid_credentials',
    );
    const done = await c.loginTotp('local', first.totpSessionId, new Secret('123456', 't'));
    expect(done.kind === 'session' && done.cookie.reveal()).toBe('after-totp');
    expect(bodies[1]).toEqual({ totp_session_id: 'step-1', code: '000000' });
  });

  it('logout posts /logout and forgets the session', async () => {
    let cookie: string | null = null;
    on('post', '/logout', ({ request }) => {
      cookie = request.headers.get('cookie');
      return new HttpResponse(null, { status: 204 });
    });
    const c = client();
    c.setSession(new Secret('s1', 't'));
    await c.logout();
    // msw replays cookies from earlier mocked responses after ours (its cookie store): ours comes first.
    expect(cookie!.split('; ')[0]).toBe('pika_session=s1');
    expect(c.hasSession()).toBe(false);
  });

  it('loginInfo defaults strategies to []', async () => {
    on('get', '/login/info', () => json(200, { title: 'Pika' }));
    expect((await client().loginInfo()).strategies).toEqual([]);
  });
});

describe('limits and cancellation', () => {
  it('caps response bodies (default 1 MiB) → too_large', async () => {
    on(
      'get',
      '/api/v1/info',
      () =>
        new HttpResponse(`{"name":"${'a'.repeat(1024 * 1024 + 10)}"}`, {
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    expect((await failure(client().info())).kind).toBe('too_large');
    on('get', '/api/v1/info', () => json(200, { name: 'pika', version: 'v1', pad: 'x'.repeat(2000) }));
    expect(
      (
        await failure(
          client({ transport: { insecure: false, allowHttp: false, timeoutMs: 5000, maxBodyBytes: 1000 } }).info(),
        )
      ).kind,
    ).toBe('too_large');
  });

  it('times out → timeout', async () => {
    on('get', '/api/v1/key/status', async () => {
      await delay(2_000);
      return json(200, { initialized: true, unlocked: true });
    });
    const started = Date.now();
    const e = await failure(client({ transport: { insecure: false, allowHttp: false, timeoutMs: 200 } }).keyStatus());
    expect(e.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("the caller's signal → cancelled", async () => {
    on('get', '/api/v1/key/status', async () => {
      await delay(2_000);
      return json(200, { initialized: true, unlocked: true });
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGINT')), 50);
    expect((await failure(client().keyStatus(ac.signal))).kind).toBe('cancelled');
  });
});
