import type { App } from '../commands/app.js';
import { authed } from '../commands/auth-step.js';
import type { Session, Target } from '../commands/target.js';
import type { GlobalOptions } from '../globals.js';
import { CliError } from '../errors.js';
import { probeNode } from '../ops/probe.js';

/**
 * Single-server commands (rotate, init, handover start) over `--kube sts/pika`: every
 * POST runs on the leader (pika-api.md §9), and the check after a rotation must run
 * there too (a follower still holds the old key and fails its settings read). So the
 * selection is narrowed to the leader, found by asking the pods' own cluster/status
 * (logged in: it needs settings.manage). One pod needs no narrowing.
 */
export async function narrowToLeader(app: App, g: GlobalOptions, session: Session, command: string): Promise<void> {
  if (!session.kube || session.targets.length <= 1) return;
  const leader = await findLeader(app, g, session);
  if (!leader) {
    throw new CliError(`${command} acts on the leader, but none of the ${session.targets.length} pods of ${session.kube.what} could say which pod leads`, {
      code: 'usage',
      hint: 'Name the leader pod: --kube pod/NAME (cluster/status needs an unlocked pod and a login with settings.manage).',
    });
  }
  app.ctx.io.stderr.write(`Using ${leader.server.id}, the leader of ${session.kube.what} (every POST runs on the leader).\n`);
  session.targets.splice(0, session.targets.length, leader);
}

/** The pod whose cluster/status says is_leader, or the only one in standalone mode; undefined when none can tell. */
export async function findLeader(app: App, g: GlobalOptions, session: Session): Promise<Target | undefined> {
  for (const t of session.targets) {
    const p = await probeNode(t.client, app.ctx.signal);
    // cluster/status is behind the lock gate: only a serving pod can answer.
    if (p.state !== 'unlocked' && p.state !== 'off') continue;
    try {
      const st = await authed(app, g, session, t, 'cluster status', () => t.client.clusterStatus(app.ctx.signal));
      if (st.is_leader === true || st.enabled === false) return t;
    } catch (err) {
      if (g.debug) app.ctx.io.stderr.write(`${t.server.id}: cluster status: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return undefined;
}

/**
 * status over pods: marks leader and followers when this session can read cluster/status
 * without asking anything (a stored or PIKA_SESSION session, or user and --password-from).
 * Only serving pods can answer (the endpoint is behind the lock gate); once the leader is
 * known in cluster mode, every other pod is a follower.
 */
export async function markRoles(app: App, g: GlobalOptions, session: Session, reports: Array<{ server: string; state: string; pod?: { role?: string } }>): Promise<void> {
  const canLogin = app.ctx.env.PIKA_SESSION !== undefined || ((g.user ?? session.conn.user) !== undefined && g.passwordFrom !== undefined);
  if (!session.kube || !canLogin) return;
  const roles = new Map<string, string>();
  let cluster = false;
  for (const t of session.targets) {
    const r = reports.find((x) => x.server === t.server.id);
    if (r?.state !== 'unlocked') continue;
    try {
      const st = await authed(app, g, session, t, 'cluster status', () => t.client.clusterStatus(app.ctx.signal));
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
