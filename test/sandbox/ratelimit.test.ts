import { describe, expect, it } from 'vitest';
import { adminClient, SandboxClient, startTestSandbox, TEST_ADMIN } from '../support/sandbox.js';

const KEY = 'rate-limit-key';

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

describe('unlock rate limit (per client IP)', () => {
  it('delays from the soft threshold (doubling), then 429 with Retry-After at the hard threshold', async () => {
    // delayScale 0.05: the 1 s, 2 s, 4 s steps become 50, 100, 200 ms.
    const sb = await startTestSandbox({ rateLimit: { soft: 2, hard: 5, delayScale: 0.05 } });
    const admin = await adminClient(sb);
    await admin.call('POST', '/api/v1/key/initialize', { json: { key: KEY } });
    const wrong = () => admin.call('POST', '/api/v1/key/unlock', { json: { key: 'wrong' } });

    // count 0 and 1: no delay (the unit test pins the zero; timing upper bounds flake on busy machines)
    expect((await wrong()).status).toBe(403);
    expect((await wrong()).status).toBe(403);
    const [r3, t3] = await timed(wrong); // count 2 = soft → 50 ms
    const [, t4] = await timed(wrong); // count 3 → 100 ms
    const [, t5] = await timed(wrong); // count 4 → 200 ms
    expect(r3.status).toBe(403);
    expect(t3).toBeGreaterThanOrEqual(45);
    expect(t4).toBeGreaterThanOrEqual(95);
    expect(t5).toBeGreaterThanOrEqual(195);

    // count 5 = hard: rejected before the handler, even with the right key.
    const limited = await admin.call('POST', '/api/v1/key/unlock', { json: { key: KEY } });
    expect(limited.status).toBe(429);
    expect(limited.json()).toEqual({ error: 'rate_limited', message: 'too many attempts; try again later' });
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(800);
    expect(retry).toBeLessThanOrEqual(900);
    // Rotation is not rate limited.
    expect((await admin.call('POST', '/api/v1/key/rotate', { json: { current_key: KEY, new_key: 'k2' } })).status).toBe(
      200,
    );
  });

  it('counts 403 for a missing capability, not 400s; the window forgets', async () => {
    const sb = await startTestSandbox({
      users: [{ ...TEST_ADMIN }, { username: 'viewer', password: 'viewer-pw', permissions: [] }],
      rateLimit: { soft: 100, hard: 2, windowMs: 400 },
    });
    const admin = await adminClient(sb);
    await admin.call('POST', '/api/v1/key/initialize', { json: { key: KEY } });
    for (let i = 0; i < 4; i++)
      expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: '' } })).status).toBe(400);
    const viewer = new SandboxClient(sb.url);
    await viewer.login('viewer', 'viewer-pw');
    expect((await viewer.call('POST', '/api/v1/key/unlock', { json: { key: KEY } })).status).toBe(403);
    expect((await viewer.call('POST', '/api/v1/key/unlock', { json: { key: KEY } })).status).toBe(403);
    // Same IP (127.0.0.1): the admin is now limited too.
    const limited = await admin.call('POST', '/api/v1/key/unlock', { json: { key: KEY } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1'); // at least 1 s
    await new Promise((r) => setTimeout(r, 450));
    expect((await admin.call('POST', '/api/v1/key/unlock', { json: { key: KEY } })).status).toBe(200);
  });
});
