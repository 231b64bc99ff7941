import type { App } from './app.js';
import type { GlobalOptions } from '../globals.js';
import type { Session, Target } from './target.js';
import type { AuthSession } from '../auth/index.js';

/** Per-invocation memory of who logged in, so a fleet asks for the user name once. */
interface AuthMemory {
  user?: string;
  /** Serialises logins while the user name is still unknown, so prompts never interleave. */
  gate: Promise<void>;
}
const memory = new WeakMap<Session, AuthMemory>();

/**
 * Runs fn with an authenticated client: PIKA_SESSION, a stored session (keychain),
 * or an inline login that is logged out again afterwards. A 307 (session expired)
 * mid-command is reported, and on a terminal the operator may log in again: a 307
 * comes from the auth layer before any handler ran, so the retry cannot double-apply.
 */
export async function authed<T>(app: App, g: GlobalOptions, session: Session, t: Target, action: string, fn: (s: AuthSession) => Promise<T>): Promise<T> {
  const { withSession } = await import('../auth/index.js');
  let mem = memory.get(session);
  if (!mem) memory.set(session, (mem = { gate: Promise.resolve() }));
  const known = g.user ?? session.conn.user ?? mem.user;
  const run = (user: string | undefined, authenticated: () => void) =>
    withSession(app.ctx, { ...g, user }, t.client, session.secrets, async (s) => {
      if (s.user) mem.user ??= s.user;
      authenticated();
      return fn(s);
    }, { retrySafe: true, action, sessionStore: session.sessionStore });
  if (known !== undefined || !app.ctx.io.canPrompt()) return run(known, () => {});
  // The user name may be asked on the terminal: one login at a time until it is known.
  // The gate opens as soon as this node is authenticated (or failed), not when its work ends.
  const previous = mem.gate;
  let release!: () => void;
  mem.gate = new Promise<void>((r) => (release = r));
  await previous;
  try {
    return await run(mem.user, release);
  } finally {
    release();
  }
}

/** cluster/status of one target, logged in (settings.manage): for the Kubernetes helpers (leader, roles). */
export function askCluster(app: App, g: GlobalOptions, session: Session): (t: Target) => Promise<import('../api/types.js').ClusterStatus> {
  return (t) => authed(app, g, session, t, 'cluster status', () => t.client.clusterStatus(app.ctx.signal));
}
