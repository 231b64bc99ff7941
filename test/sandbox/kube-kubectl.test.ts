import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually, KUBECTL, kubectl, startTestKube, type TestKube } from '../support/kube.js';

/**
 * The Kubernetes stand-in checked with the REAL kubectl (Debian's kubernetes-client in CI):
 * what it answers must be what kubectl can read, so its shapes follow the real API.
 */
const BOOT = 'boot-password-for-kube-tests';

async function keyStatus(url: string): Promise<{ initialized: boolean; unlocked: boolean }> {
  const r = await fetch(`${url}/api/v1/key/status`);
  return (await r.json()) as { initialized: boolean; unlocked: boolean };
}

async function pods(k: TestKube, selector = 'app.kubernetes.io/name=pika') {
  const r = await kubectl(k, ['get', 'pods', '-l', selector, '-n', 'pika', '-o', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { kind: string; items: any[] };
}

/** Pod `index` as listed once it is Running again (after a delete). */
function runningPod(k: TestKube, index: number): Promise<any> {
  return eventually(async () => {
    const p = (await pods(k)).items[index];
    return p.status.phase === 'Running' ? p : undefined;
  });
}

/** `kubectl patch secret pika-encryption --type TYPE -p PATCH`, then `args` (-o json, -n pika). */
function patchSecret(k: TestKube, type: 'merge' | 'strategic' | 'json', patch: unknown, ...args: string[]) {
  return kubectl(k, ['patch', 'secret', 'pika-encryption', '--type', type, '-p', JSON.stringify(patch), ...args]);
}

/** The Secret's password replaced by `password`: a pod booted after this comes back locked. */
function wrongBootPassword(k: TestKube, password: string) {
  return patchSecret(k, 'merge', { data: { password: Buffer.from(password).toString('base64') } });
}

describe('kubectl against sandbox --kube', () => {
  it('lists the StatefulSet pods by label, each Running and Ready on its own pod IP with its own Pika', async () => {
    const k = await startTestKube({ pods: 3, bootPassword: BOOT });
    const list = await pods(k);
    expect(list.kind).toBe('List');
    expect(list.items.map((p) => p.metadata.name)).toEqual(['pika-0', 'pika-1', 'pika-2']);
    const ips = list.items.map((p) => p.status.podIP);
    expect(new Set(ips).size).toBe(3);
    for (const p of list.items) {
      expect(p.status.phase).toBe('Running');
      expect(p.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
      expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: 'StatefulSet', name: 'pika' });
      const port = p.spec.containers[0].ports.find((x: any) => x.name === 'http').containerPort;
      // Direct mode: the pod IP and its container port reach that pod's own server; all booted unlocked by the Secret.
      expect(await keyStatus(`http://${p.status.podIP}:${port}`)).toEqual({ initialized: true, unlocked: true });
    }
    expect((await pods(k, 'app.kubernetes.io/name=other')).items).toEqual([]);
    expect(
      (await pods(k, 'app.kubernetes.io/name in (pika),apps.kubernetes.io/pod-index=1')).items.map(
        (p) => p.metadata.name,
      ),
    ).toEqual(['pika-1']);
    const wrongNs = await kubectl(k, ['get', 'pods', '-n', 'elsewhere', '-o', 'json']);
    expect(JSON.parse(wrongNs.stdout).items).toEqual([]);
  });

  it('reads the StatefulSet, its Service and the boot-password Secret', async () => {
    const k = await startTestKube({ pods: 2, bootPassword: BOOT });
    const sts = JSON.parse((await kubectl(k, ['get', 'statefulset', 'pika', '-n', 'pika', '-o', 'json'])).stdout);
    expect(sts.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'pika' });
    expect(sts.spec.replicas).toBe(2);
    const c = sts.spec.template.spec.containers[0];
    expect(c.ports).toContainEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
    expect(c.env).toContainEqual({
      name: 'PIKA_ENCRYPTION_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'pika-encryption', key: 'password' } },
    });
    const svc = JSON.parse((await kubectl(k, ['get', 'svc', 'pika', '-n', 'pika', '-o', 'json'])).stdout);
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'pika' });
    const secret = await kubectl(k, ['get', 'secret', 'pika-encryption', '-n', 'pika', '-o', 'json']);
    const s = JSON.parse(secret.stdout);
    expect(s.kind).toBe('Secret');
    expect(Buffer.from(s.data.password, 'base64').toString()).toBe(BOOT);
    const missing = await kubectl(k, ['get', 'secret', 'nope', '-n', 'pika']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Error from server (NotFound): secrets "nope" not found');
  });

  it('patches the Secret with merge, strategic and JSON patches; a stale resourceVersion is a Conflict', async () => {
    const k = await startTestKube({ pods: 1, bootPassword: BOOT });
    const before = JSON.parse((await kubectl(k, ['get', 'secret', 'pika-encryption', '-o', 'json'])).stdout);
    const v2 = Buffer.from('second').toString('base64');
    const merged = await patchSecret(k, 'merge', { data: { 'password.pending': v2 } }, '-o', 'json');
    expect(merged.code).toBe(0);
    const after = JSON.parse(merged.stdout);
    expect(after.data).toEqual({ password: before.data.password, 'password.pending': v2 });
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));

    const stale = await patchSecret(k, 'merge', {
      metadata: { resourceVersion: before.metadata.resourceVersion },
      data: { password: v2 },
    });
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('Error from server (Conflict)');
    const fresh = await patchSecret(
      k,
      'strategic',
      {
        metadata: { resourceVersion: after.metadata.resourceVersion },
        data: { password: v2, 'password.pending': null },
      },
      '-o',
      'json',
    );
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout).data).toEqual({ password: v2 });
    const jp = await patchSecret(k, 'json', [
      { op: 'test', path: '/metadata/resourceVersion', value: before.metadata.resourceVersion },
      { op: 'remove', path: '/data/password' },
    ]);
    expect(jp.code).not.toBe(0); // the test op fails: nothing removed
    expect(Buffer.from(k.world.secret!.data.password, 'base64').toString()).toBe('second');
  });

  it('deletes a pod; the StatefulSet brings it back under a new uid, booted with the password the Secret holds then', async () => {
    const k = await startTestKube({ pods: 3, bootPassword: BOOT });
    const old = (await pods(k)).items[1];
    const del = await kubectl(k, ['delete', 'pod', 'pika-1', '-n', 'pika']);
    expect(del.stdout).toContain('pod "pika-1" deleted');
    expect(del.code).toBe(0);
    const back = await runningPod(k, 1);
    expect(back.metadata.name).toBe('pika-1');
    expect(back.metadata.uid).not.toBe(old.metadata.uid);
    expect(await keyStatus(k.podUrl(1))).toEqual({ initialized: true, unlocked: true });

    // A Secret that no longer holds the key: the next replacement comes back locked.
    expect((await wrongBootPassword(k, 'not-the-key')).code).toBe(0);
    expect((await kubectl(k, ['delete', 'pod', 'pika-2', '-n', 'pika'])).code).toBe(0);
    const pending = k.world.pods[2];
    expect(pending.phase).toBe('Pending');
    await runningPod(k, 2);
    expect(await keyStatus(k.podUrl(2))).toEqual({ initialized: true, unlocked: false });
  });

  it('a replacement held Pending is listed as not Ready without a pod IP, in JSON and in the printed table', async () => {
    const k = await startTestKube({ pods: 2, bootPassword: BOOT });
    k.world.hold(1);
    expect((await kubectl(k, ['delete', 'pod', 'pika-1', '-n', 'pika'])).code).toBe(0);
    const p = (await pods(k)).items[1];
    expect(p.status.phase).toBe('Pending');
    expect(p.status.podIP).toBeUndefined();
    expect(p.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('False');
    const table = await kubectl(k, ['get', 'pods', '-n', 'pika']);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(table.stdout).toMatch(/\npika-0\s+1\/1\s+Running\s+0\s+\d+s\n/);
    expect(table.stdout).toMatch(/\npika-1\s+0\/1\s+ContainerCreating\s+0\s+\d+s\n/);
    // Deleting the Pending replacement: another one, still held, and never two sandboxes for one pod.
    expect((await kubectl(k, ['delete', 'pod', 'pika-1', '-n', 'pika'])).code).toBe(0);
    const again = (await pods(k)).items[1];
    expect(again.metadata.uid).not.toBe(p.metadata.uid);
    expect(again.status.phase).toBe('Pending');
    k.world.release(1);
    await runningPod(k, 1);
    expect(k.world.cluster.isRunning(1)).toBe(true);
    expect(await keyStatus(k.podUrl(1))).toEqual({ initialized: true, unlocked: true });
  });

  // (kubectl auth can-i sends protobuf, which the stand-in does not speak: SelfSubjectAccessReview is checked with client-node.)
  it('answers 403 Forbidden as RBAC does for what a test denies', async () => {
    const k = await startTestKube({ pods: 1, bootPassword: BOOT });
    k.world.rbac.deny('patch', 'secrets');
    k.world.rbac.deny('list', 'pods');
    const list = await kubectl(k, ['get', 'pods', '-n', 'pika']);
    expect(list.code).not.toBe(0);
    expect(list.stderr).toContain(
      'Error from server (Forbidden): pods is forbidden: User "pikactl-sandbox-admin" cannot list resource "pods" in API group "" in the namespace "pika"',
    );
    const patch = await patchSecret(k, 'merge', { data: { x: 'eA==' } }, '-n', 'pika');
    expect(patch.stderr).toContain('Error from server (Forbidden)');
    expect(k.world.secret!.data.x).toBeUndefined();
    expect((await kubectl(k, ['get', 'pod', 'pika-0', '-n', 'pika'])).code).toBe(0); // get is still allowed
  });

  /** `kubectl port-forward pod/NAME :8080` until the test ends; resolves to the local URL it printed. */
  function portForward(k: TestKube, pod: string, env: Record<string, string> = {}): Promise<string> {
    const child = spawn(KUBECTL, ['port-forward', `pod/${pod}`, ':8080', '-n', 'pika', '--address', '127.0.0.1'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: k.dataDir, KUBECONFIG: k.kubeconfigFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      child.kill();
    });
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(
        () => reject(new Error(`kubectl port-forward printed no address: ${out} ${err}`)),
        10_000,
      );
      child.stderr.on('data', (d) => (err += d));
      child.stdout.on('data', (d) => {
        out += d;
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${m[1]}`);
        }
      });
      child.on('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${err}`)));
    });
  }

  // kubectl 1.31+ tunnels SPDY through a WebSocket first; with the feature off it upgrades to SPDY/3.1 directly.
  for (const [mode, env] of [
    ['SPDY over WebSocket', {}],
    ['SPDY upgrade', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
  ] as const) {
    it(`kubectl port-forward reaches the pod's own server (${mode})`, async () => {
      const k = await startTestKube({ pods: 2, bootPassword: BOOT });
      // pika-1 comes back locked (wrong password in the Secret): the forward must show THAT pod's state.
      await wrongBootPassword(k, 'wrong');
      await kubectl(k, ['delete', 'pod', 'pika-1', '-n', 'pika']);
      await runningPod(k, 1);
      for (const [pod, unlocked] of [
        ['pika-0', true],
        ['pika-1', false],
      ] as const) {
        const url = await portForward(k, pod, env);
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.text()).toBe('OK');
        // Two requests: two local connections, so two stream pairs on the one session.
        expect(await (await fetch(`${url}/api/v1/key/status`)).json()).toEqual({ initialized: true, unlocked });
        expect(await (await fetch(`${url}/api/v1/key/status`, { headers: { connection: 'close' } })).json()).toEqual({
          initialized: true,
          unlocked,
        });
      }
    });
  }
});
