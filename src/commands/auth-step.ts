import type { App } from './app.js';
import type { GlobalOptions } from '../globals.js';
import type { Session, Target } from './target.js';
import type { AuthSession } from '../auth/index.js';

/**
 * Runs fn with an authenticated client: PIKA_SESSION, a stored session (keychain),
 * or an inline login that is logged out again afterwards. A 307 (session expired)
 * mid-command is reported, and on a terminal the operator may log in again: a 307
 * comes from the auth layer before any handler ran, so the retry cannot double-apply.
 */
export async function authed<T>(app: App, g: GlobalOptions, session: Session, t: Target, action: string, fn: (s: AuthSession) => Promise<T>): Promise<T> {
  const { withSession } = await import('../auth/index.js');
  const merged: GlobalOptions = { ...g, user: g.user ?? session.conn.user };
  return withSession(app.ctx, merged, t.client, session.secrets, fn, { retrySafe: true, action, sessionStore: session.sessionStore });
}
