import { describe, expect, it } from 'vitest';
import { KubeSecretStaging, prunePrevious } from '../../src/kube/secret-staging.js';
import { KubeConflict, type KubeApi, type SecretData } from '../../src/kube/types.js';
import { Secret } from '../../src/secrets/secret.js';

/** A Secret store with the API server's optimistic concurrency: a write names the version it read. */
function fakeApi(data: Record<string, string>): KubeApi & { s: SecretData; writes: number } {
  const api = {
    s: { resourceVersion: '1', data: { ...data } },
    writes: 0,
    defaultNamespace: 'pika',
    server: 'fake',
    selectorOf: async () => '',
    listPods: async () => [],
    getPod: async () => undefined,
    deletePod: async () => undefined,
    forward: async () => ({ port: 0, close: async () => undefined }),
    readSecret: async () => ({ resourceVersion: api.s.resourceVersion, data: { ...api.s.data } }),
    patchSecret: async (_ns: string, name: string, rv: string, patch: Record<string, string | null>) => {
      if (rv !== api.s.resourceVersion) throw new KubeConflict(`secret/${name}`);
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete api.s.data[k];
        else api.s.data[k] = v;
      }
      api.writes += 1;
      api.s.resourceVersion = String(Number(api.s.resourceVersion) + 1);
      return api.s.resourceVersion;
    },
  };
  return api;
}

const ref = { name: 'pika-encryption', key: 'password' };
const NEW = new Secret('new-key', 'test');

describe('KubeSecretStaging: pending before the send, one atomic promote after', () => {
  it('stage then promote: KEY = new, KEY.previous = old, no pending', async () => {
    const api = fakeApi({ password: 'old-key' });
    const st = new KubeSecretStaging(api, 'pika', ref);
    await st.checkNoUnfinished();
    await st.stage(NEW);
    expect(api.s.data).toEqual({ password: 'old-key', 'password.pending': 'new-key' });
    expect(await st.promote(NEW)).toEqual({ previous: true });
    expect(api.s.data).toEqual({ password: 'new-key', 'password.previous': 'old-key' });
  });

  it('a crash after the stage leaves both keys; the next run refuses until it is sorted out', async () => {
    const api = fakeApi({ password: 'old-key' });
    const st = new KubeSecretStaging(api, 'pika', ref);
    await st.stage(NEW);
    // (the process dies here)
    const next = new KubeSecretStaging(api, 'pika', ref);
    await expect(next.checkNoUnfinished()).rejects.toMatchObject({ code: 'needs_recovery' });
    expect(api.s.data).toEqual({ password: 'old-key', 'password.pending': 'new-key' });
  });

  it('a concurrent change between stage and promote is a conflict: nothing is overwritten', async () => {
    const api = fakeApi({ password: 'old-key' });
    const st = new KubeSecretStaging(api, 'pika', ref);
    await st.stage(NEW);
    await api.patchSecret('pika', 'pika-encryption', api.s.resourceVersion, { password: 'someone-else' });
    await expect(st.promote(NEW)).rejects.toMatchObject({ details: { conflict: true, server_done: true } });
    expect(api.s.data).toEqual({ password: 'someone-else', 'password.pending': 'new-key' });
  });

  it('a refusal drops the pending key; prune drops KEY.previous', async () => {
    const api = fakeApi({ password: 'old-key', 'password.previous': 'older' });
    const st = new KubeSecretStaging(api, 'pika', ref);
    await st.stage(NEW);
    await st.discard();
    expect(api.s.data).toEqual({ password: 'old-key', 'password.previous': 'older' });
    expect(await prunePrevious(api, 'pika', ref)).toBe(true);
    expect(api.s.data).toEqual({ password: 'old-key' });
    expect(await prunePrevious(api, 'pika', ref)).toBe(false);
  });
});
