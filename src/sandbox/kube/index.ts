import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { startSandboxCluster, type SandboxClusterOptions } from '../cluster.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { newUid, type SecretState, type Workload } from './objects.js';
import { buildApiServer } from './server.js';
import { makeKubeTls } from './tls.js';
import { KubeWorld } from './world.js';

/**
 * `pikactl sandbox --kube N`: a Kubernetes API stand-in over a simulated Pika cluster.
 * Pod i is sandbox node i (node 0 leads; followers forward POSTs to it), listening on
 * its own pod IP 127.R.S.(i+2) port 8080, plain HTTP as upstream's pods are. Where
 * 127/8 beyond 127.0.0.1 cannot be bound (macOS), every pod shares 127.0.0.1 with its
 * own port, and that port is the pod's containerPort named `http` in its own spec.
 */
export interface KubeSandboxOptions
  extends Omit<SandboxClusterOptions, 'nodes' | 'ports' | 'hosts' | 'firstBoot' | 'tls' | 'basePath'> {
  pods: number;
  namespace?: string;
  name?: string;
  /** The boot password in Secret `<name>-encryption`/password (generated when undefined); false: no Secret, no env. */
  bootPassword?: string | false;
  /** Port of the API server on 127.0.0.1 (0: any). */
  apiPort?: number;
  /** Force the 127.0.0.1-with-distinct-ports layout (tests of that mode). */
  sharedLoopback?: boolean;
  pendingMs?: number;
}

export interface KubeSandbox {
  server: string;
  token: string;
  caPem: string;
  namespace: string;
  kubeconfig: string;
  world: KubeWorld;
  /** Pod i's HTTP address, as direct mode reaches it. */
  podUrl(i: number): string;
  stop(): Promise<void>;
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, host, () => s.close(() => done(true)));
  });
}

async function podAddresses(n: number, shared: boolean): Promise<{ ips: string[]; port: number }> {
  if (!shared) {
    // A random 127.R.S.0/24 per stand-in, so two of them (parallel tests) do not collide on :8080.
    for (let tries = 0; tries < 5; tries++) {
      const [r, s] = [10 + (randomBytes(1)[0] % 240), randomBytes(1)[0]];
      const ips = Array.from({ length: n }, (_, i) => `127.${r}.${s}.${i + 2}`);
      if (await canBind(ips[0], 8080)) return { ips, port: 8080 };
    }
  }
  return { ips: Array.from({ length: n }, () => '127.0.0.1'), port: 0 };
}

export async function startKubeSandbox(o: KubeSandboxOptions): Promise<KubeSandbox> {
  const n = o.pods;
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`a Kubernetes sandbox needs 1 to 16 pods, not ${n}`);
  const log = o.logger ?? (() => {});
  const name = o.name ?? 'pika';
  const namespace = o.namespace ?? 'pika';
  const now = new Date();
  const password = o.bootPassword === false ? undefined : (o.bootPassword ?? randomBytes(24).toString('base64url'));
  const workload: Workload = {
    namespace,
    name,
    replicas: n,
    uid: newUid(),
    created: now,
    rv: 1,
    ...(password !== undefined ? { bootSecret: { name: `${name}-encryption`, key: 'password' } } : {}),
  };
  const secret: SecretState | undefined =
    password === undefined
      ? undefined
      : {
          name: `${name}-encryption`,
          uid: newUid(),
          created: now,
          rv: 2,
          data: { password: Buffer.from(password).toString('base64') },
        };
  const { ips, port } = await podAddresses(n, Boolean(o.sharedLoopback));
  const {
    pods: _p,
    namespace: _n,
    name: _m,
    bootPassword: _b,
    apiPort,
    sharedLoopback: _s,
    pendingMs,
    ...clusterOpts
  } = o;
  const cluster = await startSandboxCluster({
    ...clusterOpts,
    dataDir: resolve(o.dataDir),
    nodes: n,
    hosts: ips,
    ports: ips.map(() => port),
    // Pika's boot: the first pod auto-initializes with the password, the others unlock with it.
    ...(password !== undefined ? { firstBoot: { bootKey: password, boot: 'pika' as const } } : {}),
  });
  const ports = ips.map((_, i) => cluster.node(i).port);
  let world: KubeWorld | undefined;
  try {
    const tls = await makeKubeTls();
    world = new KubeWorld({ workload, secret, cluster, ips, ports, pendingMs, log });
    const token = randomBytes(24).toString('base64url');
    const { server: api, closeUpgraded } = buildApiServer({ world, tls, token, log });
    const apiPortNo = await new Promise<number>((done, fail) => {
      api.once('error', fail);
      api.listen(apiPort ?? 0, '127.0.0.1', () => {
        const a = api.address();
        done(typeof a === 'object' && a ? a.port : 0);
      });
    });
    const server = `https://127.0.0.1:${apiPortNo}`;
    const w = world;
    let stopped: Promise<void> | undefined;
    return {
      server,
      token,
      caPem: tls.caPem,
      namespace,
      kubeconfig: kubeconfigYaml({ server, caPem: tls.caPem, token, namespace }),
      world: w,
      podUrl: (i) => `http://${ips[i]}:${ports[i]}`,
      stop: () =>
        (stopped ??= (async () => {
          await new Promise<void>((done) => {
            api.close(() => done());
            closeUpgraded();
            api.closeAllConnections();
          });
          await w.stop();
        })()),
    };
  } catch (err) {
    await (world ? world.stop() : cluster.stop());
    throw err;
  }
}
