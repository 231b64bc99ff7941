import { resolve } from 'node:path';
import { SessionStore, UserDb } from './auth.js';
import { header, text, type Reply, type Req } from './http.js';
import { startSandbox, type ClusterMember, type SandboxHandle, type SandboxOptions } from './index.js';
import { SANDBOX_VERSION } from './routes/api.js';
import type { ClusterHook, ServerCtx } from './routes/context.js';
import { serveLocally } from './server.js';
import { SettingsDb } from './settings.js';
import { ensureDataDir } from './store.js';

/**
 * A small simulated Pika cluster (shared/pika-api.md §9), all in this process:
 * - one leader; followers hand every request that is not GET/HEAD/OPTIONS to the
 *   leader, before their own lock gate, and return its reply verbatim (nothing added);
 * - each node has its OWN key manager (locked/unlocked), while settings, users and
 *   sessions are one shared "replicated store" (a login on one node works on all);
 * - GETs are served by the node that receives them, so a follower's key/status shows
 *   its own lock state, and a locked follower stays locked after a 200 "server unlocked";
 * - with the leader down, forwarded requests get Pika's plain-text 503.
 * Upstream quirks that follow for free: after `initialize` on the leader, a follower
 * starts gating only after a restart or a local GET key/status; after `rotate`, a
 * follower still holding the old key gets 500s on settings reads.
 * There is no automatic election: the leader stays down until restarted or setLeader().
 */

export interface SandboxClusterOptions extends Omit<SandboxOptions, 'port' | 'cluster'> {
  /** How many nodes (1..64). Node 0 is the leader unless `leader` says otherwise. */
  nodes: number;
  /** One port per node; missing or 0 picks a free one. Restarts reuse the node's port. */
  ports?: number[];
  /** One bind address per node (e.g. 127.0.0.2, .3: a pod IP each); missing ones use `host`. */
  hosts?: string[];
  leader?: number;
  /** How every node boots the first time (e.g. a boot password). */
  firstBoot?: StartNodeOptions;
}

export interface StartNodeOptions {
  /**
   * Stand-in for Pika's `encryption.password`: the node unlocks itself at boot with
   * this passphrase (the only way a follower gets unlocked in a real cluster).
   */
  bootKey?: string;
  /**
   * 'fail' (default): a wrong bootKey fails the boot. 'pika': as Pika's boot does (§8): no
   * verifier yet → initialize with bootKey; a wrong one → the node boots locked.
   */
  boot?: 'fail' | 'pika';
}

export interface SandboxCluster {
  readonly size: number;
  /** One URL per node, stable across restarts. */
  readonly urls: string[];
  /** The node's current handle (replaced by a restart). */
  node(i: number): SandboxHandle;
  leader(): number;
  isRunning(i: number): boolean;
  /** Makes node i the leader (an election's outcome); it must be running. */
  setLeader(i: number): void;
  stopNode(i: number): Promise<void>;
  /** Starts a stopped node again on its port; it comes back locked unless bootKey unlocks it. */
  startNode(i: number, opts?: StartNodeOptions): Promise<SandboxHandle>;
  restartNode(i: number, opts?: StartNodeOptions): Promise<SandboxHandle>;
  stop(): Promise<void>;
}

const LOCAL_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Go's http.Error, as the cluster middleware answers. */
function clusterError(status: number, message: string): Reply {
  return text(status, `${message}\n`, { 'X-Content-Type-Options': 'nosniff' });
}

