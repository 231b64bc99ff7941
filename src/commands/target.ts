import type { App } from './app.js';
import type { GlobalOptions } from '../globals.js';
import type { ServerUrl } from '../api/url.js';
import type { PikaClient } from '../api/types.js';
import { ApiError } from '../api/types.js';
import { type CliError, usageError } from '../errors.js';
import type { Secret } from '../secrets/secret.js';
import { resolveConnection, type Connection } from '../config/resolve.js';
import type { SessionStore } from '../auth/index.js';
import type { KeychainKind } from '../secrets/accounts.js';
import type { KubeSelection, PodFacts } from '../kube/targets.js';

/** One server and a client for it. */
export interface Target {
  server: ServerUrl;
  client: PikaClient;
  /** The pod behind it (--kube): Kubernetes' own view, for rows and hints. */
  pod?: PodFacts;
}

/** A source of secrets for this invocation; reads of the same flag are asked once and reused (fleets). */
export interface Secrets {
  /**
   * `server` names the keychain entry a bare `keychain` (or `keychain:<kind>`) means; default the
   * first server. Keychain reads are cached per server, so a fleet gets each replica's own entry.
   */
  read(req: { spec?: string; flag: string; label: string; confirm?: boolean; keychainDefault?: KeychainKind; server?: ServerUrl }): Promise<Secret>;
}

/** A secret-source flag and its value, validated before any request is sent. */
export interface SpecFlag {
  flag: string;
  spec?: string;
}

export interface Session {
  conn: Connection;
  /** Stored login sessions (`pikactl login`, keychain); opened lazily, finds nothing where no keychain is reachable. */
  sessionStore?: SessionStore;
  targets: Target[];
  secrets: Secrets;
  /** With --kube: the pods found (Running ones are targets; the others are rows without a request). */
  kube?: KubeSelection;
  close(): Promise<void>;
}

/**
 * Resolves flags/env/context into servers, builds one client per server and one
 * secret reader for the whole invocation. Heavy modules (undici) load here, not at start-up.
 */
