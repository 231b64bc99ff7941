import { describe, expect, it } from 'vitest';
import { newTotpSecret, totpCode } from '../../src/sandbox/index.js';
import { SandboxClient, sessionCookie, startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';

describe('login surface', () => {
  it('GET /login/info lists the local password strategy', async () => {
    const sb = await startTestSandbox();
    const r = await new SandboxClient(sb.url).call('GET', '/login/info');
    expect(r.status).toBe(200);
    expect(r.json().strategies).toEqual([
      expect.objectContaining({ name: 'local', kind: 'password', label: 'Local', url: '/login/pass/local' }),
    ]);
  });

  it('password login sets an opaque HttpOnly SameSite=Lax cookie; me, logout', async () => {
    const sb = await startTestSandbox();
    const c = new SandboxClient(sb.url);
    const r = await c.login();
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ strategy: 'local', redirect_path: '' });
    const line = r.setCookies.find((s) => s.startsWith('pika_session='))!;
    expect(line).toMatch(/^pika_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(r.setCookies.some((s) => s.startsWith('auth_success=true'))).toBe(true);
    expect(c.cookie).not.toContain(TEST_ADMIN.password);

    const me = await c.call('GET', '/login/me');
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ subject: 'admin', provider: 'local' });

    const out = await c.call('POST', '/logout');
    expect(out.status).toBe(204);
    expect(out.setCookies[0]).toMatch(/^pika_session=; Path=\/; Max-Age=0/);
    expect((await c.call('GET', '/login/me')).status).toBe(401);
    expect((await c.call('POST', '/api/v1/key/lock')).status).toBe(307);
    expect((await new SandboxClient(sb.url).call('POST', '/logout')).status).toBe(204); // idempotent, no cookie
  });

  it('rejects bad credentials, strategies, methods and bodies with ada error bodies', async () => {
    const sb = await startTestSandbox();
    const c = new SandboxClient(sb.url);
    const bad = await c.login('admin', 'wrong');
    expect(bad.status).toBe(401);
    expect(bad.json()).toEqual({ error: 'invalid_credentials', message: 'invalid credentials' });
    expect(bad.setCookies).toEqual([]);
    expect((await c.login('nobody', 'x')).json()).toMatchObject({ error: 'invalid_credentials' });

    const unknown = await c.call('POST', '/login/pass/ldap', { json: { username: 'a', password: 'b' } });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'unknown_strategy' });
    const get = await c.call('GET', '/login/pass/local');
    expect(get.status).toBe(405);
    expect(get.json()).toMatchObject({ error: 'method_not_allowed' });
    const ct = await c.call('POST', '/login/pass/local', {
      body: 'username=admin',
      headers: { 'content-type': 'text/plain' },
    });
    expect(ct.status).toBe(400);
    expect(ct.json()).toMatchObject({ error: 'bad_request' });
    const noSession = await c.call('GET', '/login/me');
    expect(noSession.json()).toEqual({ error: 'no_session', message: 'no session cookie' });
  });

  it('accepts a form body; without a JSON Accept it answers the popup HTML', async () => {
    const sb = await startTestSandbox();
    const c = new SandboxClient(sb.url);
    const form = `username=admin&password=${encodeURIComponent(TEST_ADMIN.password)}`;
    const html = await c.call('POST', '/login/pass/local?redirect_path=/x', {
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(sessionCookie(html)).toBeTruthy();
    const js = await c.call('POST', '/login/pass/local?redirect_path=%2Fx', {
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    expect(js.json()).toEqual({ strategy: 'local', redirect_path: '/x' });
  });

  it('uses the configured cookie name', async () => {
    const sb = await startTestSandbox({ cookieName: 'my_sess' });
    const c = new SandboxClient(sb.url, 'my_sess');
    const r = await c.login();
    expect(r.setCookies.some((s) => s.startsWith('my_sess='))).toBe(true);
    expect((await c.call('GET', '/api/v1/info')).json().user).toBe('admin');
  });

  it('TOTP step-up: challenge without a cookie, then the code finishes the login', async () => {
    const secret = newTotpSecret();
    const sb = await startTestSandbox({ users: [{ ...TEST_ADMIN, totpSecret: secret }] });
    const c = new SandboxClient(sb.url);
    const first = await c.login();
    expect(first.status).toBe(200);
    const challenge = first.json();
    expect(challenge).toMatchObject({ phase: 'totp_required', strategy: 'local', expires_in: 300 });
    expect(typeof challenge.totp_session_id).toBe('string');
    expect(sessionCookie(first)).toBeUndefined();

    const finish = (code: string, sid = challenge.totp_session_id) =>
      c.call('POST', '/login/pass/local', { json: { totp_session_id: sid, code } });
    const valid = new Set([-30_000, 0, 30_000].map((d) => totpCode(secret, Date.now() + d)));
    const wrong = await finish(['000000', '111111', '222222', '333333'].find((x) => !valid.has(x))!);
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_code' });
    // The step-up id is one-shot: the failed attempt consumed it.
    expect((await finish(totpCode(secret))).json()).toMatchObject({ error: 'invalid_session' });
    expect((await finish('')).status).toBe(400);

    const second = (await c.login()).json();
    const ok = await finish(totpCode(secret), second.totp_session_id);
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({ strategy: 'local', redirect_path: '' });
    c.cookie = sessionCookie(ok);
    expect((await c.call('GET', '/login/me')).json().subject).toBe('admin');
  });

  it('login guard: per-username hard limit answers 429 with Retry-After, even for the right password', async () => {
    const sb = await startTestSandbox({ rateLimit: { soft: 100, hard: 100, usernameHard: 3 } });
    const c = new SandboxClient(sb.url);
    for (let i = 0; i < 3; i++) expect((await c.login('admin', `wrong-${i}`)).status).toBe(401);
    const limited = await c.login();
    expect(limited.status).toBe(429);
    expect(limited.text).toBe('{"error":"rate_limited","message":"too many attempts; try again later"}\n');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another username is not affected by this key.
    expect((await c.login('someone-else', 'x')).status).toBe(401);
  });
});
