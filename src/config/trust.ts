import type { ServerUrl } from '../api/url.js';
import type { Deps } from '../deps.js';
import { CliError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import { proxyFor, resolveProxy } from '../transport/proxy-config.js';
import { parseDuration } from '../util/duration.js';
import { updateConfig } from './store.js';
import type { CertInfo } from './tls-probe.js';
import type { TrustTarget } from './trust-target.js';

/** `pikactl trust`'s certificate decisions: what the servers present, whether it matches, and the pin written. */

export interface Presented {
  server: ServerUrl;
  cert: CertInfo;
}

/**
 * The certificate each server of the target presents, fetched with the timeout, proxy and CA
 * file a normal connection to it would use (the CA only to say whether verification passes).
 */
export async function fetchPresented(
  ctx: Pick<Deps, 'env' | 'signal' | 'clock'>,
  g: Pick<GlobalOptions, 'timeoutExplicit' | 'timeoutMs' | 'typed'>,
  target: TrustTarget,
): Promise<Presented[]> {
  const { fetchPeerCertificate } = await import('./tls-probe.js');
  const timeoutMs =
    g.timeoutExplicit || target.timeout === undefined ? g.timeoutMs : parseDuration(target.timeout, 'timeout');
  const ca = await trustAnchor(target.cacert);
  const proxies = resolveProxy(ctx.env, g.typed.proxy, target.proxy);
  return Promise.all(
    target.servers.map(async (server) => ({
      server,
      cert: await fetchPeerCertificate(server, {
        timeoutMs,
        signal: ctx.signal,
        now: ctx.clock.now(),
        ca,
        proxy: proxyFor(proxies, server.url),
      }),
    })),
  );
}

/** The --cacert (or context cacert) file, read and checked like the transport reads it. */
async function trustAnchor(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const { loadCaFile } = await import('../transport/ca.js');
  return loadCaFile(file);
}

/** The one fingerprint all servers of a context present: one context holds one pin. */
export function agreedFingerprint(context: string, presented: Presented[]): string {
  const fp = presented[0].cert.fingerprintSha256;
  if (presented.every((p) => p.cert.fingerprintSha256 === fp)) return fp;
  throw new CliError(`the servers of ${context} present different certificates; one context holds one pin`, {
    code: 'error',
    hint: 'Trust each replica in its own context (--context NAME --server URL), or give them one certificate and trust it with --cacert.',
    details: { fingerprints: Object.fromEntries(presented.map((p) => [p.server.id, p.cert.fingerprintSha256])) },
  });
}

/** --expect-fingerprint against what the server presented: a mismatch stores nothing (exit 7). */
export function checkExpectedFingerprint(expected: string, presented: string): void {
  if (expected === presented) return;
  throw new CliError(`fingerprint mismatch: expected ${expected}, the server presented ${presented}`, {
    code: 'tls',
    hint: 'Nothing was stored. Check the fingerprint on the server (TLS page in the web UI, or openssl x509 -noout -fingerprint -sha256 -in <storage>/tls/server.crt); if they differ, the connection may be intercepted.',
    details: { expected, presented },
  });
}

export interface StoredPin {
  file: string;
  /** The context did not exist before: it was made for these servers. */
  created: boolean;
  servers: string[];
  /** The context had `insecure` set; the pin replaces it. */
  wasInsecure: boolean;
  madeCurrent: boolean;
  /** The target is the current context afterwards. */
  current: boolean;
}

/**
 * Writes the pin into the target's context (made if missing; current if there is none). The
 * file is re-read under its lock: the operator may have taken a while to compare, and another
 * pikactl may have written it.
 */
export async function storePin(
  ctx: Pick<Deps, 'env' | 'homedir' | 'io' | 'signal'>,
  target: TrustTarget,
  fp: string,
): Promise<StoredPin> {
  const { file, result } = await updateConfig(ctx, (fresh) => {
    const existing = Object.hasOwn(fresh.contexts, target.name) ? fresh.contexts[target.name] : undefined;
    const entry = existing ?? { servers: target.servers.map((s) => s.id) };
    entry.pin = fp;
    const wasInsecure = entry.insecure === true;
    // The pin is the trust decision now; "insecure" would only add a misleading "verification OFF" warning to every run.
    delete entry.insecure;
    fresh.contexts[target.name] = entry;
    const madeCurrent = fresh.current_context === undefined;
    if (madeCurrent) fresh.current_context = target.name;
    return {
      created: existing === undefined,
      servers: entry.servers,
      wasInsecure,
      madeCurrent,
      current: fresh.current_context === target.name,
    };
  });
  return { file, ...result };
}
