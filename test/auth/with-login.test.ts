import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPikaClient } from '../../src/api/client.js';
import { parseServerUrl } from '../../src/api/url.js';
import { withLogin } from '../../src/auth/with-login.js';
import type { LoginStore } from '../../src/auth/types.js';
import { CliError } from '../../src/errors.js';
import { Secret } from '../../src/secrets/secret.js';
import { testContext } from '../support/context.js';
import { apiError, FakeClient, FakeSecrets, globals } from './fakes.js';
import { rejection } from '../support/rejects.js';

const cliFailure = (p: Promise<unknown>) => rejection(p, CliError);

/** fn that fails with a 307-style "unauthenticated" the first `failures` times. */
function flaky(failures: number) {
  const state = { runs: 0 };
  const fn = async () => {
    state.runs++;
    if (state.runs <= failures) throw apiError('unauthenticated');
    return 'done';
  };
  return { state, fn };
}

describe('withLogin', () => {
  it('runs fn with the session and logs an inline session out afterwards', async () => {
    const client = new FakeClient();
    const out = await withLogin(
      testContext(),
      globals({ user: 'a' }),
      client,
      new FakeSecrets(),
      async (s) => `${s.source}:${client.session?.reveal()}`,
    );
    expect(out).toBe('login:fresh-cookie');
    expect(client.calls.at(-1)).toBe('logout');
  });

  it('passes other errors through unchanged, still logging out', async () => {
    const client = new FakeClient();
    const boom = apiError('wrong_key');
    await expect(
      withLogin(testContext(), globals({ user: 'a' }), client, new FakeSecrets(), async () => Promise.reject(boom)),
    ).rejects.toBe(boom);
    expect(client.calls.at(-1)).toBe('logout');
  });

  it('expired session without a TTY: says so and exits 4', async () => {
    const ctx = testContext({ env: { PIKA_SESSION: 'old' } });
    const { fn, state } = flaky(1);
    const e = await cliFailure(
      withLogin(ctx, globals(), new FakeClient(), new FakeSecrets(), fn, { retrySafe: true, action: 'unlock' }),
    );
    expect(e.exitCode).toBe(4);
    expect(e.code).toBe('session_expired');
    expect(e.message).toBe('unlock failed: session expired or not valid on https://pika.test:8080');
    expect(e.hint).toContain('PIKA_SESSION');
    expect(ctx.io.stderrText).toMatch(/Session expired/);
    expect(state.runs).toBe(1);
  });

  it('on a TTY, for retry-safe work: offers to log in again (default yes) and retries once', async () => {
    const ctx = testContext({
      tty: true,
      env: { PIKA_SESSION: 'old' },
      answers: [{ match: /again and retry/, answer: true }],
    });
    const client = new FakeClient();
    const { fn, state } = flaky(1);
    expect(await withLogin(ctx, globals({ user: 'alice' }), client, new FakeSecrets(), fn, { retrySafe: true })).toBe(
      'done',
    );
    expect(state.runs).toBe(2);
    expect(client.calls).toContain('login local alice');
    expect(client.calls.at(-1)).toBe('logout');
  });

  it('retries only once', async () => {
    const ctx = testContext({ tty: true, answers: [{ answer: true }] });
    const { fn, state } = flaky(5);
    const e = await cliFailure(
      withLogin(ctx, globals({ user: 'a' }), new FakeClient(), new FakeSecrets(), fn, { retrySafe: true }),
    );
    expect(e.exitCode).toBe(4);
    expect(state.runs).toBe(2);
  });

  it('never retries work that is not marked safe, even on a TTY', async () => {
    const ctx = testContext({ tty: true, answers: [] });
    const { fn, state } = flaky(1);
    const e = await cliFailure(
      withLogin(ctx, globals({ user: 'a' }), new FakeClient(), new FakeSecrets(), fn, { action: 'rotate' }),
    );
    expect(e.exitCode).toBe(4);
    expect(e.hint).toContain('not retried');
    expect(state.runs).toBe(1);
    expect(ctx.io.prompts.asked).toEqual([]);
  });

  it('answering No ends with exit 4; a stale stored session is removed', async () => {
    const removed: string[] = [];
    const loginStore: LoginStore = {
      load: async () => ({ cookie: new Secret('stale', 'keychain') }),
      remove: async (s) => {
        removed.push(s.id);
      },
    };
    const ctx = testContext({ tty: true, answers: [{ answer: false }] });
    const { fn } = flaky(1);
    const e = await cliFailure(
      withLogin(ctx, globals(), new FakeClient(), new FakeSecrets(), fn, { retrySafe: true, loginStore }),
    );
    expect(e.exitCode).toBe(4);
    expect(e.hint).toContain('pikactl login');
    expect(removed).toEqual(['https://pika.test:8080']);
  });
});

describe('withLogin over real HTTP', () => {
  let server: Server;
  let url: string;
  const log: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        log.push(`${req.method} ${req.url} cookie=${req.headers.cookie ?? '-'}`);
        const json = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        if (req.url === '/api/v1/info') return json(200, { name: 'pika', version: 'v1', local_login_name: 'local' });
        if (req.url === '/login/pass/local') {
          const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { username: string; password: string };
          if (b.username !== 'ops' || b.password !== 'pw-canary-31')
            return json(401, { error: 'invalid_credentials', message: 'invalid credentials' });
          return json(
            200,
            { strategy: 'local' },
            { 'set-cookie': ['pika_session=sess-1; Path=/; HttpOnly', 'auth_success=true; Max-Age=60'] },
          );
        }
        if (req.url === '/logout') return res.writeHead(204).end();
        if (req.url === '/api/v1/key/lock') {
          if (req.headers.cookie !== 'pika_session=sess-1')
            return res.writeHead(307, { location: '/?redirect_path=%2Fapi%2Fv1%2Fkey%2Flock' }).end();
          return json(200, { message: 'server locked' });
        }
        json(404, { message: 'not found' });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('logs in, sends the cookie, and logs out at the end', async () => {
    log.length = 0;
    const client = createPikaClient({
      server: parseServerUrl(url),
      transport: { insecure: false, allowHttp: false, timeoutMs: 5_000 },
    });
    await withLogin(testContext(), globals({ user: 'ops' }), client, new FakeSecrets(), () => client.lock());
    await client.close();
    expect(log).toEqual([
      'GET /api/v1/info cookie=-',
      'POST /login/pass/local cookie=-',
      'POST /api/v1/key/lock cookie=pika_session=sess-1',
      'POST /logout cookie=pika_session=sess-1',
    ]);
  });

  it('a bad PIKA_SESSION gets the 307 → exit 4', async () => {
    const client = createPikaClient({
      server: parseServerUrl(url),
      transport: { insecure: false, allowHttp: false, timeoutMs: 5_000 },
    });
    const e = await cliFailure(
      withLogin(
        testContext({ env: { PIKA_SESSION: 'nope' } }),
        globals(),
        client,
        new FakeSecrets(),
        () => client.lock(),
        { action: 'lock' },
      ),
    );
    await client.close();
    expect(e.exitCode).toBe(4);
  });
});
