import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { SessionStore, UserDb, type SandboxUser } from './auth.js';
import { FaultBox, type FaultName } from './faults.js';
import { KeyManager } from './keymgr.js';
import { KeyOps } from './keyops.js';
import { Limiter, resolveRateLimit, type RateLimitOptions } from './ratelimit.js';
import type { ClusterHook, ServerCtx } from './routes/context.js';
import { buildServer } from './server.js';
import { SettingsDb } from './settings.js';
import { ensureDataDir, readJson, USERS_FILE, type UsersFile } from './store.js';
import { ensureSelfSigned, fingerprintSha256, loadTls, type TlsMaterial } from './tls.js';

export type { SandboxUser } from './auth.js';
export type { RateLimitOptions } from './ratelimit.js';
export { FAULTS, FAULT_NAMES, isFaultName, type FaultName } from './faults.js';
export { totpCode, newTotpSecret } from './totp.js';
export { TlsSetupError } from './certs.js';

export type SandboxTls =
  | { cert: string; key: string } // PEM strings
  | { certFile: string; keyFile: string }
  | { selfSigned: true }; // generated into <dataDir>/tls/ with openssl, reused when present

export interface SandboxOptions {
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** State directory (created 0700). A restart is a new startSandbox on the same directory. */
  dataDir: string;
  /** E.g. "/pika"; normalised to "" or "/x" without a trailing slash. */
  basePath?: string;
  tls?: SandboxTls;
  /** Merged into the users stored in dataDir. The first is a superadmin unless told otherwise. */
  users?: SandboxUser[];
  /** Session cookie name. Default pika_session. */
  cookieName?: string;
  /** Session lifetime. Default 8 h. Sessions are in memory: a restart logs everyone out. */
  sessionTtlMs?: number;
  /** Unlock guard and login guard thresholds. Defaults: soft 3, hard 30, window 15 min, delayScale 1. */
  rateLimit?: RateLimitOptions;
  /** One-shot faults to arm at start (see FAULTS). */
  faults?: string[];
  /** How long a *-delay fault holds an answer back at most. Default 5 minutes. */
  faultDelayMs?: number;
  /** Request body cap. Default 32 MiB; 0 disables it. */
  maxBodyBytes?: number;
  /** Body cap of POST /api/v1/backup (restore), replacing the general one. Default 1024 MiB; 0 disables it. */
  backupBodyBytes?: number;
  /** Receives one line per request and per key event. Never secrets. */
  logger?: (line: string) => void;
  /** Internal, set by startSandboxCluster (cluster.ts): replicated state shared by the nodes, and this node's role. */
  cluster?: ClusterMember;
}

/** One node's share of a simulated cluster: the replicated store (settings, users, sessions) is shared; the key is not. */
export interface ClusterMember {
  db: SettingsDb;
  users: UserDb;
  sessions: SessionStore;
  hook: ClusterHook;
  /** Called once the node serves, with its context (the leader runs forwarded requests through it). */
  onStart(ctx: ServerCtx): void;
}

export interface SandboxHandle {
  /** Origin plus base path, no trailing slash: e.g. http://127.0.0.1:41234/pika */
  url: string;
  origin: string;
  basePath: string;
  host: string;
  port: number;
  dataDir: string;
  cookieName: string;
  tls: boolean;
  /** The served certificate (PEM) when TLS is on. */
  certPem?: string;
  certFile?: string;
  /** SHA-256 of the certificate DER, upper-case hex, no separators (as Pika reports it). */
  fingerprint?: string;
  /** Arms a one-shot fault on the running server. */
  armFault(name: FaultName): void;
  armedFaults(): FaultName[];
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
}

export function normalizeBasePath(p: string | undefined): string {
  const t = (p ?? '').trim().replace(/\/+$/, '');
  if (t === '') return '';
  return t.startsWith('/') ? t : `/${t}`;
}

/** True when dataDir already holds a user with this name (the CLI then keeps its password). */
export async function sandboxUserExists(dataDir: string, username: string): Promise<boolean> {
  const file = await readJson<UsersFile>(dataDir, USERS_FILE);
  return Boolean(file?.users.some((u) => u.username === username));
}

async function tlsMaterial(opts: SandboxOptions, dataDir: string, host: string): Promise<TlsMaterial | undefined> {
  const t = opts.tls;
  if (!t) return undefined;
  if ('selfSigned' in t) return ensureSelfSigned(dataDir, host);
  if ('certFile' in t) return loadTls(resolve(t.certFile), resolve(t.keyFile));
  return { certPem: t.cert, keyPem: t.key };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolveListen(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Starts a Pika-compatible key-management server. Comes back locked when dataDir is initialized. */
export async function startSandbox(opts: SandboxOptions): Promise<SandboxHandle> {
  const dataDir = resolve(opts.dataDir);
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger ?? (() => {});
  await ensureDataDir(dataDir);
  const shared = opts.cluster;
  const [db, users, tls] = await Promise.all([
    shared?.db ?? SettingsDb.load(dataDir),
    shared?.users ?? UserDb.open(dataDir, opts.users ?? []),
    tlsMaterial(opts, dataDir, host),
  ]);

  const mgr = new KeyManager();
  if (db.raw().encryption_verifier) mgr.markInitialized(); // boot: a verifier means "locked"
  const faults = new FaultBox(opts.faults ?? [], opts.faultDelayMs);
  const rateLimit = resolveRateLimit(opts.rateLimit);
  const ctx: ServerCtx = {
    base: normalizeBasePath(opts.basePath),
    cookieName: opts.cookieName ?? 'pika_session',
    tls,
    mgr,
    keys: new KeyOps(db, mgr, faults, log),
    users,
    sessions: shared?.sessions ?? new SessionStore(opts.sessionTtlMs ?? 8 * 3_600_000),
    rateLimit,
    unlockLimiter: new Limiter(rateLimit),
    loginLimiter: new Limiter(rateLimit),
    log,
    cluster: shared?.hook,
  };

  const stopping = new AbortController();
  const server = buildServer(ctx, opts.maxBodyBytes ?? 32 * 1024 * 1024, stopping.signal, opts.backupBodyBytes);
  const port = await listen(server, opts.port ?? 0, host);
  const origin = `${tls ? 'https' : 'http'}://${urlHost(host)}:${port}`;
  log(
    `sandbox: listening on ${origin}${ctx.base} (${mgr.initialized ? 'initialized, locked' : 'encryption not initialized'})`,
  );

  let stopped: Promise<void> | undefined;
  const handle: SandboxHandle = {
    url: `${origin}${ctx.base}`,
    origin,
    basePath: ctx.base,
    host,
    port,
    dataDir,
    cookieName: ctx.cookieName,
    tls: Boolean(tls),
    ...(tls ? { certPem: tls.certPem, certFile: tls.certFile, fingerprint: fingerprintSha256(tls.certPem) } : {}),
    armFault: (name) => faults.arm(name),
    armedFaults: () => faults.list(),
    stop: () =>
      (stopped ??= new Promise<void>((done) => {
        stopping.abort();
        mgr.lock(); // wipe the key from memory
        server.close(() => done());
        server.closeAllConnections();
      })),
  };
  shared?.onStart(ctx);
  return handle;
}
