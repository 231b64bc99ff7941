import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FaultName } from './faults.js';
import type { Deps } from '../deps.js';
import { CliError, usageError } from '../errors.js';
import { writeJson } from '../output/json.js';
import { Secret } from '../secrets/secret.js';
import { sandboxUserExists, startSandbox, TlsSetupError, type SandboxHandle } from './index.js';
import { ensureDataDir } from './store.js';

/**
 * The `pikactl sandbox` runner, loaded only when that command runs: resolve the admin
 * password, start the server, print where it is, serve until ctx.signal aborts
 * (SIGINT/SIGTERM), stop cleanly.
 */

/** `pikactl sandbox` after parsing: everything this runner needs (declared here: the sandbox imports nothing from commands/). */
export interface SandboxCommandOptions {
  host: string;
  port: number;
  dataDir?: string;
  basePath?: string;
  tls?: { certFile: string; keyFile: string } | { selfSigned: true };
  user: string;
  /** A secret source (env:NAME or file:PATH); undefined = keep the stored password, or generate one. */
  passwordFrom?: string;
  cookieName: string;
  faults: FaultName[];
  rateLimit: { soft?: number; hard?: number; windowMs?: number };
  sessionTtlMs?: number;
  /** Simulate a Pika cluster of this many nodes (undefined: one standalone server). */
  cluster?: number;
  /** Serve a Kubernetes API stand-in with a StatefulSet of this many sandbox pods (src/sandbox/kube/). */
  kube?: number;
  kubeNamespace?: string;
  /** env:NAME or file:PATH: the boot password the Secret starts with (default: generated). */
  kubeSecretFrom?: string;
  /** Write the kubeconfig here instead of printing it (it is always written, to <data>/kubeconfig by default). */
  kubeconfigOut?: string;
  /** Do not log requests and key events on stderr. */
  quiet: boolean;
  json: boolean;
}

/** env:NAME and file:PATH only; the full secret-source reader lives in src/secrets. */
export async function readPasswordSource(spec: string, ctx: Deps, flag = '--password-from'): Promise<Secret> {
  const hint =
    'The sandbox takes --password-from env:NAME or file:PATH (or none: a password is generated). Check PIKA_PASSWORD_FROM too.';
  if (spec.startsWith('env:')) {
    const name = spec.slice(4);
    const v = ctx.env[name];
    if (!name || !v)
      throw usageError(`environment variable ${name || '(none)'} named by ${flag} is not set or empty`, hint);
    return new Secret(v, spec);
  }
  if (spec.startsWith('file:')) {
    const path = resolve(ctx.cwd, spec.slice(5));
    const st = await stat(path).catch(() => {
      throw usageError(`cannot read ${path} (from ${flag})`, hint);
    });
    if ((st.mode & 0o077) !== 0)
      throw usageError(
        `${path} can be read by group or others; refusing to use it as a password file`,
        `Run: chmod 600 ${path}`,
      );
    const v = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    if (!v) throw usageError(`${path} is empty`, hint);
    return new Secret(v, spec);
  }
  throw usageError(`${flag} "${spec.split(':')[0]}" is not supported by pikactl sandbox`, hint);
}

