import type { App } from '../app.js';
import type { GlobalOptions } from '../../globals.js';
import type { Invocation, Target } from './invocation.js';
import type { Login } from '../../auth/index.js';

/** Per-invocation memory of who logged in, so a fleet asks for the user name once. */
interface AuthMemory {
  user?: string;
  /** Serialises logins while the user name is still unknown, so prompts never interleave. */
  gate: Promise<void>;
}
const memory = new WeakMap<Invocation, AuthMemory>();

/**
 * Runs fn with an authenticated client: PIKA_SESSION, a stored session (keychain),
 * or an inline login that is logged out again afterwards. A 307 (session expired)
 * mid-command is reported, and on a terminal the operator may log in again: a 307
 * comes from the auth layer before any handler ran, so the retry cannot double-apply.
 */
export async function authed<T>(
  app: App,
  g: GlobalOptions,
  inv: Invocation,
  t: Target,
  action: string,
  fn: (s: Login) => Promise<T>,
): Promise<T> {
  const { withLogin } = await import('../../auth/index.js');
  let mem = memory.get(inv);
  if (!mem) memory.set(inv, (mem = { gate: Promise.resolve() }));
  const known = g.user ?? inv.conn.user ?? mem.user;
  const run = (user: string | undefined, authenticated: () => void) =>
    withLogin(
      app.ctx,
      { ...g, user },
      t.client,
      inv.secrets,
      async (s) => {
        if (s.user) mem.user ??= s.user;
        authenticated();
        return fn(s);
      },
      { retrySafe: true, action, loginStore: inv.loginStore },
    );
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
export function askCluster(
  app: App,
  g: GlobalOptions,
  inv: Invocation,
): (t: Target) => Promise<import('../../api/types.js').ClusterStatus> {
  return (t) => authed(app, g, inv, t, 'cluster status', () => t.client.clusterStatus(app.ctx.signal));
}
