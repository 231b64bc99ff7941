import { json, type Reply } from './http.js';
import type { KeyManager } from './keymgr.js';

/**
 * The lock gate (upstream internal/server/lockgate/lockgate.go): while the server is
 * initialized and locked, every path under /api/v1/ and /data/ answers 503, except
 * the exact paths info, key/status and key/unlock and anything starting with
 * /api/v1/me. It runs before authentication, so even anonymous callers get the 503.
 * Paths here are relative to the base path.
 */
const GATED_PREFIXES = ['/api/v1/', '/data/'];
const ALLOW_EXACT = new Set(['/api/v1/info', '/api/v1/key/status', '/api/v1/key/unlock']);
const ALLOW_PREFIX = '/api/v1/me';

export function isGatedPath(path: string): boolean {
  if (!GATED_PREFIXES.some((p) => path.startsWith(p))) return false;
  if (ALLOW_EXACT.has(path)) return false;
  return !path.startsWith(ALLOW_PREFIX);
}

export function lockGate(mgr: KeyManager, path: string): Reply | undefined {
  if (!mgr.gating() || !isGatedPath(path)) return undefined;
  return json(
    503,
    { code: 'server_locked', message: 'Server is locked. An administrator must unlock it.' },
    { 'X-Pika-Locked': 'true' },
  );
}
