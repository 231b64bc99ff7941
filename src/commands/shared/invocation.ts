import type { App } from '../app.js';
import type { GlobalOptions } from '../../globals.js';
import type { ServerUrl } from '../../api/url.js';
import type { PikaClient } from '../../api/types.js';
import { usageError } from '../../errors.js';
import type { Secret } from '../../secrets/secret.js';
import { resolveConnection, type Connection } from '../../config/resolve.js';
import type { LoginStore } from '../../auth/index.js';
import type { SecretReader } from '../../secrets/reader.js';
import type { KubeSelection, PodFacts } from '../../kube/targets.js';

/** One server and a client for it. */
export interface Target {
  server: ServerUrl;
  client: PikaClient;
  /** The pod behind it (--kube): Kubernetes' own view, for rows and hints. */
  pod?: PodFacts;
}

/** A secret-source flag and its value, validated before any request is sent. */
export interface SpecFlag {
  flag: string;
  spec?: string;
}

/**
 * One run of a command: its resolved connection, a target (server + client) per server and
 * one secret reader. Opening it logs nothing in; close() closes the clients' sockets.
 */
export interface Invocation {
  conn: Connection;
  /** Stored login sessions (`pikactl login`, keychain); opened lazily, finds nothing where no keychain is reachable. */
  loginStore?: LoginStore;
  targets: Target[];
  /** Reads of the same flag are asked once and reused (fleets); keychain reads are per server. */
  secrets: SecretReader;
  /** With --kube: the pods found (Running ones are targets; the others are rows without a request). */
  kube?: KubeSelection;
  close(): Promise<void>;
}

/**
 * Resolves flags/env/context into servers, builds one client per server and one
 * secret reader for the whole invocation. Heavy modules (undici) load here, not at start-up.
 */
export async function openInvocation(app: App, g: GlobalOptions, specs: SpecFlag[] = []): Promise<Invocation> {
  const { ctx } = app;
  // Refuse a bad secret source (e.g. a passphrase typed as --key-from) before anything goes on the wire.
  const { validateSecretSpecs, parseSecretSpec } = await import('../../secrets/spec.js');
  const declared = [
    ...specs,
    { flag: '--password-from', spec: g.passwordFrom },
    { flag: '--totp-from', spec: g.totpFrom },
  ];
  validateSecretSpecs(declared);
  const conn = await resolveConnection(ctx, g);
  // Pods from the Kubernetes API: the client is loaded only here (start-up stays where it is).
  let kube: KubeSelection | undefined;
  if (conn.kube) {
    const { openKubeTargets } = await import('../../kube/open.js');
    kube = await openKubeTargets(ctx, g, { ...conn, kube: conn.kube });
    conn.servers = kube.targets.map((t) => t.server);
  }
  const secretEnvNames = new Set<string>();
  for (const { flag, spec } of [...declared, { flag: 'key_from', spec: conn.keyFrom }]) {
    const parsed = spec === undefined ? undefined : parseSecretSpec(spec, flag);
    if (parsed?.kind === 'env') secretEnvNames.add(parsed.name);
  }
  const [{ createPikaClient }, { insecureWarning, plainHttpWarning }, { VERSION }] = await Promise.all([
    import('../../api/client.js'),
    import('../../transport/index.js'),
    import('../../version.js'),
  ]);
  if (conn.transport.insecure) {
    for (const server of conn.servers) {
      const warning = insecureWarning(server); // none for http://: no TLS there to skip
      if (warning) ctx.io.stderr.write(`${ctx.io.style.yellow(warning)}\n`);
    }
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
        client: createPikaClient({
          server,
          transport,
          fetch: ctx.fetch,
          userAgent: `pikactl/${VERSION}`,
          cookieName: g.cookieName,
        }),
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
  const readers = new Map<string, Promise<import('../../secrets/reader.js').SourceReader>>();
  const readerFor = (server: ServerUrl) => {
    let r = readers.get(server.id);
    if (!r) {
      const loaded = Promise.all([import('../../secrets/reader.js'), import('./kube-source.js')]);
      readers.set(
        server.id,
        (r = loaded.then(
          ([{ SourceReader }, { kubeSource }]) =>
            new SourceReader(ctx, { server, secretEnvNames, kube: kubeSource(ctx, g.kube) }),
        )),
      );
    }
    return r;
  };
  const cache = new Map<string, Promise<Secret>>();
  const remember = (s: Secret) => (app.secretsRead.push(s), s);
  const secrets: SecretReader = {
    read(req) {
      // A prompt or a file is the same for every replica; a keychain entry is not.
      const perServer = req.spec === 'keychain' || req.spec?.startsWith('keychain:') === true;
      const server = perServer ? (req.server ?? conn.servers[0]) : conn.servers[0];
      // A TOTP code is good once and for 30 s: every login (each node, a re-login) asks anew.
      if (req.flag === '--totp-from')
        return readerFor(server)
          .then((r) => r.read(req))
          .then(remember);
      const key = `${req.flag}\u0000${req.spec ?? ''}${perServer ? `\u0000${server.id}` : ''}`;
      let p = cache.get(key);
      if (!p) {
        p = readerFor(server)
          .then((r) => r.read(req))
          .then(remember);
        cache.set(key, p);
        p.catch(() => cache.delete(key));
      }
      return p;
    },
  };
  // Lazy: the keychain is opened only when a command needs a session and PIKA_SESSION is unset.
  // Without one (CI), the lookup finds nothing and authentication falls through to an inline login.
  let store: Promise<Required<LoginStore>> | undefined;
  const openStore = () =>
    (store ??= import('../../keychain/login-store.js').then(({ keychainLoginStore }) =>
      keychainLoginStore(ctx, {
        onUnavailable: (err) => {
          if (g.debug) ctx.io.stderr.write(`${ctx.io.style.dim(`No stored session: ${err.message}`)}\n`);
        },
      }),
    ));
  // A full inline login (a user and --password-from/PIKA_PASSWORD_FROM) is what the operator
  // asked for: no stored-session lookup, so such a command never touches the keychain at all.
  const inlineLogin = (g.user ?? conn.user) !== undefined && g.passwordFrom !== undefined;
  const loginStore: LoginStore = {
    load: async (server) => (inlineLogin ? null : (await openStore()).load(server)),
    remove: async (server) => (await openStore()).remove(server),
    save: async (server, cookie, user) => (await openStore()).save(server, cookie, user),
  };
  return {
    conn,
    loginStore,
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
export function singleTarget(inv: Invocation, command: string): Target {
  if (inv.targets.length !== 1) {
    throw usageError(
      `${command} acts on one server, but ${inv.targets.length} were given`,
      `Pass one --server. In a Pika cluster every POST is forwarded to the leader, so one replica is enough.`,
    );
  }
  return inv.targets[0];
}
