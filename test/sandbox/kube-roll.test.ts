import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, startTestKube, type TestKube } from '../support/kube.js';
import { SandboxClient } from '../support/sandbox.js';

/**
 * The rehearsal issue 12 is about, driven by hand through the stand-in: rotate on the
 * leader pod, then roll the StatefulSet. With the Secret updated first every pod comes
 * back unlocked on the new key; without it a restarted follower comes back locked with
 * encryption_config_invalid, and no HTTP unlock sent to it helps (it lands on the leader).
 */
const OLD = 'old-boot-key-for-roll-tests';
const NEW = 'new-boot-key-for-roll-tests';

async function rotateOnLeader(k: TestKube): Promise<SandboxClient> {
  const c = new SandboxClient(k.podUrl(0));
  expect((await c.login()).status).toBe(200);
  expect((await c.call('POST', '/api/v1/key/rotate', { json: { current_key: OLD, new_key: NEW } })).status).toBe(200);
  return c;
}

/** A client-node CoreV1Api on the stand-in's kubeconfig. */
function coreApi(k: TestKube): k8s.CoreV1Api {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(k.kubeconfigFile);
  return kc.makeApiClient(k8s.CoreV1Api);
}

async function roll(core: k8s.CoreV1Api, k: TestKube, i: number): Promise<{ unlocked: boolean; invalid: boolean }> {
  const before = (await core.readNamespacedPod({ namespace: 'pika', name: `pika-${i}` })).metadata!.uid;
  await core.deleteNamespacedPod({ namespace: 'pika', name: `pika-${i}` });
  await eventually(async () => {
    const p = await core.readNamespacedPod({ namespace: 'pika', name: `pika-${i}` });
    return p.metadata!.uid !== before && p.status!.phase === 'Running' ? true : undefined;
  });
  const status = await (await fetch(`${k.podUrl(i)}/api/v1/key/status`)).json();
  const info = await (await fetch(`${k.podUrl(i)}/api/v1/info`)).json();
  return { unlocked: status.unlocked, invalid: info.encryption_config_invalid === true };
}

describe('a rolling rotation through sandbox --kube', () => {
  it('Secret updated after the rotation: every pod, leader last, comes back unlocked on the new key', async () => {
    const k = await startTestKube({ pods: 3, bootPassword: OLD });
    const api = coreApi(k);
    await rotateOnLeader(k);
    const s = await api.readNamespacedSecret({ namespace: 'pika', name: 'pika-encryption' });
    await api.patchNamespacedSecret(
      {
        namespace: 'pika',
        name: 'pika-encryption',
        body: {
          metadata: { resourceVersion: s.metadata!.resourceVersion },
          data: { password: Buffer.from(NEW).toString('base64') },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    for (const i of [1, 2, 0]) expect(await roll(api, k, i)).toEqual({ unlocked: true, invalid: false });
  });

  it('Secret left on the old key: a restarted follower stays locked, says encryption_config_invalid, and an HTTP unlock does not help', async () => {
    const k = await startTestKube({ pods: 2, bootPassword: OLD });
    const api = coreApi(k);
    await rotateOnLeader(k);
    expect(await roll(api, k, 1)).toEqual({ unlocked: false, invalid: true });
    const follower = new SandboxClient(k.podUrl(1));
    expect((await follower.login()).status).toBe(200);
    // Forwarded to the leader, which is unlocked: a 200 that changes nothing here.
    expect((await follower.call('POST', '/api/v1/key/unlock', { json: { key: NEW } })).status).toBe(200);
    expect(await (await fetch(`${k.podUrl(1)}/api/v1/key/status`)).json()).toEqual({
      initialized: true,
      unlocked: false,
    });
  });

  it('deleting the leader pod hands the lead to a live pod; the old leader comes back as a follower', async () => {
    const k = await startTestKube({ pods: 3, bootPassword: OLD });
    const api = coreApi(k);
    const role = async (i: number) => {
      const c = new SandboxClient(k.podUrl(i));
      expect((await c.login()).status).toBe(200);
      return (await c.call('GET', '/api/v1/cluster/status')).json().role;
    };
    expect(await role(0)).toBe('leader');
    expect(await roll(api, k, 0)).toEqual({ unlocked: true, invalid: false });
    expect([await role(0), await role(1), await role(2)]).toEqual(['follower', 'leader', 'follower']);
  });
});
