import { CliError, ExitCode } from '../errors.js';
import type { KubeSelection, PodFacts } from './targets.js';

/** What kubeFleetRows reads of a fleet row: structurally fleet/ops.ts's FleetRow (kube/ sits under fleet/). */
type FleetOp = 'unlock' | 'lock';
interface FleetRow {
  server: string;
  action: string;
  error?: CliError;
  exitCode: number;
}

/** The pod columns of a status row (and its JSON): Kubernetes' view of the pod. */
export interface PodColumns {
  namespace: string;
  phase: string;
  ready: boolean;
  /** leader / follower, when a cluster/status could tell. */
  role?: string;
}

export function podColumns(p: PodFacts, role?: string): PodColumns {
  return {
    namespace: p.namespace,
    phase: p.terminating ? 'Terminating' : p.phase,
    ready: p.ready,
    ...(role ? { role } : {}),
  };
}

/**
 * Pods that are not Running are rows too, never silent omissions: their state is
 * Kubernetes' (no request is sent to a pod that cannot answer), exit 7 like any
 * node that cannot be reached.
 */
/** A status row (structurally commands/status.ts's NodeReport). */
export interface IdleReport {
  server: string;
  state: 'unreachable';
  error: string;
  next: string;
  pod: PodColumns;
}

export function idleReports(
  kube: KubeSelection | undefined,
): Array<{ report: IdleReport; code: number; gaveUp?: string }> {
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

/**
 * unlock/lock over pods: a follower that stayed locked after an accepted unlock gets the
 * fix in Kubernetes terms (its boot-password Secret, named from its own pod spec), and
 * pods that are not Running are rows too ("skipped"), never silent omissions. `notApplied`
 * is the fleet's own test (fleet/ops.ts notAppliedState), passed in: kube/ sits under fleet/.
 */
export function kubeFleetRows<R extends FleetRow>(
  kube: KubeSelection,
  targets: Array<{ server: { id: string }; pod?: PodFacts }>,
  rows: R[],
  op: FleetOp,
  notApplied: (row: R, op: FleetOp) => unknown,
): Array<R | FleetRow> {
  const podOf = new Map(targets.map((t) => [t.server.id, t.pod]));
  const out: Array<R | FleetRow> = rows.map((r) => {
    const pod = podOf.get(r.server);
    if (!pod || op !== 'unlock' || notApplied(r, op) === undefined || !r.error) return r;
    const roll = `pikactl roll --kube pod/${pod.name} -n ${pod.namespace} --one`;
    const fix = pod.bootSecret
      ? `This pod unlocks only at boot, with PIKA_ENCRYPTION_PASSWORD from secret/${pod.bootSecret.name} key ${pod.bootSecret.key}: make that key hold the server's current key ` +
        `(after a rotation: rotate with --kube-secret ${pod.bootSecret.name}/${pod.bootSecret.key}), then restart the pod: ${roll}`
      : `Its pod spec has no PIKA_ENCRYPTION_PASSWORD, so this follower cannot be unlocked at all: add it from a Secret holding the key (README "Kubernetes"), then: ${roll}`;
    const error = new CliError(r.error.message, {
      code: r.error.code,
      hint: fix,
      details: { ...(r.error.details ?? {}), ...(pod.bootSecret ? { boot_secret: pod.bootSecret } : {}) },
    });
    return { ...r, error };
  });
  for (const p of kube.idle) {
    const error = new CliError(`the pod is ${p.terminating ? 'being deleted' : `${p.phase}, not Running`}: skipped`, {
      code: 'unreachable',
      hint: `kubectl describe pod ${p.name} -n ${p.namespace}`,
    });
    out.push({ server: p.id, action: 'skipped', error, exitCode: error.exitCode });
  }
  return out;
}
