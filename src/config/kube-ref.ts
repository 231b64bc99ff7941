import { usageError } from '../errors.js';
import type { Env } from '../deps.js';

/**
 * The Kubernetes side of a target, as typed: `--kube sts/pika -n pika`. Pure parsing
 * and option resolution only; nothing here loads @kubernetes/client-node (start-up
 * must not pay for it, see src/kube/api.ts).
 */

export type KubeKind = 'statefulset' | 'deployment' | 'service' | 'pod';

export interface KubeRef {
  kind: KubeKind;
  name: string;
}

const KINDS: Record<string, KubeKind> = {
  statefulset: 'statefulset',
  statefulsets: 'statefulset',
  sts: 'statefulset',
  deployment: 'deployment',
  deployments: 'deployment',
  deploy: 'deployment',
  service: 'service',
  services: 'service',
  svc: 'service',
  pod: 'pod',
  pods: 'pod',
  po: 'pod',
};

// RFC 1123 names: what Kubernetes accepts for these objects (and namespaces).
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export const REF_FORMS =
  'statefulset/NAME, deployment/NAME, service/NAME or pod/NAME (short: sts/, deploy/, svc/, po/)';

export function parseKubeRef(text: string, flag = '--kube'): KubeRef {
  const slash = text.indexOf('/');
  const kind = slash > 0 ? KINDS[text.slice(0, slash).toLowerCase()] : undefined;
  const name = slash > 0 ? text.slice(slash + 1) : '';
  if (!kind) throw usageError(`${flag} takes ${REF_FORMS}`, 'e.g. --kube sts/pika -n pika');
  checkName(name, `${flag} ${kind}/NAME`);
  return { kind, name };
}

export function checkName(name: string, what: string): string {
  if (!DNS_NAME.test(name))
    throw usageError(
      `${what}: "${name.slice(0, 64)}" is not a Kubernetes name (lower-case letters, digits, "-" and ".")`,
    );
  return name;
}

// Typed by the operator (parseKubeRef checked it), not server text.
export const formatRef = (ref: KubeRef) => `${ref.kind}/${ref.name}`;

export type KubeConnect = 'forward' | 'direct';

/** A port on the pod: a container port's name, or a number. */
export type KubePort = { name: string } | { number: number };

/** What `--kube*` flags (or a context's `kube` block) say, before any API call. */
export interface KubeOptions {
  ref: KubeRef;
  /** Undefined: the kubeconfig context's namespace, else the service account's, else "default". */
  namespace?: string;
  kubeContext?: string;
  kubeconfig?: string;
  port?: KubePort;
  connect?: KubeConnect;
}

export function parseKubePort(text: string): KubePort {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > 65535) throw usageError(`--kube-port ${text}: a port number is 1 to 65535`);
    return { number: n };
  }
  if (!/^[a-z0-9]([-a-z0-9]{0,13})$/.test(text))
    throw usageError(`--kube-port takes a container port's name (e.g. http) or a number`);
  return { name: text };
}

export function parseKubeConnect(text: string): KubeConnect {
  if (text !== 'forward' && text !== 'direct')
    throw usageError(
      `--kube-connect takes "forward" or "direct"`,
      'forward: a port-forward through the API server; direct: the pod IP (inside the cluster)',
    );
  return text;
}

/** True when pikactl itself runs in a pod (the service account's API address is set). */
export function inCluster(env: Env): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST) && Boolean(env.KUBERNETES_SERVICE_PORT);
}

/** The connect mode: the flag, else direct inside a cluster (pod IPs are routable there), else forward. */
export function connectMode(o: Pick<KubeOptions, 'connect'>, env: Env): KubeConnect {
  return o.connect ?? (inCluster(env) ? 'direct' : 'forward');
}

/** The raw flag values (global options or a context's `kube` block). */
export interface KubeFlags {
  kube?: string;
  namespace?: string;
  kubeContext?: string;
  kubeconfig?: string;
  kubePort?: string;
  kubeConnect?: string;
}

/** Parses the flags; undefined when no `--kube` ref is given (the others then make no sense and are refused). */
export function kubeOptionsOf(f: KubeFlags): KubeOptions | undefined {
  if (f.kube === undefined || f.kube === '') {
    const stray = (['kubePort', 'kubeConnect'] as const).find((k) => f[k] !== undefined);
    if (stray)
      throw usageError(
        `--${stray === 'kubePort' ? 'kube-port' : 'kube-connect'} needs --kube REF`,
        'e.g. --kube sts/pika -n pika',
      );
    return undefined;
  }
  return {
    ref: parseKubeRef(f.kube),
    ...(f.namespace ? { namespace: checkName(f.namespace, '--namespace') } : {}),
    ...(f.kubeContext ? { kubeContext: f.kubeContext } : {}),
    ...(f.kubeconfig ? { kubeconfig: f.kubeconfig } : {}),
    ...(f.kubePort ? { port: parseKubePort(f.kubePort) } : {}),
    ...(f.kubeConnect ? { connect: parseKubeConnect(f.kubeConnect) } : {}),
  };
}

/** `--kube-secret NAME/KEY`: the boot-password Secret and its data key. */
export interface SecretRef {
  namespace?: string;
  name: string;
  key: string;
}

const DATA_KEY = /^[-._a-zA-Z0-9]{1,200}$/;

export function parseSecretRef(text: string, flag = '--kube-secret'): SecretRef {
  const parts = text.split('/');
  if (
    parts.length !== 2 ||
    !DATA_KEY.test(parts[1]) ||
    parts[1].endsWith('.pending') ||
    parts[1].endsWith('.previous')
  ) {
    throw usageError(`${flag} takes NAME/KEY: a Secret and its data key (e.g. pika-encryption/password)`);
  }
  return { name: checkName(parts[0], flag), key: parts[1] };
}

/**
 * `kube:secret/NAME/KEY` or `kube:NS/secret/NAME/KEY` (the part after `kube:`).
 * The text is a place, never a value, but errors still do not echo it.
 */
export function parseKubeSecretSource(rest: string): SecretRef | undefined {
  const parts = rest.split('/');
  const at = parts.length === 4 ? 1 : parts.length === 3 ? 0 : -1;
  if (at < 0 || parts[at] !== 'secret') return undefined;
  const [name, key] = parts.slice(at + 1);
  if (!DNS_NAME.test(name) || !DATA_KEY.test(key)) return undefined;
  if (at === 1 && !DNS_NAME.test(parts[0])) return undefined;
  return { ...(at === 1 ? { namespace: parts[0] } : {}), name, key };
}
