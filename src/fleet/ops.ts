import { ApiError, type ClusterStatus } from '../api/types.js';
import { CliError, ExitCode } from '../errors.js';
import type { NodeState } from '../ops/observe.js';
import { serverText } from '../output/server-text.js';

/**
 * Fleet rules shared by unlock/lock over several replicas: what a rolling restart may
 * be waited through, and an honest account of a node that answered 200 but whose own
 * key/status says the action did not happen there (a follower in a Pika cluster:
 * every POST runs on the leader, shared/pika-api.md §9).
 */

export type FleetOp = 'unlock' | 'lock';
export const WANTED: Record<FleetOp, NodeState> = { unlock: 'unlocked', lock: 'locked' };

/** What a node in cluster mode said about itself (GET /api/v1/cluster/status). */
export interface ClusterNote {
  role?: string;
  leader_addr?: string;
  /** The node that answered (cluster/status is gated while locked, so often another one). */
  via: string;
}

/** The part of a per-node result row this module reads and rewrites. */
export interface FleetRow {
  server: string;
  before?: NodeState;
  action: string;
  after?: NodeState;
  error?: CliError;
  exitCode: number;
  cluster?: ClusterNote;
}

/**
 * Worth waiting through in a rolling restart: connection refused, a connection reset
 * or dropped, a gateway's 5xx/429 (no Pika shape), and the cluster's "no leader
 * available" (503) or failed forward (502).
 * Wrong key, auth, TLS, rate limits and everything else are final. CliErrors are
 * looked through to the ApiError they wrap (a login maps transport errors itself).
 */
export function isTransient(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof ApiError) {
      if (e.kind === 'cluster') return e.status === 503 || e.status === 502;
      // A gateway's 5xx/429 (nginx 502 while the pod restarts, a 503 maintenance page) is a restart seen from outside.
      return e.kind === 'unreachable' || e.kind === 'connection_lost' || e.kind === 'gateway';
    }
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

const GENERIC_HINT: Record<FleetOp, string> = {
  unlock:
    'In a Pika cluster every POST is forwarded to the leader, so this replica may be a follower: unlock it by restarting it with encryption.password, or check `pikactl status` on each replica.',
  lock: 'In a Pika cluster the lock is forwarded to the leader; check each replica with `pikactl status`.',
};

/** The node accepted the request (200) but its own key/status disagrees afterwards. */
export function notApplied(server: string, op: FleetOp, after: NodeState): CliError {
  return new CliError(`the server accepted the ${op} but ${server} still reports "${after}"`, {
    code: op === 'unlock' ? 'locked' : 'needs_recovery',
    hint: GENERIC_HINT[op],
    details: { after, not_applied: true },
  });
}

/** The state a "200 but not applied" row ended in (also understands unlock.ts's own error, which carries details.after). */
export function notAppliedState(row: FleetRow, op: FleetOp): NodeState | undefined {
  const after = row.error?.details?.after;
  return typeof after === 'string' && after !== WANTED[op] ? (after as NodeState) : undefined;
}

function finalState(row: FleetRow, op: FleetOp): NodeState | undefined {
  return row.error ? notAppliedState(row, op) : row.after;
}

/** Why a follower did not follow, in the operator's terms. */
export function followerReason(op: FleetOp, leaderAddr: string | undefined): string {
  const leader = leaderAddr
    ? `the leader ${serverText(leaderAddr, { max: 200 })}`
    : 'the leader (none is healthy right now)';
  const tail =
    op === 'unlock'
      ? 'a follower can only be unlocked at boot (encryption.password) or by becoming leader'
      : 'a follower keeps its key until it restarts (it comes back locked unless encryption.password unlocks it at boot)';
  return `follower in a Pika cluster: POSTs are forwarded to ${leader}; ${tail}`;
}

const CLUSTER_HINT: Record<FleetOp, string> = {
  unlock:
    'The unlock reached the leader (see its row). To unlock this replica as well, restart it with encryption.password set, or let it become leader and unlock it then.',
  lock: 'Restart this replica to lock it (without encryption.password it comes back locked).',
};

/** Asks one node for its cluster view (with a session); the caller supplies the login. */
export type AskCluster = (server: string) => Promise<ClusterStatus>;

/**
 * Rewrites rows that answered 200 but did not reach the wanted state, with the likely
 * reason when a node reports cluster mode. Only nodes that ended unlocked can answer
 * (cluster/status is behind the lock gate); at most three are asked, best effort.
 * Rows are returned unchanged when nothing needs explaining or no node can tell.
 */
export async function explainNotApplied<R extends FleetRow>(rows: R[], op: FleetOp, ask: AskCluster): Promise<R[]> {
  const stuck = rows.filter((r) => notAppliedState(r, op) !== undefined);
  if (stuck.length === 0) return rows;
  const candidates = [...stuck, ...rows.filter((r) => !stuck.includes(r))]
    .filter((r) => finalState(r, op) === 'unlocked')
    .slice(0, 3);
  let view: { via: string; status: ClusterStatus } | undefined;
  for (const c of candidates) {
    try {
      view = { via: c.server, status: await ask(c.server) };
      break;
    } catch {
      // best effort: try the next node
    }
  }
  if (!view) return rows;
  const { via, status } = view;
  return rows.map((r) => {
    const after = notAppliedState(r, op);
    if (after === undefined) return r;
    const before = r.before ?? (op === 'unlock' ? 'locked' : 'unlocked'); // the request is only sent from that state
    if (status.enabled !== true) {
      const hint = `${via} reports no cluster mode, so this is not the follower case; look for the request in the server log of ${r.server}.`;
      return {
        ...r,
        before,
        after,
        error: new CliError(r.error!.message, { code: r.error!.code, hint, details: r.error!.details }),
      };
    }
    const leaderAddr =
      typeof status.leader_addr === 'string' && status.leader_addr !== '' ? status.leader_addr : undefined;
    const error = notApplied(r.server, op, after);
    // Only ever a fleet row (another node had to answer), so the table names the server already.
    const explained = new CliError(
      `still ${after} although the ${op} was accepted: ${followerReason(op, leaderAddr)}`,
      {
        code: error.code,
        hint: CLUSTER_HINT[op],
        details: { after, not_applied: true, cluster: { via, role: status.role, leader_addr: status.leader_addr } },
      },
    );
    return {
      ...r,
      before,
      action: 'forwarded',
      after,
      error: explained,
      exitCode: explained.exitCode,
      cluster: {
        via,
        role: via === r.server ? status.role : 'follower',
        ...(leaderAddr ? { leader_addr: leaderAddr } : {}),
      },
    };
  });
}

/** Fleet rule: 0 if all 0; 8 (partly) if some 0; else the worst single code. */
export function combineCodes(codes: number[]): number {
  if (codes.every((c) => c === 0)) return 0;
  if (codes.length > 1 && codes.some((c) => c === 0)) return ExitCode.NEEDS_RECOVERY;
  // A node that may have changed (8) is what to act on first: a larger number (9, 130) must not hide it.
  if (codes.includes(ExitCode.NEEDS_RECOVERY)) return ExitCode.NEEDS_RECOVERY;
  return Math.max(...codes);
}
