import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Deps } from '../deps.js';
import { CliError, cancelled } from '../errors.js';
import { serverText } from '../output/server-text.js';
import { Secret } from '../secrets/secret.js';
import { inCluster, type KubeOptions } from '../config/kube-ref.js';
import { KubeConflict, type Forward, type KubeApi, type PodInfo, type SecretData } from './types.js';

/**
 * KubeApi over @kubernetes/client-node (the official client: kubeconfig, exec/OIDC auth
 * plugins, in-cluster config, its port-forward). This module is imported only when a
 * --kube target or a kube: source is used, so the client never loads at start-up.
 */

type K8s = typeof import('@kubernetes/client-node');

/** Where the kubeconfig comes from: --kubeconfig, else KUBECONFIG (a list), else ~/.kube/config, else the pod's service account. */
export async function openKubeApi(
  ctx: Pick<Deps, 'env' | 'cwd' | 'homedir'> & { signal?: AbortSignal },
  o: Pick<KubeOptions, 'kubeconfig' | 'kubeContext'>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<KubeApi> {
  const k8s: K8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  const files = o.kubeconfig
    ? [resolve(ctx.cwd, o.kubeconfig)]
    : (ctx.env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  const home = join(ctx.homedir, '.kube', 'config');
  try {
    if (files.length === 0 && existsSync(home)) files.push(home);
    if (files.length > 0) {
      kc.loadFromFile(files[0]);
      for (const f of files.slice(1)) {
        const more = new k8s.KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more);
      }
    } else if (inCluster(ctx.env)) {
      kc.loadFromCluster();
    } else {
      throw new Error(
        'no kubeconfig: pass --kubeconfig FILE or set KUBECONFIG (inside a pod, the service account is used)',
      );
    }
    if (o.kubeContext) {
      if (!kc.getContextObject(o.kubeContext)) throw new Error(`the kubeconfig has no context "${o.kubeContext}"`);
      kc.setCurrentContext(o.kubeContext);
    }
    if (!kc.getCurrentCluster())
      throw new Error('the kubeconfig has no current context with a cluster (use --kube-context NAME)');
  } catch (err) {
    throw new CliError(
      `cannot load the Kubernetes configuration: ${err instanceof Error ? err.message : String(err)}`,
      {
        code: 'usage',
        hint: 'Check it with `kubectl config view --minify`; pikactl reads the same file (--kubeconfig, KUBECONFIG, ~/.kube/config).',
        cause: err,
      },
    );
  }
  return new OfficialKubeApi(k8s, kc, timeoutMs, ctx.signal);
}

/** Each API call is bounded (the client itself has no timeout) and ends on Ctrl-C. */
const DEFAULT_TIMEOUT_MS = 30_000;

function bounded<T>(p: Promise<T>, ms: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (err: Error) => (cleanup(), reject(err));
    const timer = setTimeout(
      () => fail(new Error(`no answer from the Kubernetes API within ${Math.round(ms / 1000)}s (${what})`)),
      ms,
    );
    const onAbort = () => fail(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
    const cleanup = () => (clearTimeout(timer), signal?.removeEventListener('abort', onAbort));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (cleanup(), resolve(v)),
      (e: unknown) => (cleanup(), reject(e)),
    );
  });
}

class OfficialKubeApi implements KubeApi {
  readonly defaultNamespace: string;
  readonly server: string;
  private readonly core;
  private readonly apps;

  constructor(
    private readonly k8s: K8s,
    private readonly kc: InstanceType<K8s['KubeConfig']>,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
    this.server = kc.getCurrentCluster()?.server ?? 'the API server';
  }

  async selectorOf(namespace: string, kind: 'statefulset' | 'deployment' | 'service', name: string): Promise<string> {
    const what = `${kind}/${name} in namespace ${namespace}`;
    if (kind === 'service') {
      const svc = await this.call(what, 'get services', () => this.core.readNamespacedService({ name, namespace }));
      const sel = svc.spec?.selector ?? {};
      if (Object.keys(sel).length === 0)
        throw new CliError(`${what} has no selector, so it names no pods`, {
          code: 'usage',
          hint: 'Name the StatefulSet instead: --kube sts/NAME',
        });
      return Object.entries(sel)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
    }
    type Selected = { spec?: { selector?: Parameters<typeof selectorText>[0] } };
    const obj = await this.call<Selected>(what, `get ${kind}s`, () =>
      kind === 'statefulset'
        ? this.apps.readNamespacedStatefulSet({ name, namespace })
        : this.apps.readNamespacedDeployment({ name, namespace }),
    );
    return selectorText(obj.spec?.selector ?? {});
  }

