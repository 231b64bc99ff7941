import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli, type RunResult } from '../support/context.js';
import { INJECTION, startHostileServer, TERMINAL_UNSAFE, type HostileServer, type Route } from '../support/hostile.js';

/** A key with a quote and a backslash (echoed JSON-escaped, it differs from the raw value) and white space. */
const KEY = 'my "quoted" key\\with backslash';
const PASSWORD = 'login-password-echoed-later';
const SESSION = 'env-session-cookie-value-42';

/** Every form of a secret that must never reach a person. */
function forms(secret: string): string[] {
  const sha = createHash('sha256').update(secret).digest();
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    secret.replace(/\s+/g, '\n  '),
    secret.replace(/\s+/g, ''),
    sha.toString('hex'),
    sha.toString('base64url'),
  ];
}

function expectClean(r: RunResult, secrets = [KEY, PASSWORD]): void {
  const out = r.stdout + r.stderr;
  expect(out).not.toMatch(TERMINAL_UNSAFE);
  expect(out).not.toContain('\x1b');
  expect(out).not.toContain('\u009b');
  for (const s of secrets) for (const f of forms(s)) expect(out.toLowerCase()).not.toContain(f.toLowerCase());
}

function env(hs: HostileServer, extra: Record<string, string> = {}): Record<string, string> {
  return { PIKA_SERVER: hs.url, PIKA_USER: 'admin', PIKA_PASSWORD_FROM: 'env:PW', PW: PASSWORD, KEY, ...extra };
}

/** The unlock answer echoes the key (as JSON escapes it, re-spaced) and the password sent to /login earlier. */
const echoingUnlock =
  (
    status: number,
    extra: (req: { key: string; password: string }) => Partial<Record<string, unknown>> = () => ({}),
  ): Route =>
  (req, seen) => {
    const key = String(req.json?.key);
    const password = String(seen.find((s) => s.path === '/login/pass/local')?.json?.password);
    return {
      status,
      headers: { 'x-request-id': `\x9b31m${key}` },
      body: {
        message: `${INJECTION} invalid server key: forbidden; you sent ${key} (${key.replace(/ /g, '\n\t')}) after logging in with ${password}`,
        ...extra({ key, password }),
      },
    };
  };

