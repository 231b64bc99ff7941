/**
 * The server-side printing kubectl asks for (`Accept: application/json;as=Table;…`)
 * on `kubectl get pods`: the columns a real API server gives pods, so an operator
 * rehearsing sees READY and STATUS, not only NAME and AGE. Other kinds get no Table
 * (kubectl then prints NAME and AGE itself, as against an older server).
 */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

function age(created: string, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const col = (name: string, type: string, priority = 0, format = '') => ({
  name,
  type,
  format,
  description: '',
  priority,
});

/** The fields of a stored pod the table reads. */
interface PodFields {
  metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase: string; podIP?: string; containerStatuses: Array<{ ready: boolean; restartCount: number }> };
}

export function podTable(list: { metadata: { resourceVersion: string }; items: unknown[] }): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: list.metadata.resourceVersion },
    columnDefinitions: [
      col('Name', 'string', 0, 'name'),
      col('Ready', 'string'),
      col('Status', 'string'),
      col('Restarts', 'string'),
      col('Age', 'string'),
      col('IP', 'string', 1),
      col('Node', 'string', 1),
    ],
    rows: (list.items as PodFields[]).map((p) => {
      const cs = p.status.containerStatuses;
      const status = p.metadata.deletionTimestamp
        ? 'Terminating'
        : p.status.phase === 'Pending'
          ? 'ContainerCreating'
          : p.status.phase;
      return {
        cells: [
          p.metadata.name,
          `${cs.filter((c) => c.ready).length}/${cs.length}`,
          status,
          String(cs.reduce((n, c) => n + c.restartCount, 0)),
          age(p.metadata.creationTimestamp),
          p.status.podIP ?? '<none>',
          p.spec.nodeName ?? '<none>',
        ],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata },
      };
    }),
  };
}