/** What listen() failed on: the error's own address and port (a cluster's node N listens on --port + N). */
function listenTarget(
  e: NodeJS.ErrnoException & { address?: string; port?: number },
  o: SandboxCommandOptions,
): string {
  const host = e.address ?? o.host;
  const port = typeof e.port === 'number' ? e.port : o.port;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The data directory cannot be made or used: say which and why, never a bare errno. */
function dataDirError(e: NodeJS.ErrnoException, dataDir: string): CliError | undefined {
  const why: Record<string, string> = {
    ENOENT: 'a parent folder does not exist or cannot hold folders',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a part of the path is not a folder',
    ENOSPC: 'no space left on the device',
    EEXIST: 'a file of that name is in the way',
  };
  const path = typeof e.path === 'string' ? e.path : undefined;
  // The folder itself, a parent being made on the way, or a file inside it.
  if (
    e.code === undefined ||
    !(e.code in why) ||
    path === undefined ||
    !(path.startsWith(dataDir) || dataDir.startsWith(path))
  )
    return undefined;
  return new CliError(`cannot use ${dataDir} as the sandbox data directory: ${why[e.code]} (${e.code} at ${path})`, {
    code: 'error',
    hint: 'Pass --data with a folder you can write (it is created when missing), or leave --data out for a fresh temporary one.',
    cause: e,
  });
}

function startError(err: unknown, o: SandboxCommandOptions, dataDir: string): CliError {
  const e = err as NodeJS.ErrnoException;
  const dirErr = dataDirError(e, dataDir);
  if (dirErr) return dirErr;
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
    const why =
      e.code === 'EADDRINUSE'
        ? 'address already in use'
        : e.code === 'EACCES'
          ? 'permission denied'
          : 'address not available here';
    return new CliError(`cannot listen on ${listenTarget(e, o)}: ${why}`, {
      code: 'error',
      hint: 'Pick another --port (0 picks a free one) or --host.',
      cause: err,
    });
  }
  if (err instanceof TlsSetupError) {
    return new CliError(err.message, {
      code: 'error',
      hint: 'Pass --tls-cert FILE --tls-key FILE, or drop the TLS flags for plain HTTP on loopback.',
    });
  }
  return new CliError(`cannot start the sandbox: ${(err as Error).message}`, { code: 'error', cause: err });
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (!signal) return; // no signal wired: serve until the process is killed
    if (signal.aborted) return done();
    signal.addEventListener('abort', () => done(), { once: true });
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function summary(h: SandboxHandle, o: SandboxCommandOptions, dataNote: string, userNote: string): string {
  const ca = h.certFile ? ` --cacert ${h.certFile}` : '';
  const lines = [
    'pikactl sandbox: a Pika-compatible rehearsal server (not for production)',
    `  URL:       ${h.url}`,
    `  data dir:  ${h.dataDir}${dataNote}`,
    `  user:      ${o.user} ${userNote}; session cookie ${h.cookieName}`,
    ...(h.tls ? [`  TLS:       ${h.certFile ?? 'certificate'}  SHA-256 ${h.fingerprint}`] : []),
    ...(o.faults.length ? [`  faults:    ${o.faults.join(', ')} (one-shot)`] : []),
    ...(!h.tls && !LOOPBACK.has(o.host)
      ? [
          `  warning:   plain HTTP on ${o.host}: passwords and keys cross the network unencrypted; use --tls-self-signed`,
        ]
      : []),
    'Try:',
    `  curl -s${ca} ${h.url}/api/v1/key/status`,
    `  curl -s${ca} -c jar.txt -H 'Content-Type: application/json' -d '{"username":"${o.user}","password":"…"}' ${h.url}/login/pass/local`,
    `  curl -s${ca} -b jar.txt -H 'Content-Type: application/json' -d '{"key":"…"}' ${h.url}/api/v1/key/initialize`,
    'Stop with Ctrl-C.',
  ];
  return `${lines.join('\n')}\n`;
}

export async function runSandbox(ctx: Deps, o: SandboxCommandOptions): Promise<number> {
  const { io } = ctx;
  const created = !o.dataDir;
  const dataDir = o.dataDir ? resolve(ctx.cwd, o.dataDir) : await mkdtemp(join(tmpdir(), 'pikactl-sandbox-'));

  // Made (0700) before anything reads it, so a path that cannot be a folder fails here, clearly.
  try {
    await ensureDataDir(dataDir);
  } catch (err) {
    throw dataDirError(err as NodeJS.ErrnoException, dataDir) ?? startError(err, o, dataDir);
  }

  let password: Secret | undefined;
  let source: string;
  if (o.passwordFrom) {
    password = await readPasswordSource(o.passwordFrom, ctx);
    source = o.passwordFrom;
  } else if (await sandboxUserExists(dataDir, o.user)) {
    source = 'data-dir';
  } else {
    password = new Secret(randomBytes(18).toString('base64url'), 'generated');
    source = 'generated';
  }

  let handle: SandboxHandle;
  let kube: import('./kube/index.js').KubeSandbox | undefined;
  let nodesJson: Array<{ url: string; role: string }> | undefined;
  try {
    const startOpts = {
      host: o.host,
      port: o.port,
      dataDir,
      basePath: o.basePath,
      tls: o.tls,
      users: [{ username: o.user, password: password?.reveal(), superadmin: true }],
      cookieName: o.cookieName,
      sessionTtlMs: o.sessionTtlMs,
      rateLimit: o.rateLimit,
      faults: o.faults,
      logger: o.quiet
        ? undefined
        : (line: string) => io.stderr.write(`[sandbox ${new Date().toISOString()}] ${line}\n`),
    };
    if (o.kube !== undefined) {
      // --kube N: a Kubernetes API stand-in over an N-node cluster (src/sandbox/kube/).
      const { startKubeFromCli } = await import('./kube/run.js');
      const boot = o.kubeSecretFrom ? await readPasswordSource(o.kubeSecretFrom, ctx, '--kube-secret-from') : undefined;
      kube = await startKubeFromCli(o, startOpts, boot);
      handle = { ...kube.world.cluster.node(0), stop: () => kube!.stop() };
    } else if (o.cluster !== undefined && o.cluster > 1) {
      // --cluster N: one leader and followers sharing the data dir; the leader's handle stands for the cluster.
      const { startSandboxCluster, clusterNodesJson } = await import('./cluster.js');
      const c = await startSandboxCluster({
        ...startOpts,
        nodes: o.cluster,
        ports: Array.from({ length: o.cluster }, (_, i) => (o.port === 0 ? 0 : o.port + i)),
      });
      handle = { ...c.node(c.leader()), stop: () => c.stop() };
      nodesJson = clusterNodesJson(c);
    } else {
      handle = await startSandbox(startOpts);
    }
  } catch (err) {
    throw startError(err, o, dataDir);
  }

  const userNote =
    source === 'generated'
      ? '(password generated, printed below once)'
      : source === 'data-dir'
        ? '(password kept from the data dir)'
        : `(password from ${source})`;
  const dataNote = created ? ' (new; pass it to --data to restart this server)' : '';
  if (kube) {
    const { announceKube } = await import('./kube/run.js');
    await announceKube(ctx, o, kube, { dataDir, created, user: o.user, userNote });
  } else if (o.json) {
    writeJson(io, {
      url: handle.url,
      origin: handle.origin,
      base_path: handle.basePath,
      host: handle.host,
      port: handle.port,
      data_dir: handle.dataDir,
      data_dir_created: created,
      tls: handle.tls,
      ...(handle.tls ? { cert_file: handle.certFile, fingerprint_sha256: handle.fingerprint } : {}),
      user: o.user,
      password_source: source,
      cookie_name: handle.cookieName,
      faults: o.faults,
      ...(nodesJson ? { cluster: nodesJson } : {}),
    });
  } else {
    // One URL per line on stdout (a cluster: every node, leader first).
    io.stdout.write(`${nodesJson ? nodesJson.map((n) => n.url).join('\n') : handle.url}\n`);
    io.stderr.write(summary(handle, o, dataNote, userNote));
    if (nodesJson) {
      io.stderr.write(`Simulated cluster (POSTs on a follower run on the leader; each node has its own lock state):\n`);
      for (const n of nodesJson) io.stderr.write(`  ${n.role.padEnd(8)}  ${n.url}\n`);
    }
  }
  // The generated password goes to stderr only, once: never stdout, never the JSON.
  if (source === 'generated') io.stderr.write(`Generated password for ${o.user} (shown once): ${password!.reveal()}\n`);

  await untilAborted(ctx.signal);
  io.stderr.write('pikactl sandbox: stopping\n');
  await handle.stop();
  io.stderr.write(`pikactl sandbox: stopped; state kept in ${handle.dataDir}\n`);
  return 0;
}
