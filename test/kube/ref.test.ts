import { describe, expect, it } from 'vitest';
import {
  connectMode,
  kubeOptionsOf,
  parseKubeRef,
  parseKubeSecretSource,
  parseSecretRef,
} from '../../src/config/kube-ref.js';
import { choosePort } from '../../src/kube/targets.js';
import { parseSecretSpec, describeSpec } from '../../src/secrets/spec.js';
import type { PodInfo } from '../../src/kube/types.js';

describe('kube refs and options', () => {
  it('long and short kinds', () => {
    expect(
      [
        'statefulset/pika',
        'sts/pika',
        'deployment/pika',
        'deploy/pika',
        'service/pika',
        'svc/pika',
        'pod/pika-0',
        'po/pika-0',
      ].map((r) => parseKubeRef(r).kind),
    ).toEqual(['statefulset', 'statefulset', 'deployment', 'deployment', 'service', 'service', 'pod', 'pod']);
    for (const bad of ['pika', 'sts/', 'job/pika', 'sts/Pika', 'sts/a/b'])
      expect(() => parseKubeRef(bad)).toThrow(/--kube|Kubernetes name/);
  });

  it('connect mode: the flag, else direct inside a pod, else forward', () => {
    expect(connectMode({}, {})).toBe('forward');
    expect(connectMode({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' })).toBe('direct');
    expect(
      connectMode({ connect: 'forward' }, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }),
    ).toBe('forward');
  });

  it('--kube-port and --kube-connect need --kube; values are checked', () => {
    expect(kubeOptionsOf({})).toBeUndefined();
    expect(() => kubeOptionsOf({ kubePort: '8080' })).toThrow(/needs --kube/);
    expect(() => kubeOptionsOf({ kube: 'sts/pika', kubePort: '70000' })).toThrow(/1 to 65535/);
    expect(kubeOptionsOf({ kube: 'sts/pika', namespace: 'pika', kubePort: 'web' })).toMatchObject({
      namespace: 'pika',
      port: { name: 'web' },
    });
  });

  it('the pod port: named http, else 8080; a named port that is missing is an error', () => {
    const pod = (ports: PodInfo['ports']): PodInfo => ({
      name: 'p',
      namespace: 'n',
      uid: 'u',
      phase: 'Running',
      ready: true,
      terminating: false,
      ports,
    });
    expect(
      choosePort(
        pod([
          { name: 'public', containerPort: 9090 },
          { name: 'http', containerPort: 8081 },
        ]),
        undefined,
      ),
    ).toEqual({ port: 8081, tls: false });
    expect(choosePort(pod([]), undefined)).toEqual({ port: 8080, tls: false });
    expect(choosePort(pod([{ name: 'https', containerPort: 8443 }]), { name: 'https' })).toEqual({
      port: 8443,
      tls: true,
    });
    expect(() => choosePort(pod([{ name: 'http', containerPort: 8080 }]), { name: 'web' })).toThrow(
      /no container port named "web"/,
    );
  });

  it('--kube-secret NAME/KEY and the kube: source', () => {
    expect(parseSecretRef('pika-encryption/password')).toEqual({ name: 'pika-encryption', key: 'password' });
    for (const bad of ['pika-encryption', 'a/b/c', 'x/password.pending'])
      expect(() => parseSecretRef(bad)).toThrow(/NAME\/KEY/);
    expect(parseKubeSecretSource('secret/pika-encryption/password')).toEqual({
      name: 'pika-encryption',
      key: 'password',
    });
    expect(parseKubeSecretSource('pika/secret/pika-encryption/password')).toEqual({
      namespace: 'pika',
      name: 'pika-encryption',
      key: 'password',
    });
    const spec = parseSecretSpec('kube:pika/secret/s/k', '--key-from');
    expect(describeSpec(spec)).toBe('kube:pika/secret/s/k');
    // A passphrase typed after kube: is refused without being echoed.
    expect(() => parseSecretSpec('kube:hunter2-passphrase', '--key-from')).toThrow(/kube: takes secret\/NAME\/KEY/);
    try {
      parseSecretSpec('kube:hunter2-passphrase', '--key-from');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('hunter2');
    }
  });
});

describe('pods as targets', () => {
  const pod = (name: string, ip: string, phase = 'Running'): PodInfo => ({
    name,
    namespace: 'pika',
    uid: name,
    phase,
    ready: phase === 'Running',
    terminating: false,
    ip,
    ports: [{ name: 'http', containerPort: 8080 }],
  });
  const api = (pods: PodInfo[]) =>
    ({
      defaultNamespace: 'default',
      server: 'fake',
      selectorOf: async () => 'app=pika',
      listPods: async () => pods,
      getPod: async () => undefined,
      forward: async () => ({ port: 40123, close: async () => undefined }),
    }) as unknown as import('../../src/kube/types.js').KubeApi;

  it('direct: the pod IP over plain http, marked as the documented exception; forward: a loopback port', async () => {
    const { selectPods } = await import('../../src/kube/targets.js');
    const pods = [pod('pika-0', '10.1.2.3'), pod('pika-1', '10.1.2.4', 'Pending')];
    const direct = await selectPods(
      api(pods),
      { ref: { kind: 'statefulset', name: 'pika' }, namespace: 'pika', connect: 'direct' },
      {},
    );
    expect(direct.targets.map((t) => [t.server.id, t.server.url.href, t.podHttp])).toEqual([
      ['pika/pod/pika-0', 'http://10.1.2.3:8080/', true],
    ]);
    expect(direct.idle.map((p) => p.id)).toEqual(['pika/pod/pika-1']);
    const { assertHttpAllowed } = await import('../../src/transport/options.js');
    expect(() => assertHttpAllowed(direct.targets[0].server, false)).toThrow(/refusing plain http/); // why openInvocation passes podHttp
    const fwd = await selectPods(api(pods), { ref: { kind: 'statefulset', name: 'pika' }, namespace: 'pika' }, {});
    expect(fwd.targets.map((t) => [t.server.url.href, t.podHttp, t.server.isLoopback])).toEqual([
      ['http://127.0.0.1:40123/', false, true],
    ]);
  });
});
