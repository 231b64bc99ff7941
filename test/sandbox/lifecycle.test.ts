import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminClient, SandboxClient, startTestSandbox } from '../support/sandbox.js';

const K1 = 'correct-horse-battery-staple';
const K2 = 'a-brand-new-passphrase-2';

const LOCKED = { code: 'server_locked', message: 'Server is locked. An administrator must unlock it.' };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** No file in the data dir may hold the passphrase or its SHA-256 (hex, base64 or raw bytes). */
function expectKeyNowhere(dataDir: string, passphrase: string): void {
  const digest = createHash('sha256').update(passphrase).digest();
  const needles = [
    Buffer.from(passphrase),
    digest,
    Buffer.from(digest.toString('hex')),
    Buffer.from(digest.toString('hex').toUpperCase()),
    Buffer.from(digest.toString('base64')),
  ];
  const files = filesUnder(dataDir);
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const content = readFileSync(f);
    for (const n of needles) expect(content.includes(n), `${f} contains key material`).toBe(false);
  }
}

describe('sandbox lifecycle over real HTTP', () => {
  it('fresh → initialize → restart (locked) → unlock → lock → rotate → restart needs the new key', async () => {
    let sb = await startTestSandbox();
    const anon = new SandboxClient(sb.url);
    let admin = await adminClient(sb);

    // Fresh install: encryption off, nothing gated, secrets in plaintext-at-rest mode.
    expect((await anon.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: false, unlocked: false });
    const fresh = await admin.call('GET', '/api/v1/settings');
    expect(fresh.status).toBe(200);
    expect(fresh.json().encryption_verifier).toBeUndefined();
    expect(JSON.parse(readFileSync(join(sb.dataDir, 'settings.json'), 'utf8')).plain_secrets).toBeDefined();

    const init = await admin.call('POST', '/api/v1/key/initialize', { json: { key: K1 } });
    expect(init.status).toBe(200);
    expect(init.json()).toEqual({ message: 'server initialized and unlocked' });
    expect((await anon.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: true });
    const row = JSON.parse(readFileSync(join(sb.dataDir, 'settings.json'), 'utf8'));
    expect(row.plain_secrets).toBeUndefined(); // re-sealed by initialize
    expect(typeof row.sensitive_payload).toBe('string');
    expectKeyNowhere(sb.dataDir, K1);

    // Restart: locked; the old session is gone (sessions are in memory).
    sb = await sb.restart();
    const anon2 = new SandboxClient(sb.url);
    expect((await anon2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: false });
    for (const path of ['/api/v1/settings', '/data/x', '/api/v1/cluster/status']) {
      const r = await anon2.call('GET', path);
      expect(r.status, path).toBe(503);
      expect(r.headers.get('x-pika-locked')).toBe('true');
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.json()).toEqual(LOCKED);
    }
    expect((await anon2.call('GET', '/api/v1/info')).status).toBe(200);
    expect((await anon2.call('GET', '/healthz')).text).toBe('OK');
    expect((await anon2.call('GET', '/login/info')).status).toBe(200);
    const stale = new SandboxClient(sb.url);
    stale.cookie = admin.cookie;
    const r307 = await stale.call('POST', '/api/v1/key/unlock', { json: { key: K1 } });
    expect(r307.status).toBe(307);
    expect(r307.setCookies.some((c) => c.startsWith('pika_session=;') && c.includes('Max-Age=0'))).toBe(true);

    admin = await adminClient(sb);
    for (const [path, body] of [
      ['/api/v1/key/initialize', { key: K1 }],
      ['/api/v1/key/lock', undefined],
      ['/api/v1/key/rotate', { current_key: K1, new_key: K2 }],
    ] as const) {
      const r = await admin.call('POST', path, { json: body });
      expect(r.status, path).toBe(503);
      expect(r.json()).toEqual(LOCKED);
    }

    const wrong = await admin.call('POST', '/api/v1/key/unlock', { json: { key: 'not-the-key' } });
    expect(wrong.status).toBe(403);
    expect(wrong.json()).toEqual({ message: 'invalid server key: forbidden' });
    expect((await anon2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: false });

    const right = await admin.call('POST', '/api/v1/key/unlock', { json: { key: K1 } });
    expect(right.status).toBe(200);
    expect(right.json()).toEqual({ message: 'server unlocked' });
    const settings = await admin.call('GET', '/api/v1/settings');
    expect(settings.status).toBe(200);
    expect(settings.json().mounts[0].password_set).toBe(true);

    // Idempotent unlock; a wrong key while unlocked does not lock.
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: K1 } })).status).toBe(200);
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: 'nope' } })).status).toBe(403);
    expect((await anon2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: true });

    expect((await admin.call('POST', '/api/v1/key/lock')).json()).toEqual({ message: 'server locked' });
    expect((await anon2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: false });
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: K1 } })).status).toBe(200);

    const rot = await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: K1, new_key: K2 } });
    expect(rot.status).toBe(200);
    expect(rot.json()).toEqual({ message: 'server key rotated' });
    expect((await anon2.call('GET', '/api/v1/key/status')).json()).toEqual({ initialized: true, unlocked: true });
    expect((await admin.call('GET', '/api/v1/settings')).status).toBe(200);

    // Restart: only the new key unlocks, and the secrets open under it.
    sb = await sb.restart();
    admin = await adminClient(sb);
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: K1 } })).status).toBe(403);
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: K2 } })).status).toBe(200);
    const after = await admin.call('GET', '/api/v1/settings');
    expect(after.status).toBe(200);
    expect(after.json().hooks[0].token_set).toBe(true);

    expectKeyNowhere(sb.dataDir, K1);
    expectKeyNowhere(sb.dataDir, K2);
  });

  it('keeps the data dir private: dir 0700, files 0600', async () => {
    const sb = await startTestSandbox();
    const admin = await adminClient(sb);
    await admin.call('POST', '/api/v1/key/initialize', { json: { key: K1 } });
    expect(statSync(sb.dataDir).mode & 0o777).toBe(0o700);
    for (const f of filesUnder(sb.dataDir)) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    expect(filesUnder(sb.dataDir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