export async function openSession(app: App, g: GlobalOptions, specs: SpecFlag[] = []): Promise<Session> {
  const { ctx } = app;
  // Refuse a bad secret source (e.g. a passphrase typed as --key-from) before anything goes on the wire.
  const { validateSecretSpecs, parseSecretSpec } = await import('../secrets/spec.js');
  const declared = [...specs, { flag: '--password-from', spec: g.passwordFrom }, { flag: '--totp-from', spec: g.totpFrom }];
  validateSecretSpecs(declared);
  const conn = await resolveConnection(ctx, g);
  // Pods from the Kubernetes API: the client is loaded only here (start-up stays where it is).
  let kube: KubeSelection | undefined;
  if (conn.kube) {
    const { openKubeTargets } = await import('../kube/session.js');
    kube = await openKubeTargets(ctx, g, { ...conn, kube: conn.kube });
    conn.servers = kube.targets.map((t) => t.server);
  }
  const secretEnvNames = new Set<string>();
  for (const { flag, spec } of [...declared, { flag: 'key_from', spec: conn.keyFrom }]) {
    const parsed = spec === undefined ? undefined : parseSecretSpec(spec, flag);
    if (parsed?.kind === 'env') secretEnvNames.add(parsed.name);
  }
  const [{ createPikaClient }, { insecureWarning, plainHttpWarning }, { VERSION }] = await Promise.all([
    import('../api/client.js'),
    import('../transport/index.js'),
    import('../version.js'),
  ]);
  if (conn.transport.insecure) {
    for (const server of conn.servers) ctx.io.stderr.write(`${ctx.io.style.yellow(insecureWarning(server))}\n`);
  }
  if (conn.transport.allowHttp) {
    for (const server of conn.servers) {
      const warning = plainHttpWarning(server);
      if (warning) ctx.io.stderr.write(`${ctx.io.style.yellow(warning)}\n`);
    }
  }
  let targets: Target[];
  try {
    targets = conn.servers.map((server, i) => {
      const pod = kube?.targets[i];
      // A pod is reached through a loopback forward or at its IP inside the cluster: plain http
      // there is the documented exception to --allow-http, and no proxy stands in between.
      const { proxy: _notForPods, ...direct } = conn.transport;
      const transport = pod ? { ...direct, allowHttp: conn.transport.allowHttp || pod.podHttp } : conn.transport;
      return {
        server,
        client: createPikaClient({ server, transport, fetch: ctx.fetch, userAgent: `pikactl/${VERSION}`, cookieName: g.cookieName }),
        ...(pod ? { pod: pod.pod } : {}),
      };
    });
  } catch (err) {
    await kube?.close();
    throw err;
  }
  // `keychain` names an entry after its server, so keychain reads get a reader per server.
  // Everything else goes through the first server's reader: it alone tracks what stdin and
  // env: already supplied (a later cmd: child must not inherit those variables).
  // Loaded on the first read: status and an already-unlocked unlock read no secret at all.
  const readers = new Map<string, Promise<import('../secrets/reader.js').SecretReader>>();
  const readerFor = (server: ServerUrl) => {
    let r = readers.get(server.id);
    if (!r) readers.set(server.id, (r = import('../secrets/reader.js').then(({ SecretReader }) => new SecretReader(ctx, { server, secretEnvNames, kube: g.kube }))));
    return r;
  };
  const cache = new Map<string, Promise<Secret>>();
  const remember = (s: Secret) => (app.secretsRead.push(s), s);
  const secrets: Secrets = {
    read(req) {
      // A prompt or a file is the same for every replica; a keychain entry is not.
      const perServer = req.spec === 'keychain' || req.spec?.startsWith('keychain:') === true;
      const server = perServer ? (req.server ?? conn.servers[0]) : conn.servers[0];
      // A TOTP code is good once and for 30 s: every login (each node, a re-login) asks anew.
      if (req.flag === '--totp-from') return readerFor(server).then((r) => r.read(req)).then(remember);
      const key = `${req.flag}\u0000${req.spec ?? ''}${perServer ? `\u0000${server.id}` : ''}`;
      let p = cache.get(key);
      if (!p) {
        p = readerFor(server).then((r) => r.read(req)).then(remember);
        cache.set(key, p);
        p.catch(() => cache.delete(key));
      }
      return p;
    },
  };
  // Lazy: the keychain is opened only when a command needs a session and PIKA_SESSION is unset.
  // Without one (CI), the lookup finds nothing and authentication falls through to an inline login.
  let store: Promise<Required<SessionStore>> | undefined;
  const openStore = () =>
    (store ??= import('../keychain/session-store.js').then(({ keychainSessionStore }) =>
      keychainSessionStore(ctx, {
        onUnavailable: (err) => {
          if (g.debug) ctx.io.stderr.write(`${ctx.io.style.dim(`No stored session: ${err.message}`)}\n`);
        },
      }),
    ));
  // A full inline login (a user and --password-from/PIKA_PASSWORD_FROM) is what the operator
  // asked for: no stored-session lookup, so such a command never touches the keychain at all.
  const inlineLogin = (g.user ?? conn.user) !== undefined && g.passwordFrom !== undefined;
  const sessionStore: SessionStore = {
    load: async (server) => (inlineLogin ? null : (await openStore()).load(server)),
    remove: async (server) => (await openStore()).remove(server),
    save: async (server, cookie, user) => (await openStore()).save(server, cookie, user),
  };
  return {
    conn,
    sessionStore,
    targets,
    secrets,
    ...(kube ? { kube } : {}),
    async close() {
      await Promise.allSettled(targets.map((t) => t.client.close()));
      await kube?.close();
    },
  };
}

/** Commands that act on one server (init, rotate) refuse a replica list rather than guess. */
export function singleTarget(session: Session, command: string): Target {
  if (session.targets.length !== 1) {
    throw usageError(
      `${command} acts on one server, but ${session.targets.length} were given`,
      `Pass one --server. In a Pika cluster every POST is forwarded to the leader, so one replica is enough.`,
    );
  }
  return session.targets[0];
}

/** Wraps an API error with the default mapping unless the command maps it itself. */
export async function mapApiErrors<T>(server: ServerUrl, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError) throw await toCliError(err, server, action);
    throw err;
  }
}

export async function toCliError(err: ApiError, server: ServerUrl, action: string): Promise<CliError> {
  const { apiErrorToCli } = await import('../api/errors.js');
  return apiErrorToCli(err, server, action);
}

/**
 * A server key for one node: an explicit source (flag, or the context's key_from) wins;
 * without one, the node's own keychain entry "server-key:<server id>" when it exists
 * (said on stderr), else the prompt or the needs-input error. Looked up only when a key
 * is really needed, so an unlocked server never causes a keychain access.
 */
export async function readServerKey(
  app: App,
  g: GlobalOptions,
  session: Session,
  t: Target,
  req: { spec: string | undefined; flag: string; label: string },
): Promise<Secret> {
  const { ctx } = app;
  if (req.spec === undefined) {
    const { findServerKey, usingStoredKeyNote } = await import('../keychain/server-key.js');
    const stored = await findServerKey(ctx, t.server, (err) => {
      if (g.debug) ctx.io.stderr.write(`${ctx.io.style.dim(`No stored server key: ${err.message}`)}\n`);
    });
    if (stored) {
      ctx.io.stderr.write(usingStoredKeyNote(stored.account, req.label));
      app.secretsRead.push(stored.secret);
      return stored.secret;
    }
  }
  return session.secrets.read({ spec: req.spec, flag: req.flag, label: req.label, keychainDefault: 'server-key', server: t.server });
}
