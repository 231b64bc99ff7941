import { randomUUID } from 'node:crypto';

/**
 * The API objects the stand-in serves, built from its live state in the shapes the real
 * API server returns (what `kubectl get -o json` shows, minus fields nobody reads).
 * One resourceVersion counter for everything, as etcd's revision is.
 */

export const NAME_LABEL = 'app.kubernetes.io/name';
export const ENV_PASSWORD = 'PIKA_ENCRYPTION_PASSWORD';

export interface PodState {
  index: number;
  uid: string;
  phase: 'Pending' | 'Running' | 'Failed';
  ready: boolean;
  created: Date;
  started?: Date;
  deleting?: Date;
  rv: number;
  ip: string;
  /** The container's HTTP port on `ip` (8080, unless the pods had to share 127.0.0.1). */
  port: number;
}

export interface SecretState {
  name: string;
  uid: string;
  created: Date;
  rv: number;
  data: Record<string, string>; // base64 values, as stored
}

export interface Workload {
  namespace: string;
  name: string;
  /** Secret name/key the pods read PIKA_ENCRYPTION_PASSWORD from; undefined: no boot password. */
  bootSecret?: { name: string; key: string };
  replicas: number;
  uid: string;
  created: Date;
  rv: number;
}

export const labelsFor = (w: Workload, i?: number): Record<string, string> => ({
  [NAME_LABEL]: w.name,
  ...(i === undefined
    ? {}
    : {
        'apps.kubernetes.io/pod-index': String(i),
        'statefulset.kubernetes.io/pod-name': `${w.name}-${i}`,
        'controller-revision-hash': `${w.name}-5d8c7b9f4`,
      }),
});

const ts = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function meta(w: Workload, name: string, uid: string, created: Date, rv: number, extra: Record<string, unknown> = {}) {
  return { name, namespace: w.namespace, uid, resourceVersion: String(rv), creationTimestamp: ts(created), ...extra };
}

function container(w: Workload, port: number) {
  return {
    name: 'pika',
    image: 'ghcr.io/gopikaio/pika:sandbox',
    ports: [
      { name: 'http', containerPort: port, protocol: 'TCP' },
      { name: 'public', containerPort: 9090, protocol: 'TCP' },
      { name: 'cluster', containerPort: 5000, protocol: 'UDP' },
    ],
    env: [
      ...(w.bootSecret
        ? [{ name: ENV_PASSWORD, valueFrom: { secretKeyRef: { name: w.bootSecret.name, key: w.bootSecret.key } } }]
        : []),
      {
        name: 'PIKA_CLUSTER_SECURITY_KEY',
        valueFrom: { secretKeyRef: { name: `${w.name}-cluster`, key: 'security_key' } },
      },
    ],
    readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
  };
}

function template(w: Workload, port = 8080) {
  return {
    metadata: { labels: labelsFor(w) },
    spec: { serviceAccountName: w.name, containers: [container(w, port)] },
  };
}

export function podJson(w: Workload, stsUid: string, p: PodState): Record<string, unknown> {
  const name = `${w.name}-${p.index}`;
  const cond = (type: string, ok: boolean) => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: ts(p.started ?? p.created),
  });
  const running = p.phase === 'Running';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(w, name, p.uid, p.created, p.rv, {
      generateName: `${w.name}-`,
      labels: labelsFor(w, p.index),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: w.name,
          uid: stsUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      ...(p.deleting ? { deletionTimestamp: ts(p.deleting), deletionGracePeriodSeconds: 0 } : {}),
    }),
    spec: {
      ...template(w, p.port).spec,
      hostname: name,
      subdomain: `${w.name}-cluster`,
      nodeName: 'sandbox',
      restartPolicy: 'Always',
    },
    status: {
      phase: p.phase,
      conditions: [
        cond('PodScheduled', true),
        cond('Initialized', true),
        cond('ContainersReady', p.ready),
        cond('Ready', p.ready),
      ],
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      ...(running ? { podIP: p.ip, podIPs: [{ ip: p.ip }] } : {}),
      startTime: ts(p.created),
      containerStatuses: [
        {
          name: 'pika',
          image: 'ghcr.io/gopikaio/pika:sandbox',
          imageID: '',
          ready: p.ready,
          started: running,
          restartCount: 0,
          state: running
            ? { running: { startedAt: ts(p.started ?? p.created) } }
            : { waiting: { reason: 'ContainerCreating' } },
        },
      ],
    },
  };
}

export function statefulSetJson(w: Workload, pods: PodState[]): Record<string, unknown> {
  const ready = pods.filter((p) => p.ready).length;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(w, w.name, w.uid, w.created, w.rv, { generation: 1, labels: labelsFor(w) }),
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: labelsFor(w) },
      serviceName: `${w.name}-cluster`,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: template(w),
    },
    status: {
      observedGeneration: 1,
      replicas: pods.length,
      readyReplicas: ready,
      currentReplicas: pods.length,
      updatedReplicas: pods.length,
      availableReplicas: ready,
    },
  };
}

/** A Deployment over the same pods (upstream's older one-replica layout): for `deployment/NAME` refs. */
export function deploymentJson(w: Workload, pods: PodState[]): Record<string, unknown> {
  const ready = pods.filter((p) => p.ready).length;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(w, w.name, w.uid.replace(/^.{8}/, 'dddddddd'), w.created, w.rv, {
      generation: 1,
      labels: labelsFor(w),
    }),
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: labelsFor(w) },
      template: template(w),
      strategy: { type: 'RollingUpdate' },
    },
    status: {
      observedGeneration: 1,
      replicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      updatedReplicas: pods.length,
    },
  };
}

export function servicesJson(w: Workload): Record<string, Record<string, unknown>> {
  const uid = (n: number) => w.uid.replace(/^.{8}/, `5e${String(n).padStart(6, '0')}`);
  return {
    [w.name]: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(w, w.name, uid(1), w.created, w.rv, { labels: labelsFor(w) }),
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.80',
        selector: labelsFor(w),
        ports: [
          { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
          { name: 'public', port: 9090, targetPort: 'public', protocol: 'TCP' },
        ],
      },
      status: { loadBalancer: {} },
    },
    [`${w.name}-cluster`]: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(w, `${w.name}-cluster`, uid(2), w.created, w.rv, { labels: labelsFor(w) }),
      spec: {
        type: 'ClusterIP',
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: labelsFor(w),
        ports: [{ name: 'cluster', port: 5000, targetPort: 'cluster', protocol: 'UDP' }],
      },
      status: { loadBalancer: {} },
    },
  };
}

export function secretJson(w: Workload, s: SecretState): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(w, s.name, s.uid, s.created, s.rv),
    type: 'Opaque',
    data: { ...s.data },
  };
}

/** A list as the API server sends it: items without kind/apiVersion (kubectl adds them back). */
export function listJson(
  kind: string,
  apiVersion: string,
  rv: number,
  items: Array<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    kind,
    apiVersion,
    metadata: { resourceVersion: String(rv) },
    items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
  };
}

export const newUid = () => randomUUID();