export async function startSandboxCluster(opts: SandboxClusterOptions): Promise<SandboxCluster> {
  const size = opts.nodes;
  if (!Number.isInteger(size) || size < 1 || size > 64)
    throw new Error(`a sandbox cluster needs 1 to 64 nodes, not ${size}`);
  let leader = opts.leader ?? 0;
  if (!Number.isInteger(leader) || leader < 0 || leader >= size)
    throw new Error(`leader must be a node index below ${size}`);
  const dataDir = resolve(opts.dataDir);
  await ensureDataDir(dataDir);
  // The replicated store, loaded once: every node reads and writes the same objects.
  const db = await SettingsDb.load(dataDir);
  const users = await UserDb.open(dataDir, opts.users ?? []);
  const sessions = new SessionStore(opts.sessionTtlMs ?? 8 * 3_600_000);
  const log = opts.logger ?? (() => {});

  const handles: SandboxHandle[] = [];
  const ports: number[] = Array.from({ length: size }, (_, i) => opts.ports?.[i] ?? 0);
  const live = new Map<number, ServerCtx>();
  const host = opts.host ?? '127.0.0.1';
  /** The node's peer address. Real Pika reports its QUIC address here; the sandbox has none, so the HTTP host:port stands in. */
  const addr = (i: number) =>
    `${handles[i]?.origin.replace(/^https?:\/\//, '') ?? `${opts.hosts?.[i] ?? host}:${ports[i]}`}`;

  const hookFor = (i: number): ClusterHook => ({
    forward(req: Req) {
      if (LOCAL_METHODS.has(req.method) || i === leader) return undefined;
      // Only peers may mark a request as forwarded; from a client it reaches a non-leader.
      if (header(req, 'x-pika-cluster-forwarded'))
        return Promise.resolve(clusterError(503, 'cluster: forwarded request reached non-leader'));
      const target = live.get(leader);
      if (!target) return Promise.resolve(clusterError(503, 'cluster: no leader available, retry shortly'));
      target.log(`cluster: running ${req.method} ${req.fullPath} forwarded by node ${i} rid=${req.requestId}`);
      return serveLocally(target, req);
    },
    status() {
      const leaderUp = live.has(leader);
      const quorum = Math.floor(size / 2) + 1;
      return {
        enabled: true,
        role: i === leader ? 'leader' : 'follower',
        is_leader: i === leader,
        leader_healthy: leaderUp,
        leader_addr: leaderUp ? addr(leader) : '',
        local_addr: addr(i),
        peer_count: size - 1,
        online_nodes: live.size,
        expected_replicas: size,
        quorum_nodes_required: quorum,
        has_quorum: live.size >= quorum,
        version: SANDBOX_VERSION,
        config: { enabled: true, expected_replicas: size, simulated: true },
        nodes: handles.map((_, j) => ({
          id: `node-${j}`,
          label: `sandbox-${j}`,
          address: addr(j),
          role: j === leader ? 'leader' : 'follower',
          self: j === i,
          leader: j === leader,
          connected: live.has(j),
        })),
      };
    },
  });

  const start = async (i: number, o: StartNodeOptions = {}): Promise<SandboxHandle> => {
    if (live.has(i)) throw new Error(`node ${i} is already running`);
    let nodeCtx: ServerCtx | undefined;
    const member: ClusterMember = {
      db,
      users,
      sessions,
      hook: hookFor(i),
      onStart: (ctx) => {
        nodeCtx = ctx;
      },
    };
    const nodeLog = (line: string) => log(`node ${i}: ${line}`);
    const h = await startSandbox({
      ...opts,
      host: opts.hosts?.[i] ?? host,
      dataDir,
      port: ports[i],
      users: [],
      logger: nodeLog,
      cluster: member,
    });
    ports[i] = h.port;
    const ctx = nodeCtx!;
    if (o.bootKey !== undefined && o.boot === 'pika') {
      if (!db.raw().encryption_verifier) await ctx.keys.initialize(o.bootKey);
      else
        await ctx.keys.unlock(o.bootKey).catch((err: Error) => {
          ctx.encryptionConfigInvalid = true;
          nodeLog(`boot: encryption.password did not unlock: ${err.message}`);
        });
    } else if (o.bootKey !== undefined) {
      // encryption.password: a wrong one fails the boot.
      await ctx.keys.unlock(o.bootKey).catch(async (err: Error) => {
        await h.stop();
        throw new Error(`node ${i} failed to boot: encryption.password: ${err.message}`);
      });
    }
    live.set(i, ctx);
    const stop = h.stop;
    handles[i] = {
      ...h,
      stop: async () => {
        live.delete(i);
        await stop();
      },
    };
    return handles[i];
  };

  try {
    for (let i = 0; i < size; i++) await start(i, opts.firstBoot);
  } catch (err) {
    await Promise.all(handles.filter(Boolean).map((h) => h.stop()));
    throw err;
  }

  const check = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= size) throw new Error(`no node ${i} in a cluster of ${size}`);
  };
  return {
    size,
    urls: handles.map((h) => h.url),
    node: (i) => (check(i), handles[i]),
    leader: () => leader,
    isRunning: (i) => live.has(i),
    setLeader(i) {
      check(i);
      if (!live.has(i)) throw new Error(`node ${i} is not running and cannot lead`);
      leader = i;
      log(`cluster: node ${i} is the leader`);
    },
    async stopNode(i) {
      check(i);
      await handles[i].stop();
    },
    startNode: (i, o) => (check(i), start(i, o)),
    async restartNode(i, o) {
      check(i);
      await handles[i].stop();
      return start(i, o);
    },
    async stop() {
      await Promise.all(handles.map((h) => h.stop()));
    },
  };
}

/** The nodes for `pikactl sandbox --cluster` output, leader first. */
export function clusterNodesJson(c: SandboxCluster): Array<{ url: string; role: 'leader' | 'follower' }> {
  const order = [c.leader(), ...c.urls.map((_, i) => i).filter((i) => i !== c.leader())];
  return order.map((i) => ({ url: c.urls[i], role: i === c.leader() ? 'leader' : 'follower' }));
}
