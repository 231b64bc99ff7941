import { isIP } from 'node:net';
import { parseServerUrl, type ServerUrl } from '../api/url.js';
import { CliError } from '../errors.js';
import { connectMode, type KubeConnect, type KubeOptions, type KubePort } from '../config/kube-ref.js';
import type { Env } from '../deps.js';
import type { Forward, KubeApi, PodInfo } from './types.js';

/**
 * Pods as pikactl targets. Each Running pod becomes a ServerUrl whose id names the pod
 * (`pod/pika-0`, or `NS/pod/pika-0` outside the default namespace: rows, hints, journals)
 * while its URL is where the bytes go: a loopback port-forward, or the pod IP (direct).
 * Pods that are not Running are kept as rows with Kubernetes' own state and get no request.
 */

/** The pod's own facts beside Pika's: a row's PHASE and READY columns. */
export interface PodFacts {
  name: string;
  namespace: string;
  /** The row name: podId(). */
  id: string;
  phase: string;
  ready: boolean;
  terminating: boolean;
  bootSecret?: { name: string; key: string };
}

export interface PodTarget {
  server: ServerUrl;
  pod: PodFacts;
  /** The address is plain http to a pod reached directly: the documented exception to --allow-http. */
  podHttp: boolean;
}

export interface KubeSelection {
  api: KubeApi;
  namespace: string;
  /** What the operator named, for messages: "statefulset/pika in namespace pika". */
  what: string;
  connect: KubeConnect;
  /** Running pods, one target each. */
  targets: PodTarget[];
  /** Pods that are not Running (or are being deleted): rows without a request. */
  idle: PodFacts[];
  close(): Promise<void>;
}

/** `pod/NAME`, with the namespace in front when it is not the kubeconfig context's default. */
export const podId = (name: string, namespace: string, defaultNamespace = 'default') =>
  namespace === defaultNamespace ? `pod/${name}` : `${namespace}/pod/${name}`;

export function podFacts(p: PodInfo, defaultNamespace: string): PodFacts {
  return {
    name: p.name,
    namespace: p.namespace,
    id: podId(p.name, p.namespace, defaultNamespace),
    phase: p.phase,
    ready: p.ready,
    terminating: p.terminating,
    ...(p.bootSecret ? { bootSecret: p.bootSecret } : {}),
  };
}

/** The port to talk to: --kube-port by name or number, else the container port named "http", else 8080. */
export function choosePort(p: PodInfo, want: KubePort | undefined): { port: number; tls: boolean } {
  if (want && 'number' in want)
    return { port: want.number, tls: p.ports.find((x) => x.containerPort === want.number)?.name === 'https' };
  const name = want?.name ?? 'http';
  const found = p.ports.find((x) => x.name === name);
  if (found) return { port: found.containerPort, tls: name === 'https' };
  if (want) {
    const names = p.ports.map((x) => x.name).filter(Boolean);
    throw new CliError(`pod/${p.name} has no container port named "${name}"`, {
      code: 'usage',
      hint: `Its named ports: ${names.join(', ') || 'none'}; or pass --kube-port NUMBER.`,
    });
  }
  return { port: 8080, tls: false };
}

/** A ServerUrl that is named after the pod but connects to `address`. */
export function podServer(id: string, address: string): ServerUrl {
  return { ...parseServerUrl(address), id };
}

export const hostOf = (ip: string) => (isIP(ip) === 6 ? `[${ip}]` : ip);

/** Finds the pods a ref names (a workload's or service's selector, or one pod). */
export async function findPods(api: KubeApi, o: KubeOptions, namespace: string): Promise<PodInfo[]> {
  const { kind, name } = o.ref;
  if (kind === 'pod') {
    const pod = await api.getPod(namespace, name);
    if (!pod)
      throw new CliError(`no pod/${name} in namespace ${namespace}`, {
        code: 'usage',
        hint: `List them with: kubectl get pods -n ${namespace}`,
      });
    return [pod];
  }
  const selector = await api.selectorOf(namespace, kind, name);
  const pods = await api.listPods(namespace, selector);
  if (pods.length === 0) {
    throw new CliError(`${kind}/${name} in namespace ${namespace} has no pods (selector ${selector})`, {
      code: 'unreachable',
      hint: `Check with: kubectl get pods -n ${namespace} -l ${selector}`,
    });
  }
  return pods;
}

/** Discovery, then a way in to every Running pod. Forwards opened here are closed by close(). */
export async function selectPods(api: KubeApi, o: KubeOptions, env: Env): Promise<KubeSelection> {
  const namespace = o.namespace ?? api.defaultNamespace;
  const connect = connectMode(o, env);
  const pods = await findPods(api, o, namespace);
  const forwards: Forward[] = [];
  const targets: PodTarget[] = [];
  const idle: PodFacts[] = [];
  const close = async () => {
    await Promise.allSettled(forwards.map((f) => f.close()));
  };
  try {
    for (const p of pods) {
      if (p.phase !== 'Running' || p.terminating || (connect === 'direct' && !p.ip)) {
        idle.push(podFacts(p, api.defaultNamespace));
        continue;
      }
      const { port, tls } = choosePort(p, o.port);
      const scheme = tls ? 'https' : 'http';
      let address: string;
      if (connect === 'forward') {
        const f = await api.forward(namespace, p.name, port);
        forwards.push(f);
        address = `${scheme}://127.0.0.1:${f.port}`;
      } else {
        address = `${scheme}://${hostOf(p.ip!)}:${port}`;
      }
      const facts = podFacts(p, api.defaultNamespace);
      targets.push({ server: podServer(facts.id, address), pod: facts, podHttp: !tls && connect === 'direct' });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    api,
    namespace,
    what: `${o.ref.kind}/${o.ref.name} in namespace ${namespace}`,
    connect,
    targets,
    idle,
    close,
  };
}
