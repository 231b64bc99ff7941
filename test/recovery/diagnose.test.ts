import { describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../src/api/url.js';
import { ApiError, type ApiErrorKind, type PikaClient } from '../../src/api/types.js';
import { diagnose } from '../../src/recovery/diagnose.js';
import { Secret } from '../../src/secrets/secret.js';

/**
 * A PikaClient over a model of the upstream key semantics (shared/pika-api.md §3, §7),
 * failing the way the real client fails: ApiError with a kind.
 */
type K = 'old' | 'new' | 'other';
const PASS: Record<K, string> = { old: 'old-pass-1', new: 'new-pass-2', other: 'other-pass-3' };
const keyOf = (s: Secret): K => (Object.keys(PASS) as K[]).find((k) => PASS[k] === s.reveal())!;

class ModelClient implements Partial<PikaClient> {
  readonly calls: string[] = [];
  mem: K | null;
  constructor(
    mem: K | null,
    public verifier: K,
    public blob: K,
    private readonly failWith: Partial<Record<string, ApiErrorKind>> = {},
  ) {
    this.mem = mem;
  }
  readonly server = parseServerUrl('http://127.0.0.1:1');
  private err(kind: ApiErrorKind, path: string, status: number, serverMessage: string) {
    return new ApiError(`${path}: ${serverMessage}`, {
      kind,
      method: 'X',
      path,
      status,
      serverMessage,
      retryAfterMs: kind === 'rate_limited' ? 5000 : undefined,
    });
  }
  private get broken() {
    return this.mem !== null && this.mem !== this.blob;
  }
  private forced(op: string) {
    const kind = this.failWith[op];
    if (kind) throw this.err(kind, op, 0, `forced ${kind}`);
  }
  async keyStatus() {
    this.calls.push('status');
    this.forced('status');
    if (this.broken)
      throw this.err(
        'server_error',
        '/api/v1/key/status',
        500,
        'read settings: settings: sealed payload corrupt or unreadable',
      );
    return { initialized: true, unlocked: this.mem !== null };
  }
  async settings() {
    this.calls.push('settings');
    if (this.mem === null) throw this.err('locked', '/api/v1/settings', 503, 'Server is locked.');
    if (this.broken)
      throw this.err('server_error', '/api/v1/settings', 500, 'settings: sealed payload corrupt or unreadable');
    return {};
  }
  async unlock(key: Secret) {
    const k = keyOf(key);
    this.calls.push(`unlock ${k}`);
    this.forced('unlock');
    if (this.broken) throw this.err('server_error', '/api/v1/key/unlock', 500, 'read settings: …');
    if (this.verifier !== k) throw this.err('wrong_key', '/api/v1/key/unlock', 403, 'invalid server key: forbidden');
    this.mem = k;
  }
  async lock() {
    this.calls.push('lock');
    if (this.mem === null) throw this.err('locked', '/api/v1/key/lock', 503, 'Server is locked.');
    this.mem = null;
  }
}

const keys = (...which: Array<'old' | 'new'>) =>
  Object.fromEntries(which.map((k) => [k, new Secret(PASS[k], `test:${k}`)]));
const client = (m: ModelClient) => m as unknown as PikaClient;
const never = async () => {
  throw new Error('lock must not be asked');
};

describe('diagnose', () => {
  it('upstream half-state with both keys: revert_to_old, without sending a single key', async () => {
    const m = new ModelClient('new', 'old', 'old');
    const { plan } = await diagnose(client(m), { keys: keys('old', 'new'), confirmLock: never });
    expect(plan.code).toBe('revert_to_old');
    expect(m.calls).toEqual(['status']);
  });

  it('half-state with only the new key: asks before the lock, then the server is locked', async () => {
    const m = new ModelClient('new', 'old', 'old');
    const asked: string[] = [];
    const { plan } = await diagnose(client(m), {
      keys: keys('new'),
      confirmLock: async (info) => {
        asked.push(info.title);
        return true;
      },
    });
    expect(asked).toEqual(['lock the server first']);
    expect(m.calls).toEqual(['status', 'lock', 'status']);
    expect(plan).toMatchObject({ code: 'unlock_then_rediagnose', key: 'new' });
  });

  it('a declined lock changes nothing and ends at restore', async () => {
    const m = new ModelClient('new', 'old', 'old');
    const { plan, obs } = await diagnose(client(m), { keys: keys('new'), confirmLock: async () => false });
    expect(m.mem).toBe('new');
    expect(obs.lock).toBe('declined');
    expect(plan).toMatchObject({ code: 'restore', reason: 'no_old_key' });
  });

  it('healthy on the new key (answer lost after the rotation): one unlock, nothing to do', async () => {
    const m = new ModelClient('new', 'new', 'new');
    const { plan } = await diagnose(client(m), { keys: keys('old', 'new'), confirmLock: never });
    expect(plan.code).toBe('nothing_to_do');
    // An accepted unlock (re)installs a key, so status and settings are read again after it.
    expect(m.calls).toEqual(['status', 'settings', 'unlock new', 'status', 'settings']);
  });

  it('healthy on the old key: each key sent once, then still_on_old_key', async () => {
    const m = new ModelClient('old', 'old', 'old');
    const { plan } = await diagnose(client(m), { keys: keys('old', 'new'), confirmLock: never });
    expect(plan.code).toBe('still_on_old_key');
    expect(m.calls).toEqual(['status', 'settings', 'unlock new', 'unlock old', 'status', 'settings']);
  });

  it('continuing from an observation never resends a refused key', async () => {
    const m = new ModelClient(null, 'old', 'old');
    const first = await diagnose(client(m), { keys: keys('old', 'new'), confirmLock: never });
    expect(first.plan).toMatchObject({ code: 'unlock_then_rediagnose', key: 'new' });
    // The command carries out the plan: unlock new (refused), record it, diagnose on.
    await m.unlock(keys('new').new).catch(() => {});
    const obs = { ...first.obs, keys: { ...first.obs.keys, new: { kind: 'wrong_key' as const } } };
    const second = await diagnose(client(m), { keys: keys('old', 'new'), confirmLock: never, from: obs });
    expect(second.plan).toMatchObject({ code: 'unlock_then_rediagnose', key: 'old' });
    expect(m.calls.filter((c) => c === 'unlock new')).toHaveLength(1);
  });

  it('a 429 stops the diagnosis: the old key is not tried', async () => {
    const m = new ModelClient('old', 'old', 'old', { unlock: 'rate_limited' });
    const { plan } = await diagnose(client(m), { keys: keys('old', 'new'), confirmLock: never });
    expect(plan).toMatchObject({ code: 'rate_limited', retryAfterMs: 5000 });
    expect(m.calls.filter((c) => c.startsWith('unlock'))).toEqual(['unlock new']);
  });

  it('an unreachable server is a plan, not a throw', async () => {
    const m = new ModelClient('old', 'old', 'old', { status: 'unreachable' });
    const { plan } = await diagnose(client(m), { keys: keys('new'), confirmLock: never });
    expect(plan.code).toBe('unreachable');
  });

  it('not logged in is thrown for the caller (it says nothing about the key)', async () => {
    const m = new ModelClient('old', 'old', 'old', { unlock: 'unauthenticated' });
    await expect(diagnose(client(m), { keys: keys('new'), confirmLock: never })).rejects.toMatchObject({
      kind: 'unauthenticated',
    });
  });
});
