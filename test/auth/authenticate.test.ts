import { describe, expect, it } from 'vitest';
import { authenticate } from '../../src/auth/authenticate.js';
import type { LoginStore } from '../../src/auth/types.js';
import { CliError } from '../../src/errors.js';
import { Secret } from '../../src/secrets/secret.js';
import { testContext } from '../support/context.js';
import { apiError, FakeClient, FakeSecrets, globals } from './fakes.js';
import { rejection } from '../support/rejects.js';

const cliFailure = (p: Promise<unknown>) => rejection(p, CliError);

const store = (value: string | null) => {
  const removed: string[] = [];
  const s: LoginStore & { removed: string[] } = {
    removed,
    load: async () => (value === null ? null : { cookie: new Secret(value, 'keychain') }),
    remove: async (server) => {
      removed.push(server.id);
    },
  };
  return s;
};

describe('authenticate: session sources in order', () => {
  it('PIKA_SESSION wins, accepts "name=value", is never logged out and reads no secret', async () => {
    const client = new FakeClient();
    const secrets = new FakeSecrets();
    const ctx = testContext({ env: { PIKA_SESSION: 'pika_session=env-cookie' } });
    const s = await authenticate(ctx, globals({ user: 'alice' }), client, secrets, store('stored-cookie'));
    expect(s.source).toBe('env');
    expect(client.session?.reveal()).toBe('env-cookie');
    await s.close();
    expect(client.calls).toEqual([]);
    expect(secrets.requests).toEqual([]);
  });

  it('then a stored session, when a store is plugged in', async () => {
    const client = new FakeClient();
    const s = await authenticate(testContext(), globals(), client, new FakeSecrets(), store('stored-cookie'));
    expect(s.source).toBe('stored');
    expect(client.session?.reveal()).toBe('stored-cookie');
    await s.close();
    expect(client.calls).toEqual([]);
  });

  it('then an inline login: password from --password-from, strategy from /api/v1/info, logged out by close()', async () => {
    const client = new FakeClient();
    client.info_ = async () => ({ name: 'pika', version: 'v1', local_login_name: 'corp' });
    const secrets = new FakeSecrets();
    const s = await authenticate(
      testContext(),
      globals({ user: 'alice', passwordFrom: 'env:PW' }),
      client,
      secrets,
      store(null),
    );
    expect(s).toMatchObject({ source: 'login', user: 'alice' });
    expect(secrets.requests).toEqual([{ spec: 'env:PW', flag: '--password-from', label: 'password for alice' }]);
    expect(client.calls).toEqual(['info', 'login corp alice']);
    expect(client.session?.reveal()).toBe('fresh-cookie');
    client.logout_ = async () => {
      throw apiError('unreachable');
    };
    await s.close(); // errors swallowed
    await s.close(); // once only
    expect(client.calls.filter((c) => c === 'logout')).toHaveLength(1);
    expect(client.session).toBeUndefined();
  });
});

describe('authenticate: inline login details', () => {
  it('--strategy wins without asking the server', async () => {
    const client = new FakeClient();
    await authenticate(testContext(), globals({ user: 'a', strategy: 'ldap' }), client, new FakeSecrets());
    expect(client.calls).toEqual(['login ldap a']);
  });

  it('falls back to the first password strategy of /login/info, then to "local"', async () => {
    const client = new FakeClient();
    client.loginInfo_ = async () => ({
      strategies: [
        { name: 'oidc', kind: 'oauth2' },
        { name: 'pw', kind: 'password' },
      ],
    });
    await authenticate(testContext(), globals({ user: 'a' }), client, new FakeSecrets());
    expect(client.calls).toEqual(['info', 'loginInfo', 'login pw a']);

    const bare = new FakeClient();
    bare.info_ = async () => {
      throw apiError('not_pika');
    };
    bare.loginInfo_ = async () => {
      throw apiError('not_found');
    };
    await authenticate(testContext(), globals({ user: 'a' }), bare, new FakeSecrets());
    expect(bare.calls).toEqual(['info', 'loginInfo', 'login local a']);
  });

  it('an unreachable server during discovery is exit 7, not a silent fallback', async () => {
    const client = new FakeClient();
    client.info_ = async () => {
      throw apiError('unreachable');
    };
    const secrets = new FakeSecrets();
    expect((await cliFailure(authenticate(testContext(), globals({ user: 'a' }), client, secrets))).exitCode).toBe(7);
    expect(secrets.requests).toEqual([]); // nobody typed a password for a server that is down
  });

  it('without a user and without a TTY: usage error naming --user and PIKA_USER', async () => {
    const e = await cliFailure(
      authenticate(testContext({ tty: false }), globals(), new FakeClient(), new FakeSecrets()),
    );
    expect(e.exitCode).toBe(2);
    expect(e.hint).toContain('--user');
    expect(e.hint).toContain('PIKA_USER');
  });

  it('asks for the user on a TTY', async () => {
    const ctx = testContext({ tty: true, answers: [{ match: /user name/, answer: ' bob ' }] });
    const client = new FakeClient();
    const s = await authenticate(ctx, globals(), client, new FakeSecrets());
    expect(s.user).toBe('bob');
    expect(client.calls).toContain('login local bob');
  });

  it('TOTP step-up reads --totp-from', async () => {
    const client = new FakeClient();
    client.login_ = async () => ({ kind: 'totp_required', totpSessionId: new Secret('step', 'login') });
    const secrets = new FakeSecrets();
    await authenticate(testContext(), globals({ user: 'a', totpFrom: 'env:TOTP' }), client, secrets);
    expect(secrets.requests[1]).toEqual({ spec: 'env:TOTP', flag: '--totp-from', label: 'TOTP code' });
    expect(client.calls).toEqual(['info', 'loginInfo', 'login local a', 'loginTotp local']);
    expect(client.session?.reveal()).toBe('totp-cookie');
  });

  it('rejected credentials: exit 4 naming the user, never the password', async () => {
    const client = new FakeClient();
    client.login_ = async () => {
      throw apiError('invalid_credentials', { serverCode: 'invalid_credentials' });
    };
    const e = await cliFailure(authenticate(testContext(), globals({ user: 'alice' }), client, new FakeSecrets()));
    expect(e.exitCode).toBe(4);
    expect(e.message).toContain('"alice"');
    expect(`${e.message} ${e.hint} ${JSON.stringify(e.details)}`).not.toContain('pw-canary-31');
  });

  it('a rejected TOTP code and a rate-limited login keep their meaning', async () => {
    const totp = new FakeClient();
    totp.login_ = async () => ({ kind: 'totp_required', totpSessionId: new Secret('step', 'login') });
    totp.loginTotp_ = async () => {
      throw apiError('invalid_credentials', { serverCode: 'invalid_code' });
    };
    const t = await cliFailure(authenticate(testContext(), globals({ user: 'a' }), totp, new FakeSecrets()));
    expect(t.message).toContain('TOTP code');
    expect(t.exitCode).toBe(4);

    const limited = new FakeClient();
    limited.login_ = async () => {
      throw apiError('rate_limited', { retryAfterMs: 60_000 });
    };
    const r = await cliFailure(authenticate(testContext(), globals({ user: 'a' }), limited, new FakeSecrets()));
    expect(r.exitCode).toBe(9);
    expect(r.message).toContain('1m');
  });
});
