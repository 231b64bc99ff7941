import type { ClusterStatus, PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import { observeNode } from '../ops/observe.js';
import { serverText } from '../output/server-text.js';
import type { KubeSelection, PodFacts } from './targets.js';

/** What these helpers need of a command's invocation (its pod targets); commands pass theirs. */
export interface PodTarget {
  server: ServerUrl;
  client: PikaClient;
  pod?: PodFacts;
}
export interface PodInvocation<T extends PodTarget = PodTarget> {
  kube?: KubeSelection;
  targets: T[];
}
/** cluster/status of one target, logged in (it needs settings.manage): the command supplies the login. */
export type AskCluster<T extends PodTarget = PodTarget> = (t: T) => Promise<ClusterStatus>;
type Io = { ctx: Pick<Deps, 'io' | 'signal'> };

/**
 * Single-server commands (rotate, init, handover start) over `--kube sts/pika`: every
 * POST runs on the leader (pika-api.md §9), and the check after a rotation must run
 * there too (a follower still holds the old key and fails its settings read). So the
 * selection is narrowed to the leader, found by asking the pods' own cluster/status
 * (logged in: it needs settings.manage). One pod needs no narrowing.
 */
export async function narrowToLeader<T extends PodTarget>(
  app: Io,
  inv: PodInvocation<T>,
  command: string,
  ask: AskCluster<T>,
): Promise<void> {
  if (!inv.kube || inv.targets.length <= 1) return;
  const leader = await findLeader(app, inv, ask);
  if (!leader) {
    throw new CliError(
      `${command} acts on the leader, but none of the ${inv.targets.length} pods of ${inv.kube.what} could say which pod leads`,
      {
        code: 'usage',
        hint: 'Name the leader pod: --kube pod/NAME (cluster/status needs an unlocked pod and a login with settings.manage).',
      },
    );
  }
  app.ctx.io.stderr.write(
    `Using ${leader.server.id}, the leader of ${inv.kube.what} (every POST runs on the leader).\n`,
  );
  inv.targets.splice(0, inv.targets.length, leader);
}

/** The pod whose cluster/status says is_leader, or the only one in standalone mode; undefined when none can tell. */
export async function findLeader<T extends PodTarget>(
  app: Io,
  inv: PodInvocation<T>,
  ask: AskCluster<T>,
  debug = false,
): Promise<T | undefined> {
  for (const t of inv.targets) {
    const p = await observeNode(t.client, app.ctx.signal);
    // cluster/status is behind the lock gate: only a serving pod can answer.
    if (p.state !== 'unlocked' && p.state !== 'off') continue;
    try {
      const st = await ask(t);
      if (st.is_leader === true || st.enabled === false) return t;
    } catch (err) {
      if (debug)
        app.ctx.io.stderr.write(
          `${t.server.id}: cluster status: ${serverText(err instanceof Error ? err.message : String(err))}\n`,
        );
    }
  }
  return undefined;
}

/**
 * status over pods: marks leader and followers when this invocation can read cluster/status
 * (the caller asks only when that needs no prompt: PIKA_SESSION, or user and --password-from).
 * Only serving pods can answer (the endpoint is behind the lock gate); once the leader is
 * known in cluster mode, every other pod is a follower.
 */
export async function markRoles<T extends PodTarget>(
  inv: PodInvocation<T>,
  reports: Array<{ server: string; state: string; pod?: { role?: string } }>,
  ask: AskCluster<T>,
): Promise<void> {
  if (!inv.kube) return;
  const roles = new Map<string, string>();
  let cluster = false;
  for (const t of inv.targets) {
    const r = reports.find((x) => x.server === t.server.id);
    if (r?.state !== 'unlocked') continue;
    try {
      const st = await ask(t);
      if (st.enabled !== true) continue;
      cluster = true;
      roles.set(t.server.id, st.is_leader === true ? 'leader' : 'follower');
    } catch {
      // best effort: a row without a role
    }
  }
  const leaderKnown = [...roles.values()].includes('leader');
  for (const r of reports) {
    if (!r.pod) continue;
    const role = roles.get(r.server) ?? (cluster && leaderKnown ? 'follower' : undefined);
    if (role) r.pod.role = role;
  }
}
