import { resolve } from 'node:path';
import type { ServerUrl } from '../api/url.js';
import type { GlobalOptions } from '../globals.js';
import type { Connection } from './resolve.js';
import { recordTargetFlags, shellArg } from '../output/target-flags.js';

/**
 * Renders and records the target flags of a resolved connection; the lookup that hints
 * use, targetFlags(server), is in output/target-flags.ts (re-exported here for code written
 * against this path; new code imports it from output/).
 */
export { shellArg, targetFlags } from '../output/target-flags.js';

/** The flags for one server of a resolved connection. */
export function renderTargetFlags(
  conn: Connection,
  g: Pick<GlobalOptions, 'typed' | 'servers'>,
  server: ServerUrl,
  cwd: string,
): string {
  const parts: string[] = [];
  if (conn.contextName !== undefined) {
    parts.push('--context', shellArg(conn.contextName));
    // One server of several (or servers named over the context's own): say which.
    if (g.servers.length > 0 || conn.servers.length > 1) parts.push('--server', shellArg(server.id));
  } else {
    parts.push('--server', shellArg(server.id));
  }
  const t = g.typed;
  if (t.cacert !== undefined && t.cacert !== '') parts.push('--cacert', shellArg(resolve(cwd, t.cacert)));
  if (t.pin !== undefined && t.pin !== '' && conn.transport.pin !== undefined) parts.push('--pin', conn.transport.pin);
  if (t.insecure) parts.push('-k');
  if (t.allowHttp) parts.push('--allow-http');
  if (t.proxy !== undefined) parts.push('--proxy', t.proxy === '' ? "''" : shellArg(t.proxy));
  return parts.join(' ');
}

/** Called by resolveConnection: records the flags of every server of this invocation. */
export function rememberTargetFlags(conn: Connection, g: Pick<GlobalOptions, 'typed' | 'servers'>, cwd: string): void {
  recordTargetFlags(conn.servers.map((s) => [s.id, renderTargetFlags(conn, g, s, cwd)]));
}
