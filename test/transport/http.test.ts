import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPikaClient } from '../../src/api/client.js';
import { apiErrorToCli } from '../../src/api/errors.js';
import { ApiError } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import { Secret } from '../../src/secrets/secret.js';
import type { TransportOptions } from '../../src/transport/options.js';
import { rejection } from '../support/rejects.js';
import { freePort } from '../support/ports.js';
import { maybeDone, outcomeOf, type ChangeOp } from '../../src/outcome.js';
import type { ServerUrl } from '../../src/api/url.js';

/** What a state-changing command reports for this failure: exit 8 when it may have been applied. */
function outcomeError(e: ApiError, server: ServerUrl, op: ChangeOp) {
  const v = outcomeOf(e);
  return v.outcome === 'maybe_done' ? maybeDone({ op, server }, v.why, e) : apiErrorToCli(e, server, op);
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler;
const seen: string[] = [];
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen.length = 0;
});

function client(t: Partial<TransportOptions> = {}, path = '/pika') {
  return createPikaClient({
    server: parseServerUrl(`${origin}${path}`),
    transport: { insecure: false, allowHttp: false, timeoutMs: 5_000, ...t },
  });
}

const failure = (p: Promise<unknown>) => rejection(p, ApiError);

const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('over real undici', () => {
  it('GETs under the base path and parses JSON', async () => {
    handler = (_q, res) => sendJson(res, 200, { initialized: false, unlocked: false });
    const c = client();
    expect(await c.keyStatus()).toEqual({ initialized: false, unlocked: false });
    expect(seen).toEqual(['GET /pika/api/v1/key/status']);
    await c.close();
  });

  it('does not follow redirects: a 307 to the base path is unauthenticated, others are unexpected', async () => {
    handler = (req, res) => {
      if (req.url === '/pika/api/v1/key/lock')
        res.writeHead(307, { location: '/pika/?redirect_path=%2Fpika%2Fapi%2Fv1%2Fkey%2Flock' }).end();
      else if (req.url === '/pika/api/v1/settings') res.writeHead(302, { location: '/elsewhere' }).end();
      else sendJson(res, 200, { followed: true });
    };
    const c = client();
    expect((await failure(c.lock())).kind).toBe('unauthenticated');
    const e = await failure(c.settings());
    expect(e.kind).toBe('unexpected');
    expect(e.location).toBe('/elsewhere');
    expect(seen).toEqual(['POST /pika/api/v1/key/lock', 'GET /pika/api/v1/settings']);
    await c.close();
  });

  it('reads 503 + X-Pika-Locked and several Set-Cookie headers', async () => {
    handler = (req, res) => {
      if (req.url === '/pika/api/v1/key/rotate')
        sendJson(res, 503, { code: 'server_locked' }, { 'X-Pika-Locked': 'true' });
      else
        sendJson(
          res,
          200,
          { strategy: 'local' },
          { 'set-cookie': ['auth_success=true; Max-Age=60', 'pika_session=s-42; Path=/; HttpOnly'] },
        );
    };
    const c = client();
    expect((await failure(c.rotate(new Secret('a1', 't'), new Secret('b2', 't')))).kind).toBe('locked');
    const r = await c.login('local', 'alice', new Secret('pw', 't'));
    expect(r.kind === 'session' && r.cookie.reveal()).toBe('s-42');
    await c.close();
  });

  it('caps the response body: streamed or declared over the limit → too_large', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (let i = 0; i < 40; i++) res.write(chunk); // 2.5 MiB, chunked, no Content-Length
      res.end();
    };
    const c = client();
    expect((await failure(c.info())).kind).toBe('too_large');
    handler = (_q, res) => sendJson(res, 200, { name: 'pika', pad: 'x'.repeat(5000) });
    const small = client({ maxBodyBytes: 4096 });
    expect((await failure(small.info())).kind).toBe('too_large');
    await Promise.all([c.close(), small.close()]);
  });

  it('times out when the server never answers', async () => {
    handler = () => {};
    const c = client({ timeoutMs: 300 });
    const started = Date.now();
    const e = await failure(c.keyStatus());
    expect(e.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(apiErrorToCli(e, c.server).exitCode).toBe(7);
    await c.close();
  });

  it("stops when the caller's signal fires → cancelled (exit 130)", async () => {
    handler = () => {};
    const c = client();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGINT')), 100);
    const e = await failure(c.keyStatus(ac.signal));
    expect(e.kind).toBe('cancelled');
    expect(apiErrorToCli(e, c.server).exitCode).toBe(130);
    await c.close();
  });

  it('a socket closed after the request was sent → connection_lost, exit 8 for state changes; the key appears nowhere', async () => {
    let received = '';
    handler = (req, _res, body) => {
      received = body;
      req.socket.destroy();
    };
    const c = client();
    const e = await failure(c.rotate(new Secret('old-canary-5d1e', 't'), new Secret('new-canary-8c4f', 't')));
    expect(received).toContain('new-canary-8c4f'); // the request really went out
    expect(e.kind).toBe('connection_lost');
    expect(e.sent).toBe(true);
    const cli = outcomeError(e, c.server, 'rotate');
    expect(cli.exitCode).toBe(8);
    expect(cli.message).toMatch(/may have been applied: the connection dropped after the request was sent/);
    expect(apiErrorToCli(e, c.server, 'status').exitCode).toBe(7);
    const everything = `${inspect(e, { depth: 10 })} ${inspect(cli, { depth: 10 })} ${JSON.stringify(cli.details)}`;
    expect(everything).not.toMatch(/canary/);
    await c.close();
  });

  it('connection refused → unreachable (exit 7)', async () => {
    const port = await freePort();
    const c = createPikaClient({
      server: parseServerUrl(`http://127.0.0.1:${port}`),
      transport: { insecure: false, allowHttp: false, timeoutMs: 2_000 },
    });
    const e = await failure(c.keyStatus());
    expect(e.kind).toBe('unreachable');
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.sent).toBe(false);
    expect(outcomeOf(e).outcome).toBe('not_done');
    const cli = apiErrorToCli(e, c.server, 'unlock');
    expect(cli.exitCode).toBe(7);
    expect(cli.hint).toContain('pikactl status');
    await c.close();
  });

  it('https:// to a plain HTTP port is a tls error that suggests http://', async () => {
    handler = (_q, res) => sendJson(res, 200, {});
    const c = createPikaClient({
      server: parseServerUrl(origin.replace('http:', 'https:')),
      transport: { insecure: false, allowHttp: false, timeoutMs: 2_000 },
    });
    const e = await failure(c.keyStatus());
    expect(e.kind).toBe('tls');
    expect(e.hint).toContain('http://');
    await c.close();
  });
});
