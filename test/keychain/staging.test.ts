import { describe, expect, it } from 'vitest';
import { ApiError, type ApiErrorKind } from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import { CliError } from '../../src/errors.js';
import { keychainLoginStore } from '../../src/keychain/login-store.js';
import { certainlyNotApplied, KeyStaging } from '../../src/keychain/staging.js';
import { Secret } from '../../src/secrets/secret.js';
import { MemoryKeychain } from '../support/context.js';

const server = parseServerUrl('https://pika.example:8080/pika');
const OLD = new Secret('old-key', 't');
const NEW = new Secret('new-key', 't');

/** A keychain whose n-th write (set or delete) "crashes" the process. */
class CrashingKeychain extends MemoryKeychain {
  private writes = 0;
  constructor(private readonly crashAt: number) {
    super();
  }
  private tick() {
    if (++this.writes === this.crashAt) throw new Error('simulated crash');
  }
  override async set(account: string, value: Secret) {
    this.tick();
    return super.set(account, value);
  }
  override async delete(account: string) {
    this.tick();
    return super.delete(account);
  }
}

describe('KeyStaging: no crash loses a key', () => {
  // Writes during a rotation: 1 stage, (send), 2 previous := old, 3 live := new, 4 delete pending.
  for (const crashAt of [1, 2, 3, 4]) {
    it(`crash at keychain write ${crashAt}`, async () => {
      const kc = new CrashingKeychain(crashAt + 1); // +1: the seeding write below
      await kc.set(`server-key:${server.id}`, OLD);
      const staging = new KeyStaging(kc, server);
      await staging.checkNoUnfinished();
      let serverHasNew = false;
      try {
        await staging.stage(NEW);
        serverHasNew = true; // the server applied it
        await staging.promote(NEW);
      } catch (err) {
        expect((err as Error).message).toBe('simulated crash');
      }
      const values = [...kc.entries.values()];
      // Whichever key the server holds is still in the keychain.
      expect(values).toContain(serverHasNew ? 'new-key' : 'old-key');
      if (serverHasNew) expect(values).toContain('old-key'); // and the old one is not lost either
      // The next run refuses exactly when the entries do not tell the server's key plainly.
      const live = kc.entries.get(`server-key:${server.id}`);
      const blocked = await new KeyStaging(kc, server).checkNoUnfinished().then(
        () => false,
        () => true,
      );
      expect(blocked).toBe(serverHasNew && live !== 'new-key');
    });
  }

  it('promote without a live entry writes no previous entry', async () => {
    const kc = new MemoryKeychain();
    const staging = new KeyStaging(kc, server);
    await staging.stage(NEW);
    expect(await staging.promote(NEW)).toEqual({ live: `server-key:${server.id}` });
    expect([...kc.entries.keys()]).toEqual([`server-key:${server.id}`]);
  });
});

describe('certainlyNotApplied', () => {
  const api = (kind: ApiErrorKind) => new ApiError('x', { kind, method: 'POST', path: '/api/v1/key/rotate' });
  it.each([
    'wrong_key',
    'bad_request',
    'locked',
    'forbidden',
    'unauthenticated',
    'rate_limited',
    'unreachable',
  ] as const)('%s: refused, nothing applied', (kind) => {
    expect(certainlyNotApplied(api(kind))).toBe(true);
  });
  it.each(['server_error', 'connection_lost', 'timeout', 'cancelled', 'cluster', 'unexpected'] as const)(
    '%s: outcome unknown',
    (kind) => {
      expect(certainlyNotApplied(api(kind))).toBe(false);
    },
  );
  it('mapped errors: needs_recovery is unknown, already_initialized is a refusal', () => {
    expect(certainlyNotApplied(new CliError('x', { code: 'needs_recovery' }))).toBe(false);
    expect(certainlyNotApplied(new CliError('x', { code: 'already_initialized' }))).toBe(true);
    expect(certainlyNotApplied(new Error('boom'))).toBe(false);
  });
});

describe('keychainLoginStore', () => {
  it('opens the keychain only on load, and treats "unavailable" as "no stored session"', async () => {
    let opened = 0;
    const seen: string[] = [];
    const store = keychainLoginStore(
      {
        keychain: async () => {
          opened++;
          throw new CliError('no bus', { code: 'keychain_unavailable' });
        },
      },
      { onUnavailable: (e) => seen.push(e.message) },
    );
    expect(opened).toBe(0);
    expect(await store.load(server)).toBeNull();
    await store.remove(server);
    expect(opened).toBe(1); // opened once, remembered
    expect(seen).toEqual(['no bus']);
  });

  it('reads and removes session:<server id>; other keychain errors are not hidden', async () => {
    const kc = new MemoryKeychain();
    kc.entries.set(`session:${server.id}`, 'cookie');
    const store = keychainLoginStore({ keychain: async () => kc });
    expect((await store.load(server))?.cookie.reveal()).toBe('cookie'); // an entry from before the user name was kept
    await store.save(server, new Secret('cookie-2', 'login'), 'alice');
    expect(await store.load(server)).toMatchObject({ user: 'alice' });
    expect((await store.load(server))?.cookie.reveal()).toBe('cookie-2');
    await store.remove(server);
    expect(kc.entries.size).toBe(0);
    const broken = keychainLoginStore({
      keychain: async () => Promise.reject(new CliError('two entries match', { code: 'error' })),
    });
    await expect(broken.load(server)).rejects.toThrow('two entries match');
  });
});