describe('a hostile server cannot write to the terminal or learn back a secret', () => {
  it('unlock: the 403 message with control sequences and every secret echoed is escaped and redacted', async () => {
    const hs = await startHostileServer({ 'POST /api/v1/key/unlock': echoingUnlock(403) });
    const r = await runCli(['unlock', '--key-from', 'env:KEY'], { env: env(hs) });
    expect(hs.sent('POST /api/v1/key/unlock')?.key).toBe(KEY); // the key really went out, and came back
    expect(r.code).toBe(5);
    expectClean(r);
    expect(r.stderr).toContain('\\x1b]2;pwned\\x07');
    expect(r.stderr).toContain('[redacted]');
    expect(r.stderr).not.toContain('Unlocked\n');
  });

  it('unlock: the login password echoed in the unlock answer (another request) is redacted', async () => {
    const hs = await startHostileServer({
      'POST /api/v1/key/unlock': (_req, seen) => ({
        status: 403,
        body: {
          message: `invalid server key: forbidden (your password is ${String(seen.find((q) => q.path === '/login/pass/local')?.json?.password)})`,
        },
      }),
    });
    const r = await runCli(['unlock', '--key-from', 'env:KEY'], { env: env(hs) });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('(your password is [redacted])');
    expectClean(r);
  });

  it('unlock: a 500 with request_id and X-Request-Id carrying escapes and secrets', async () => {
    const hs = await startHostileServer({
      'POST /api/v1/key/unlock': echoingUnlock(500, ({ key, password }) => ({
        request_id: `${INJECTION}${password}${key}`,
      })),
    });
    const r = await runCli(['unlock', '--key-from', 'env:KEY'], { env: env(hs) });
    expect(r.code).not.toBe(0);
    expectClean(r);
    expect(r.stderr).toMatch(/request_id \\x1b\]2;pwned/);
  });

  it('unlock --json: the request id is kept whole (JSON escapes it) but redacted and capped at 4 KiB', async () => {
    const hs = await startHostileServer({
      'POST /api/v1/key/unlock': echoingUnlock(500, ({ password }) => ({
        request_id: `\x1b[2J${password}${'r'.repeat(800_000)}`,
      })),
    });
    const r = await runCli(['unlock', '--key-from', 'env:KEY', '--json'], { env: env(hs) });
    expectClean(r);
    const id: string = r.json().error.request_id;
    expect(id.startsWith('\x1b[2J[redacted]rrr')).toBe(true);
    expect(id.length).toBe(4097);
    expect(r.stdout.length).toBeLessThan(12_000);
  });

  it('a redirect whose Location carries an 8-bit CSI and the key, URL-encoded', async () => {
    const hs = await startHostileServer({
      'POST /api/v1/key/unlock': (req) => ({
        status: 302,
        headers: { location: `https://evil.example/\x9b2J?k=${encodeURIComponent(String(req.json?.key))}` },
      }),
    });
    const r = await runCli(['unlock', '--key-from', 'env:KEY'], { env: env(hs) });
    expect(r.code).not.toBe(0);
    expectClean(r);
    expect(r.stderr).toContain('evil.example/\\x9b2J?k=[redacted]');
    // --debug prints the stack and causes, whose messages carry the raw Location: rendered safe too.
    const debug = await runCli(['unlock', '--key-from', 'env:KEY', '--debug'], { env: env(hs) });
    expect(debug.stderr).toContain('Caused by: ApiError');
    expectClean(debug);
  });

  it('a session from PIKA_SESSION echoed \\u-escaped in the message and raw in request_id is redacted', async () => {
    const hs = await startHostileServer({
      'POST /api/v1/key/unlock': (req) => {
        const cookie = String(req.headers.cookie);
        return {
          status: 500,
          body: { message: `cookie ${cookie.replace(/-/g, '\\u002d')} refused`, request_id: cookie },
        };
      },
    });
    const r = await runCli(['unlock', '--key-from', 'env:KEY'], { env: { ...env(hs), PIKA_SESSION: SESSION } });
    expect(hs.requests.some((q) => q.headers.cookie?.includes(SESSION))).toBe(true);
    expect(r.code).not.toBe(0);
    expectClean(r, [KEY, SESSION]);
    expect(r.stderr).not.toContain('session\\u002dcookie');
    expect(r.stderr).toContain('request_id pika_session=[redacted]');
  });

  it('status: a hostile name and a 900 KB version are escaped and capped', async () => {
    const hs = await startHostileServer({
      'GET /api/v1/info': { body: { name: `${INJECTION}Pika`, version: `9${'9'.repeat(900_000)}` } },
      'GET /api/v1/key/status': { body: { initialized: true, unlocked: true } },
    });
    const r = await runCli(['status'], { env: { PIKA_SERVER: hs.url } });
    expect(r.code).toBe(0);
    expectClean(r);
    const product = r.stdout.split('\n').find((l) => l.startsWith('Product:'));
    expect(product).toMatch(/^Product:\s+\\x1b\]2;pwned/);
    expect(r.stdout.length).toBeLessThan(1000);
  });

  it('status --json: the version is kept (JSON-escaped) and capped at 4 KiB', async () => {
    const hs = await startHostileServer({
      'GET /api/v1/info': { body: { name: `${INJECTION}Pika`, version: 'v'.repeat(900_000) } },
    });
    const r = await runCli(['status', '--json'], { env: { PIKA_SERVER: hs.url } });
    expectClean(r);
    const j = r.json();
    expect(j.name).toBe(`${INJECTION}Pika`);
    expect(j.version).toHaveLength(4097);
  });

  it('status: an error answer with escapes and a huge request_id is one short safe line', async () => {
    const hs = await startHostileServer({
      'GET /api/v1/key/status': {
        status: 500,
        headers: { 'x-request-id': 'x' },
        body: { message: `${INJECTION}boom`, request_id: `\x1b[31m${'i'.repeat(800_000)}` },
      },
    });
    const r = await runCli(['status'], { env: { PIKA_SERVER: hs.url } });
    expectClean(r);
    expect(r.stdout.length + r.stderr.length).toBeLessThan(2000);
  });

  it('fleet table: a node whose error quotes escapes shows them escaped in its row', async () => {
    const bad = await startHostileServer({ 'POST /api/v1/key/unlock': echoingUnlock(403) });
    const good = await startHostileServer({ 'POST /api/v1/key/unlock': { body: { message: 'server unlocked' } } });
    const r = await runCli(['unlock', '--key-from', 'env:KEY', '--server', bad.url, '--server', good.url], {
      env: env(bad),
    });
    expect(r.stdout).toContain('NODE');
    expectClean(r);
  });
});
