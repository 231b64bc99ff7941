import { resolve } from 'node:path';
import type { ServerUrl } from '../api/url.js';
import type { GlobalOptions } from '../globals.js';
import type { Connection } from './resolve.js';

/**
 * "The target flags the user gave", for every hint that names a server: a printed
 * `pikactl login --server URL` must run as printed, reaching the same server with the
 * same trust. Without the --cacert or --pin the operator typed, a copied hint fails
 * with exit 7; without the --context, it checks whatever the current context is.
 *
 * Hints are built deep in the code (API error mapping, keychain, recovery steps) from a
 * server id alone, so the flags are recorded per server id when the invocation resolves
 * its connection (once per invocation; each resolution replaces the last). A server the
 * invocation never resolved (a journal's, a handover record's) gets `--server ID`, which
 * still finds a context's trust when a context holds that URL (trust follows the URL).
 */
const recorded = new Map<string, string>();

/** Quotes a value for POSIX shells when it holds anything but plainly safe characters. */
export function shellArg(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The flags for one server of a resolved connection. */
export function renderTargetFlags(conn: Connection, g: Pick<GlobalOptions, 'typed' | 'servers'>, server: ServerUrl, cwd: string): string {
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
  recorded.clear();
  for (const s of conn.servers) recorded.set(s.id, renderTargetFlags(conn, g, s, cwd));
}

/**
 * `--server URL` plus the trust flags typed with it (or `--context NAME`), ready to paste
 * after a command: `pikactl unlock ${targetFlags(server)}`.
 */
export function targetFlags(server: Pick<ServerUrl, 'id'> | string): string {
  const id = typeof server === 'string' ? server : server.id;
  return recorded.get(id) ?? `--server ${shellArg(id)}`;
}

/** Records the flags for a server found another way (a pod of `--kube`): see src/kube/session.ts. */
export function recordTargetFlags(id: string, flags: string): void {
  recorded.set(id, flags);
}