  async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
    const list = await this.call(`pods in namespace ${namespace}`, 'list pods', () =>
      this.core.listNamespacedPod({ namespace, labelSelector }),
    );
    return list.items.map(podInfo).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  }

  async getPod(namespace: string, name: string): Promise<PodInfo | undefined> {
    try {
      return podInfo(
        await bounded(this.core.readNamespacedPod({ name, namespace }), this.timeoutMs, this.signal, 'get pod'),
      );
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.mapError(err, `pod/${name} in namespace ${namespace}`, 'get pods');
    }
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await this.call(`pod/${name} in namespace ${namespace}`, 'delete pods', () =>
      this.core.deleteNamespacedPod({ name, namespace }),
    );
  }

  async readSecret(namespace: string, name: string): Promise<SecretData> {
    const s = await this.call(`secret/${name} in namespace ${namespace}`, 'get secrets', () =>
      this.core.readNamespacedSecret({ name, namespace }),
    );
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.data ?? {})) {
      data[k] = Buffer.from(v, 'base64').toString('utf8');
      // Every value is a secret of this invocation: the redactor cuts it (and its base64) out of any output.
      if (data[k] !== '') new Secret(data[k], `kube:${namespace}/secret/${name}/${k}`);
    }
    return { resourceVersion: s.metadata?.resourceVersion ?? '', data };
  }

  async patchSecret(
    namespace: string,
    name: string,
    resourceVersion: string,
    data: Record<string, string | null>,
  ): Promise<string> {
    const body = {
      metadata: { resourceVersion },
      data: Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, v === null ? null : Buffer.from(v, 'utf8').toString('base64')]),
      ),
    };
    const what = `secret/${name} in namespace ${namespace}`;
    const options = this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.MergePatch);
    try {
      const s = await bounded(
        this.core.patchNamespacedSecret({ name, namespace, body }, options),
        this.timeoutMs,
        this.signal,
        'patch secret',
      );
      return s.metadata?.resourceVersion ?? '';
    } catch (err) {
      if (statusOf(err) === 409) throw new KubeConflict(what);
      throw this.mapError(err, what, 'patch secrets');
    }
  }

  /** A loopback listener; each connection is one port-forward WebSocket to the pod (as kubectl port-forward does). */
  async forward(namespace: string, pod: string, port: number): Promise<Forward> {
    const pf = new this.k8s.PortForward(this.kc);
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      // The error stream carries e.g. "connection refused" from the kubelet: end this connection.
      const errors = new Writable({ write: (c: Buffer, _e, done) => (c.length > 0 && socket.destroy(), done()) });
      pf.portForward(namespace, pod, [port], socket, errors, socket).then(
        (ws) => {
          const w = typeof ws === 'function' ? ws() : ws;
          if (!w) return socket.destroy();
          w.on('close', () => socket.end());
          w.on('error', () => socket.destroy());
          socket.on('close', () => w.close());
        },
        () => socket.destroy(),
      );
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok());
    });
    server.unref();
    const address = server.address();
    return {
      port: typeof address === 'object' && address ? address.port : 0,
      close: () =>
        new Promise<void>((ok) => {
          for (const s of sockets) s.destroy();
          server.close(() => ok());
        }),
    };
  }

  private async call<T>(what: string, verb: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await bounded(fn(), this.timeoutMs, this.signal, verb);
    } catch (err) {
      throw this.mapError(err, what, verb);
    }
  }

  private mapError(err: unknown, what: string, verb: string): CliError {
    if (this.signal?.aborted) return cancelled();
    const status = statusOf(err);
    const said = serverText(messageOf(err), { max: 300 });
    if (status === 404)
      return new CliError(`no ${what} (the Kubernetes API answered 404)`, {
        code: 'usage',
        hint: 'Check the name and -n/--namespace (kubectl get statefulsets,pods -n NAMESPACE).',
        cause: err,
      });
    if (status === 401)
      return new CliError(`the Kubernetes API refused the credentials (401) for ${what}`, {
        code: 'auth',
        hint: 'Log in again for your kubeconfig context (e.g. refresh the cloud credentials), then retry.',
        cause: err,
      });
    if (status === 403) {
      return new CliError(`the Kubernetes API forbids ${verb} for ${what} (403): ${said}`, {
        code: 'not_permitted',
        hint: 'Your Role needs that verb: see the RBAC Role in the README section "Kubernetes".',
        cause: err,
      });
    }
    if (status !== undefined)
      return new CliError(`the Kubernetes API answered ${status} for ${what}: ${said}`, { code: 'error', cause: err });
    return new CliError(`cannot reach the Kubernetes API at ${serverText(this.server, { max: 200 })}: ${said}`, {
      code: 'unreachable',
      hint: 'Check that `kubectl get pods` works with the same kubeconfig and context.',
      cause: err,
    });
  }
}

function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function messageOf(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      const m = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof m === 'string') return m;
    } catch {
      // not a Status object
    }
  }
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** matchLabels and matchExpressions as a label selector string (the API's own syntax). */
export function selectorText(sel: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(',')})`;
    if (e.operator === 'In') parts.push(`${e.key} in ${values}`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin ${values}`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  if (parts.length === 0)
    throw new CliError('the workload has an empty selector: it would name every pod in the namespace', {
      code: 'usage',
    });
  return parts.join(',');
}

type V1Pod = import('@kubernetes/client-node').V1Pod;

export function podInfo(p: V1Pod): PodInfo {
  const containers = p.spec?.containers ?? [];
  const ports = containers.flatMap((c) =>
    (c.ports ?? []).map((x) => ({ ...(x.name ? { name: x.name } : {}), containerPort: x.containerPort })),
  );
  const env = containers.flatMap((c) => c.env ?? []).find((e) => e.name === 'PIKA_ENCRYPTION_PASSWORD');
  const ref = env?.valueFrom?.secretKeyRef;
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? '',
    uid: p.metadata?.uid ?? '',
    phase: p.status?.phase ?? 'Unknown',
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    terminating: Boolean(p.metadata?.deletionTimestamp),
    ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    ports,
    ...(ref?.name && ref.key ? { bootSecret: { name: ref.name, key: ref.key } } : {}),
  };
}
