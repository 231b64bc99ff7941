import { ExitCode } from '../errors.js';
import type { NodeReport } from '../commands/status.js';
import type { KubeSelection, PodFacts } from './targets.js';

/** The pod columns of a status row (and its JSON): Kubernetes' view of the pod. */
export interface PodColumns {
  namespace: string;
  phase: string;
  ready: boolean;
  /** leader / follower, when a cluster/status could tell. */
  role?: string;
}

export function podColumns(p: PodFacts, role?: string): PodColumns {
  return { namespace: p.namespace, phase: p.terminating ? 'Terminating' : p.phase, ready: p.ready, ...(role ? { role } : {}) };
}

/**
 * Pods that are not Running are rows too, never silent omissions: their state is
 * Kubernetes' (no request is sent to a pod that cannot answer), exit 7 like any
 * node that cannot be reached.
 */
export function idleReports(kube: KubeSelection | undefined): Array<{ report: NodeReport; code: number; gaveUp?: string }> {
  if (!kube) return [];
  return kube.idle.map((p) => {
    const phase = p.terminating ? 'being deleted' : `${p.phase}, not Running`;
    return {
      report: {
        server: p.id,
        state: 'unreachable',
        error: `the pod is ${phase}: no request sent`,
        next: `kubectl describe pod ${p.name} -n ${p.namespace}`,
        pod: podColumns(p),
      },
      code: ExitCode.UNREACHABLE,
    };
  });
}
