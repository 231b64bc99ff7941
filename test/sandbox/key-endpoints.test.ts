import { describe, expect, it } from 'vitest';
import { adminClient, SandboxClient, startTestSandbox, TEST_ADMIN, type TestSandbox } from '../support/sandbox.js';

const K1 = 'first-key';
const VIEWER = { username: 'viewer', password: 'viewer-password', permissions: ['files.read'], superadmin: false };
const CAP_403 = { message: 'capability "settings.manage" required: forbidden' };

async function withViewer(): Promise<{
  sb: TestSandbox;
  admin: SandboxClient;
  viewer: SandboxClient;
  anon: SandboxClient;
}> {
  const sb = await startTestSandbox({ users: [{ ...TEST_ADMIN }, VIEWER] });
  const admin = await adminClient(sb);
  const viewer = new SandboxClient(sb.url);
  expect((await viewer.login(VIEWER.username, VIEWER.password)).status).toBe(200);
  return { sb, admin, viewer, anon: new SandboxClient(sb.url) };
}

const KEY_POSTS = [
  ['/api/v1/key/initialize', { key: K1 }],
  ['/api/v1/key/unlock', { key: K1 }],
  ['/api/v1/key/lock', undefined],
  ['/api/v1/key/rotate', { current_key: K1, new_key: 'k2' }],
] as const;

describe('key endpoints: every status code of the contract', () => {
  it('307 to {base}/?redirect_path=… without a session; an unknown cookie is cleared too', async () => {
    const { anon, sb } = await withViewer();
    for (const [path, body] of KEY_POSTS) {
      const r = await anon.call('POST', path, { json: body });
      expect(r.status, path).toBe(307);
      expect(r.headers.get('location')).toBe(`/?redirect_path=${encodeURIComponent(path)}`);
      expect(r.setCookies).toEqual([]);
    }
    const bogus = new SandboxClient(sb.url);
    bogus.cookie = 'not-a-session';
    const r = await bogus.call('POST', '/api/v1/key/unlock', { json: { key: K1 } });
    expect(r.status).toBe(307);
    expect(r.setCookies).toEqual(['pika_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax']);
  });

  it('403 capability for a user without settings.manage, on every key action', async () => {
    const { viewer } = await withViewer();
    for (const [path, body] of KEY_POSTS) {
      const r = await viewer.call('POST', path, { json: body });
      expect(r.status, path).toBe(403);
      expect(r.json()).toEqual(CAP_403);
    }
    expect((await viewer.call('GET', '/api/v1/settings')).json()).toEqual(CAP_403);
  });

  it('fresh install: unlock/rotate 400 not initialized, lock 200 changing nothing, bad bodies 400', async () => {
    const { admin, anon } = await withViewer();
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: K1 } })).json()).toEqual({
      message: 'server is not initialized; call /api/v1/key/initialize first: bad request',
    });
    const rot = await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: 'a', new_key: 'b' } });
    expect(rot.status).toBe(400);
    expect(rot.json()).toEqual({ message: 'server is not initialized: bad request' });
    const lock = await admin.call('POST', '/api/v1/key/lock');
    expect(lock.status).toBe(200);
    expect((await anon.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: false, unlocked: false });
    expect((await admin.call('GET', '/api/v1/settings')).status).toBe(200); // nothing gated

    for (const path of ['/api/v1/key/initialize', '/api/v1/key/unlock']) {
      const empty = await admin.call('POST', path, { json: { key: '' } });
      expect(empty.status, path).toBe(400);
      expect(empty.json()).toEqual({ message: 'key is required: bad request' });
      const missing = await admin.call('POST', path, { json: {} });
      expect(missing.json()).toEqual({ message: 'key is required: bad request' });
      const broken = await admin.call('POST', path, {
        body: '{"key":',
        headers: { 'content-type': 'application/json' },
      });
      expect(broken.status).toBe(400);
      expect(broken.json().message).toMatch(/\nbad request$/);
      const typed = await admin.call('POST', path, { json: { key: 42 } });
      expect(typed.status).toBe(400);
      expect(typed.json().message).toMatch(/cannot unmarshal number .*\nbad request$/);
    }
    for (const body of [{ current_key: '', new_key: 'x' }, { current_key: 'x' }, {}]) {
      expect((await admin.call('POST', '/api/v1/key/rotate', { json: body })).json()).toEqual({
        message: 'old and new keys are required: bad request',
      });
    }
  });

  it('initialized and unlocked: 409 initialize, 400 identical keys, 403 wrong old key, 200 rotate', async () => {
    const { admin } = await withViewer();
    expect((await admin.call('POST', '/api/v1/key/initialize', { json: { key: K1 } })).status).toBe(200);
    const again = await admin.call('POST', '/api/v1/key/initialize', { json: { key: K1 } });
    expect(again.status).toBe(409);
    expect(again.json()).toEqual({ message: 'server is already initialized: conflict' });
    const same = await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: K1, new_key: K1 } });
    expect(same.status).toBe(400);
    expect(same.json()).toEqual({ message: 'new key must differ from old key: bad request' });
    const wrongOld = await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: 'wrong', new_key: 'k2' } });
    expect(wrongOld.status).toBe(403);
    expect(wrongOld.json()).toEqual({ message: 'invalid old key: forbidden' });
    // The failed rotation changed nothing: K1 still unlocks.
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: K1 } })).status).toBe(200);
    expect((await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: K1, new_key: 'k2' } })).status).toBe(
      200,
    );
  });

  it('locked: 503 for initialize, lock, rotate, even anonymous; unlock and status still answer', async () => {
    let { sb } = await withViewer();
    const admin0 = await adminClient(sb);
    await admin0.call('POST', '/api/v1/key/initialize', { json: { key: K1 } });
    sb = await sb.restart();
    const anon = new SandboxClient(sb.url);
    for (const [path, body] of KEY_POSTS.filter(([p]) => !p.endsWith('unlock'))) {
      const r = await anon.call('POST', path, { json: body });
      expect(r.status, path).toBe(503);
      expect(r.headers.get('x-pika-locked')).toBe('true');
    }
    // unlock is allowlisted: the auth layer answers (307), not the gate.
    expect((await anon.call('POST', '/api/v1/key/unlock', { json: { key: K1 } })).status).toBe(307);
    const viewer = new SandboxClient(sb.url);
    await viewer.login(VIEWER.username, VIEWER.password);
    expect((await viewer.call('POST', '/api/v1/key/unlock', { json: { key: K1 } })).json()).toEqual(CAP_403);
    const status = await anon.call('GET', '/api/v1/key/status');
    expect(status.status).toBe(200);
    expect(status.json()).toEqual({ initialized: true, unlocked: false });
  });

  it('an expired session gets 307 and a cleared cookie; /login/me says no_session', async () => {
    const sb = await startTestSandbox({ sessionTtlMs: 150 });
    const admin = await adminClient(sb);
    expect((await admin.call('GET', '/login/me')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 250));
    const r = await admin.call('POST', '/api/v1/key/initialize', { json: { key: K1 } });
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe('/?redirect_path=%2Fapi%2Fv1%2Fkey%2Finitialize');
    expect(r.setCookies[0]).toMatch(/^pika_session=; Path=\/; Max-Age=0/);
    const me = await admin.call('GET', '/login/me');
    expect(me.status).toBe(401);
    expect(me.json()).toMatchObject({ error: 'no_session' });
  });
});
