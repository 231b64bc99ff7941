import { describe, expect, it } from 'vitest';
import { adminClient, SandboxClient, startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';

describe('HTTP surface', () => {
  it('base path: everything under it, a root /healthz, redirects and login URLs carry it', async () => {
    const sb = await startTestSandbox({ basePath: '/pika/' });
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pika$/);
    expect(sb.basePath).toBe('/pika');
    const root = new SandboxClient(sb.origin);
    const anon = new SandboxClient(sb.url);
    expect((await anon.call('GET', '/healthz')).text).toBe('OK');
    const rootHealth = await root.call('GET', '/healthz');
    expect(rootHealth.status).toBe(200);
    expect(rootHealth.text).toBe('OK');
    expect(rootHealth.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await anon.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: false, unlocked: false });
    expect((await root.call('GET', '/api/v1/key/status')).status).toBe(404);
    expect((await anon.call('GET', '/login/info')).json().strategies[0].url).toBe('/pika/login/pass/local');

    const r = await anon.call('POST', '/api/v1/key/unlock?x=1', { json: { key: 'k' } });
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe('/pika/?redirect_path=%2Fpika%2Fapi%2Fv1%2Fkey%2Funlock%3Fx%3D1');

    const admin = await adminClient(sb);
    expect((await admin.call('POST', '/api/v1/key/initialize', { json: { key: 'k' } })).status).toBe(200);
    await admin.call('POST', '/api/v1/key/lock');
    expect((await anon.call('GET', '/data/x')).status).toBe(503);
    expect((await root.call('GET', '/data/x')).status).toBe(404); // outside the base path: not gated, not served
  });

  it('unknown GETs get the HTML app shell with 200; other methods 404/405', async () => {
    const sb = await startTestSandbox();
    const anon = new SandboxClient(sb.url);
    for (const path of ['/', '/some/page', '/api/v1/me', '/api/v1/key/unlock', '/api/v1/nothing-here']) {
      const r = await anon.call('GET', path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(r.text).toMatch(/^<!doctype html>/);
      expect(() => JSON.parse(r.text)).toThrow();
    }
    const post = await anon.call('POST', '/api/v1/key/status');
    expect(post.status).toBe(405);
    expect((await anon.call('POST', '/nope')).status).toBe(404);
  });

  it('a GET redirect carries Go’s small HTML body', async () => {
    const sb = await startTestSandbox();
    const r = await new SandboxClient(sb.url).call('GET', '/api/v1/settings');
    expect(r.status).toBe(307);
    expect(r.text).toBe('<a href="/?redirect_path=%2Fapi%2Fv1%2Fsettings">Temporary Redirect</a>.\n\n');
  });

  it('/api/v1/info: anonymous, admin, and a user without settings.manage', async () => {
    const sb = await startTestSandbox({
      users: [{ ...TEST_ADMIN }, { username: 'viewer', password: 'viewer-pw', permissions: ['files.read'] }],
    });
    const anon = await new SandboxClient(sb.url).call('GET', '/api/v1/info');
    expect(anon.json()).toMatchObject({
      name: 'pika',
      version: 'v0.0.0',
      permissions: [],
      is_superadmin: false,
      local_login_name: 'local',
      auth_enabled: true,
    });
    expect(anon.json().user).toBeUndefined();
    expect(anon.json().capabilities.map((c: { key: string }) => c.key)).toContain('settings.manage');
    const admin = await adminClient(sb);
    expect((await admin.call('GET', '/api/v1/info')).json()).toMatchObject({
      user: 'admin',
      is_superadmin: true,
      permissions: expect.arrayContaining(['settings.manage']),
    });
    const viewer = new SandboxClient(sb.url);
    await viewer.login('viewer', 'viewer-pw');
    const vi = (await viewer.call('GET', '/api/v1/info')).json();
    expect(vi).toMatchObject({ user: 'viewer', is_superadmin: false, permissions: ['files.read'] });
    expect((await viewer.call('GET', '/api/v1/cluster/status')).status).toBe(403);
    expect((await viewer.call('GET', '/api/v1/tls/status')).status).toBe(403);
  });

  it('cluster status is standalone; tls status off on plain HTTP', async () => {
    const sb = await startTestSandbox();
    const admin = await adminClient(sb);
    expect((await admin.call('GET', '/api/v1/cluster/status')).json()).toMatchObject({
      enabled: false,
      role: 'standalone',
      is_leader: true,
      nodes: [],
    });
    expect((await admin.call('GET', '/api/v1/tls/status')).json()).toEqual({
      process_enabled: false,
      https_enabled: false,
      plain_http_enabled: true,
      certificate: { loaded: false },
    });
    expect((await new SandboxClient(sb.url).call('GET', '/api/v1/cluster/status')).status).toBe(307);
  });

  it('request ids: honoured when sent, generated otherwise', async () => {
    const sb = await startTestSandbox();
    const anon = new SandboxClient(sb.url);
    expect(
      (await anon.call('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id'),
    ).toBe('abc-123');
    const a = (await anon.call('GET', '/healthz')).headers.get('x-request-id');
    const b = (await anon.call('GET', '/healthz')).headers.get('x-request-id');
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
  });

  it('caps request bodies with 413 {"message":"request body too large"}', async () => {
    const sb = await startTestSandbox({ maxBodyBytes: 1024 });
    const admin = await adminClient(sb);
    const r = await admin.call('POST', '/api/v1/key/initialize', { json: { key: 'x'.repeat(2000) } });
    expect(r.status).toBe(413);
    expect(r.json()).toEqual({ message: 'request body too large' });
    expect((await admin.call('POST', '/api/v1/key/initialize', { json: { key: 'small' } })).status).toBe(200);
  });
});
