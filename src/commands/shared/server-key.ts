import type { App } from '../app.js';
import type { GlobalOptions } from '../../globals.js';
import type { Secret } from '../../secrets/secret.js';
import type { Invocation, Target } from './invocation.js';

/**
 * A server key for one node: an explicit source (flag, or the context's key_from) wins;
 * without one, the node's own keychain entry "server-key:<server id>" when it exists
 * (said on stderr), else the prompt or the needs-input error. Looked up only when a key
 * is really needed, so an unlocked server never causes a keychain access.
 */
export async function readServerKey(
  app: App,
  g: GlobalOptions,
  inv: Invocation,
  t: Target,
  req: { spec: string | undefined; flag: string; label: string },
): Promise<Secret> {
  const { ctx } = app;
  if (req.spec === undefined) {
    const { findServerKey, usingStoredKeyNote } = await import('../../keychain/server-key.js');
    const stored = await findServerKey(ctx, t.server, (err) => {
      if (g.debug) ctx.io.stderr.write(`${ctx.io.style.dim(`No stored server key: ${err.message}`)}\n`);
    });
    if (stored) {
      ctx.io.stderr.write(usingStoredKeyNote(stored.account, req.label));
      app.secretsRead.push(stored.secret);
      return stored.secret;
    }
  }
  return inv.secrets.read({
    spec: req.spec,
    flag: req.flag,
    label: req.label,
    keychainDefault: 'server-key',
    server: t.server,
  });
}
