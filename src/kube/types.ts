/**
 * What pikactl needs from the Kubernetes API, as an interface: the official client
 * implements it (src/kube/api.ts, loaded only for --kube targets and kube: sources),
 * and the pure logic (targets, Secret staging, roll) is written and tested over it.
 */

export interface PodPort {
  name?: string;
  containerPort: number;
}

/** A pod's boot password: env PIKA_ENCRYPTION_PASSWORD from a Secret (pika-api.md §8). */
export interface BootSecretRef {
  name: string;
  key: string;
}

export interface PodInfo {
  name: string;
  namespace: string;
  uid: string;
  /** Pending, Running, Succeeded, Failed, Unknown (status.phase). */
  phase: string;
  /** The Ready condition is True. */
  ready: boolean;
  /** metadata.deletionTimestamp is set: the pod is going away. */
  terminating: boolean;
  ip?: string;
  ports: PodPort[];
  bootSecret?: BootSecretRef;
}

/** A Secret's data (decoded bytes as UTF-8 strings, kept only in memory) and its version. */
export interface SecretData {
  resourceVersion: string;
  data: Record<string, string>;
}

/** A local loopback port that leads to a pod's port. */
export interface Forward {
  port: number;
  close(): Promise<void>;
}

export interface KubeApi {
  /** The namespace used when none is given: the kubeconfig context's, the service account's, or "default". */
  readonly defaultNamespace: string;
  /** The API server, for messages. */
  readonly server: string;
  /** A label selector for a workload or service; a pod ref has none. */
  selectorOf(namespace: string, kind: 'statefulset' | 'deployment' | 'service', name: string): Promise<string>;
  listPods(namespace: string, labelSelector: string): Promise<PodInfo[]>;
  /** undefined when there is no such pod (404). */
  getPod(namespace: string, name: string): Promise<PodInfo | undefined>;
  deletePod(namespace: string, name: string): Promise<void>;
  readSecret(namespace: string, name: string): Promise<SecretData>;
  /**
   * A merge patch of data keys (null deletes one) guarded by metadata.resourceVersion:
   * a concurrent change makes the API server answer 409, thrown as a KubeConflict.
   * Returns the new resourceVersion.
   */
  patchSecret(
    namespace: string,
    name: string,
    resourceVersion: string,
    data: Record<string, string | null>,
  ): Promise<string>;
  forward(namespace: string, pod: string, port: number): Promise<Forward>;
}

/** The API server answered 409 Conflict to a guarded write: someone else changed the object. */
export class KubeConflict extends Error {
  constructor(readonly object: string) {
    super(`${object} was changed by someone else (409 Conflict on its resourceVersion)`);
    this.name = 'KubeConflict';
  }
}
