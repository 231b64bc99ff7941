import type { ServerUrl } from '../api/url.js';

/**
 * "The target flags the user gave", for every hint that names a server: a printed
 * `pikactl login --server URL` must run as printed, reaching the same server with the
 * same trust. Without the --cacert or --pin the operator typed, a copied hint fails
 * with exit 7; without the --context, it checks whatever the current context is.
 *
 * Hints are built deep in the code (API error mapping, transport, keychain, recovery
 * steps) from a server id alone, so the flags are recorded per server id when the
 * invocation resolves its connection (config/target-flags.ts, once per invocation; each
 * resolution replaces the last). A server the invocation never resolved (a journal's, a
 * handover record's) gets `--server ID`, which still finds a context's trust when a
 * context holds that URL (trust follows the URL). This half lives in output/ so that the
 * lower layers (transport, api, keychain) can render hints without importing config/.
 */
const recorded = new Map<string, string>();

/** Quotes a value for POSIX shells when it holds anything but plainly safe characters. */
export function shellArg(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Replaces the recorded flags (server id → flags) with this invocation's. */
export function recordTargetFlags(flags: Iterable<[id: string, flags: string]>): void {
  recorded.clear();
  for (const [id, f] of flags) recorded.set(id, f);
}

/** Adds the flags for a server found another way (a pod of `--kube`): see src/kube/open.ts. */
export function addTargetFlags(id: string, flags: string): void {
  recorded.set(id, flags);
}

/**
 * `--server URL` plus the trust flags typed with it (or `--context NAME`), ready to paste
 * after a command: `pikactl unlock ${targetFlags(server)}`.
 */
export function targetFlags(server: Pick<ServerUrl, 'id'> | string): string {
  const id = typeof server === 'string' ? server : server.id;
  return recorded.get(id) ?? `--server ${shellArg(id)}`;
}
