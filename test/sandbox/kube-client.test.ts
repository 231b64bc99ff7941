import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { startTestKube, type TestKube } from '../support/kube.js';

/**
 * The stand-in through the official client (@kubernetes/client-node 1.4), as pikactl's
 * src/kube/ uses it: kubeconfig loading with the CA and token, CoreV1Api/AppsV1Api, and
 * its PortForward over the pods/portforward WebSocket.
 */
function config(k: TestKube): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(k.kubeconfigFile);
  return kc;
}

/** A local listener whose every connection is port-forwarded to pod:8080, as a client would set it up. */
async function forward(kc: k8s.KubeConfig, pod: string): Promise<{ url: string; close(): void }> {
  const pf = new k8s.PortForward(kc);
  const sockets = new Set<import('node:net').Socket>();
  const srv = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    pf.portForward('pika', pod, [8080], sock, null, sock).catch(() => sock.destroy());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

describe('@kubernetes/client-node against sandbox --kube', () => {
  it('lists pods by label, reads the StatefulSet, Deployment and Service, and 404s with a Status', async () => {
    const k = await startTestKube({ pods: 3 });
    const kc = config(k);
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('pika');
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const sts = await apps.readNamespacedStatefulSet({ namespace: 'pika', name: 'pika' });
    const selector = Object.entries(sts.spec!.selector.matchLabels!)
      .map(([a, b]) => `${a}=${b}`)
      .join(',');
    const list = await core.listNamespacedPod({ namespace: 'pika', labelSelector: selector });
    expect(list.items.map((p) => [p.metadata!.name, p.status!.phase])).toEqual([
      ['pika-0', 'Running'],
      ['pika-1', 'Running'],
      ['pika-2', 'Running'],
    ]);
    expect(list.items[0].metadata!.creationTimestamp).toBeInstanceOf(Date); // deserialised by the client's model
    const env = sts.spec!.template.spec!.containers[0].env!.find((e) => e.name === 'PIKA_ENCRYPTION_PASSWORD');
    expect(env?.valueFrom?.secretKeyRef).toEqual({ name: 'pika-encryption', key: 'password' });
    const dep = await apps.readNamespacedDeployment({ namespace: 'pika', name: 'pika' });
    expect(dep.spec!.selector.matchLabels).toEqual(sts.spec!.selector.matchLabels);
    const svc = await core.readNamespacedService({ namespace: 'pika', name: 'pika' });
    expect(svc.spec!.selector).toEqual(sts.spec!.selector.matchLabels);
    const err = await core.readNamespacedPod({ namespace: 'pika', name: 'pika-7' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect((err as k8s.ApiException<string>).code).toBe(404);
    expect(JSON.parse((err as k8s.ApiException<string>).body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  });

  it('patches the Secret with resourceVersion and gets 409 Conflict on a stale one', async () => {
    const k = await startTestKube({ pods: 1, bootPassword: 'first' });
    const core = config(k).makeApiClient(k8s.CoreV1Api);
    const s = await core.readNamespacedSecret({ namespace: 'pika', name: 'pika-encryption' });
    const rv = s.metadata!.resourceVersion!;
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const body = { metadata: { resourceVersion: rv }, data: { password: Buffer.from('second').toString('base64') } };
    const patched = await core.patchNamespacedSecret({ namespace: 'pika', name: 'pika-encryption', body }, merge);
    expect(Buffer.from(patched.data!.password, 'base64').toString()).toBe('second');
    const again = await core
      .patchNamespacedSecret({ namespace: 'pika', name: 'pika-encryption', body }, merge)
      .catch((e: unknown) => e);
    expect((again as k8s.ApiException<string>).code).toBe(409);
    expect(JSON.parse((again as k8s.ApiException<string>).body)).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      details: { name: 'pika-encryption', kind: 'secrets' },
    });
    // The default patch type of the 1.x client is a JSON patch.
    const jp = await core.patchNamespacedSecret({
      namespace: 'pika',
      name: 'pika-encryption',
      body: [{ op: 'add', path: '/data/password.previous', value: s.data!.password }],
    });
    expect(Object.keys(jp.data!).sort()).toEqual(['password', 'password.previous']);
  });

  it('port-forwards to each pod: the answer is that pod’s own, and a deleted pod comes back as a new one', async () => {
    const k = await startTestKube({ pods: 2, bootPassword: 'first' });
    const kc = config(k);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    // pika-1 restarts while the Secret holds a wrong password: it comes back locked, pika-0 stays unlocked.
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await core.patchNamespacedSecret(
      {
        namespace: 'pika',
        name: 'pika-encryption',
        body: { data: { password: Buffer.from('wrong').toString('base64') } },
      },
      merge,
    );
    const old = await core.readNamespacedPod({ namespace: 'pika', name: 'pika-1' });
    const gone = await core.deleteNamespacedPod({ namespace: 'pika', name: 'pika-1' });
    expect(gone.metadata!.uid).toBe(old.metadata!.uid);
    expect(gone.metadata!.deletionTimestamp).toBeInstanceOf(Date);
    const fresh = await core.readNamespacedPod({ namespace: 'pika', name: 'pika-1' });
    expect(fresh.metadata!.uid).not.toBe(old.metadata!.uid);
    expect(fresh.status!.phase).toBe('Pending');
    for (
      let i = 0;
      i < 100 && (await core.readNamespacedPod({ namespace: 'pika', name: 'pika-1' })).status!.phase !== 'Running';
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    for (const [pod, unlocked] of [
      ['pika-0', true],
      ['pika-1', false],
    ] as const) {
      const f = await forward(kc, pod);
      try {
        expect((await fetch(`${f.url}/healthz`)).status).toBe(200);
        expect(await (await fetch(`${f.url}/api/v1/key/status`)).json()).toEqual({ initialized: true, unlocked });
      } finally {
        f.close();
      }
    }
  });

  it('watches pods: a deletion streams DELETED for the old uid, then ADDED Pending and MODIFIED Running for the new one', async () => {
    const k = await startTestKube({ pods: 2 });
    const kc = config(k);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: 'pika', labelSelector: 'app.kubernetes.io/name=pika' });
    const events: Array<[string, string, string, string]> = [];
    let running!: () => void;
    const replaced = new Promise<void>((r) => (running = r));
    const watch = await new k8s.Watch(kc).watch(
      '/api/v1/namespaces/pika/pods',
      { labelSelector: 'statefulset.kubernetes.io/pod-name=pika-1', resourceVersion: list.metadata!.resourceVersion },
      (type: string, p: k8s.V1Pod) => {
        events.push([type, p.metadata!.name!, p.metadata!.uid!, p.status!.phase!]);
        if (type === 'MODIFIED' && p.status!.phase === 'Running' && p.metadata!.uid !== list.items[1].metadata!.uid)
          running();
      },
      () => {},
    );
    try {
      await core.deleteNamespacedPod({ namespace: 'pika', name: 'pika-1' });
      await replaced;
    } finally {
      watch.abort();
    }
    const old = list.items[1].metadata!.uid!;
    const fresh = events.find(([t]) => t === 'ADDED')![2];
    expect(fresh).not.toBe(old);
    expect(events.map(([t, n, u, ph]) => [t, n, u === old ? 'old' : u === fresh ? 'new' : u, ph])).toEqual([
      ['MODIFIED', 'pika-1', 'old', 'Running'],
      ['DELETED', 'pika-1', 'old', 'Running'],
      ['ADDED', 'pika-1', 'new', 'Pending'],
      ['MODIFIED', 'pika-1', 'new', 'Running'],
    ]);
  });

  it('where pod IPs cannot be bound, pods share 127.0.0.1 and each pod spec names its own http containerPort', async () => {
    const k = await startTestKube({ pods: 2, sharedLoopback: true });
    const kc = config(k);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: 'pika', labelSelector: 'app.kubernetes.io/name=pika' });
    const ports = list.items.map((p) => p.spec!.containers[0].ports!.find((x) => x.name === 'http')!.containerPort);
    expect(list.items.map((p) => p.status!.podIP)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(new Set(ports).size).toBe(2);
    for (const [i, port] of ports.entries()) {
      expect(`http://127.0.0.1:${port}`).toBe(k.podUrl(i));
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    }
    const pf = new k8s.PortForward(kc);
    const srv = createServer(
      (sock) => void pf.portForward('pika', 'pika-1', [ports[1]], sock, null, sock).catch(() => sock.destroy()),
    );
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      expect((await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/healthz`)).status).toBe(200);
    } finally {
      srv.close();
    }
  });

  it('answers SelfSubjectAccessReview and 403s what a test denies, with the Forbidden Status', async () => {
    const k = await startTestKube({ pods: 1 });
    const kc = config(k);
    const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
    const can = (verb: string, resource: string, subresource?: string) =>
      authz
        .createSelfSubjectAccessReview({
          body: {
            spec: {
              resourceAttributes: { namespace: 'pika', verb, resource, ...(subresource ? { subresource } : {}) },
            },
          },
        })
        .then((r) => r.status!.allowed);
    expect(await can('create', 'pods', 'portforward')).toBe(true);
    k.world.rbac.deny('create', 'pods/portforward');
    expect(await can('create', 'pods', 'portforward')).toBe(false);
    expect(await can('get', 'pods')).toBe(true);
    const pf = new k8s.PortForward(kc);
    const { PassThrough } = await import('node:stream');
    await expect(
      pf.portForward('pika', 'pika-0', [8080], new PassThrough(), null, new PassThrough()),
    ).rejects.toBeTruthy();
    k.world.rbac.deny('get', 'statefulsets', 'apps');
    const err = await kc
      .makeApiClient(k8s.AppsV1Api)
      .readNamespacedStatefulSet({ namespace: 'pika', name: 'pika' })
      .catch((e: unknown) => e);
    expect((err as k8s.ApiException<string>).code).toBe(403);
    expect(JSON.parse((err as k8s.ApiException<string>).body)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message:
        'statefulsets.apps "pika" is forbidden: User "pikactl-sandbox-admin" cannot get resource "statefulsets" in API group "apps" in the namespace "pika"',
    });
  });

  it("bootPassword: false is upstream's bundle: no PIKA_ENCRYPTION_PASSWORD, no Secret, pods not initialized", async () => {
    const k = await startTestKube({ pods: 2, bootPassword: false });
    const kc = config(k);
    const sts = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedStatefulSet({ namespace: 'pika', name: 'pika' });
    expect(sts.spec!.template.spec!.containers[0].env!.map((e) => e.name)).toEqual(['PIKA_CLUSTER_SECURITY_KEY']);
    const err = await kc
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedSecret({ namespace: 'pika', name: 'pika-encryption' })
      .catch((e: unknown) => e);
    expect((err as k8s.ApiException<string>).code).toBe(404);
    expect(await (await fetch(`${k.podUrl(1)}/api/v1/key/status`)).json()).toEqual({
      initialized: false,
      unlocked: false,
    });
  });

  it('refuses requests without the bearer token (401 Status), and a port-forward to a missing pod', async () => {
    const k = await startTestKube({ pods: 1 });
    const { code, body } = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = request(`${k.server}/api/v1/namespaces/pika/pods`, { ca: k.caPem }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: b }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(code).toBe(401);
    expect(JSON.parse(body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const pf = new k8s.PortForward(config(k));
    const { PassThrough } = await import('node:stream');
    await expect(
      pf.portForward('pika', 'pika-9', [8080], new PassThrough(), null, new PassThrough()),
    ).rejects.toBeTruthy();
  });
});
