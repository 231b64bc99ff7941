import { describe, expect, it } from 'vitest';
import { identify } from '../../src/auth/find-login.js';
import { CliError } from '../../src/errors.js';
import { apiError, FakeClient } from './fakes.js';

/**
 * whoami's identify(): /login/me, else /api/v1/info's user. Some Pika versions answer
 * /login/me 401 once the access token aged while the session still works; the sandbox
 * does not, so the scripted client stands in for that server.
 */
describe('identify', () => {
  it('/login/me answers: its identity, with the info', async () => {
    const client = new FakeClient();
    // FakeClient's me() throws unless replaced; this server answers it.
    Object.assign(client, { me: async () => ({ subject: 'admin', name: 'Ada' }) });
    const { me, info } = await identify({ server: client.server, client }, 'the stored session');
    expect(me).toEqual({ subject: 'admin', name: 'Ada' });
    expect(info.name).toBe('pika');
  });

  it('/login/me says unauthenticated but info names the user: that user, not an error', async () => {
    const client = new FakeClient();
    client.info_ = async () => ({ name: 'pika', version: 'v1', user: 'operator' });
    client.me = async () => {
      throw apiError('unauthenticated');
    };
    const { me } = await identify({ server: client.server, client }, 'the stored session');
    expect(me).toEqual({ subject: 'operator' });
  });

  it('neither knows the user: not logged in (exit 4), naming the session and how to log in again', async () => {
    const client = new FakeClient();
    client.me = async () => {
      throw apiError('unauthenticated');
    };
    const err = await identify({ server: client.server, client }, 'the session in PIKA_SESSION').catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.code).toBe('session_expired');
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe(
      'not logged in to https://pika.test:8080: the server does not accept the session in PIKA_SESSION',
    );
    expect(err.hint).toContain('pikactl login --server https://pika.test:8080');
  });

  it('any other failure of /login/me is passed on as it is', async () => {
    const client = new FakeClient();
    const unreachable = apiError('unreachable');
    client.me = async () => {
      throw unreachable;
    };
    await expect(identify({ server: client.server, client }, 'x')).rejects.toBe(unreachable);
  });
});
