import type { Command } from 'commander';
import { summary } from './summaries.js';
import { usageError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import { FAULTS, FAULT_NAMES, isFaultName } from '../sandbox/faults.js';
import { parseDuration } from '../util/duration.js';
import type { App, RunCommand } from './app.js';
import { typed, option, type OptionsOf } from './shared/typed.js';
import type { SandboxCommandOptions } from '../sandbox/run.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function int(text: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max)
    throw usageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

/** Builder: argv options + globals → SandboxCommandOptions (no IO). */
export function sandboxOptions(rawIn: SandboxFlags, globals: GlobalOptions): SandboxCommandOptions {
  // Should a global --kube <ref> (Kubernetes targets) take the flag before it reaches this
  // command, `sandbox --kube N` still means N pods.
  const globalKube: unknown = globals.kube?.kube; // the global --kube <ref> (src/globals.ts)
  const raw = rawIn.kube === undefined && typeof globalKube === 'string' ? { ...rawIn, kube: globalKube } : rawIn;
  if (Boolean(raw.tlsCert) !== Boolean(raw.tlsKey)) {
    throw usageError(
      '--tls-cert and --tls-key go together',
      'Pass both, or --tls-self-signed for a generated certificate.',
    );
  }
  for (const f of raw.fault ?? []) {
    if (!isFaultName(f)) throw usageError(`unknown fault "${f}"`, `Known faults: ${FAULT_NAMES.join(', ')}.`);
  }
  if (
    raw.kube !== undefined &&
    (raw.cluster !== undefined || raw.basePath !== undefined || raw.tlsCert || raw.tlsSelfSigned)
  ) {
    throw usageError(
      '--kube goes alone: it makes its own cluster, with plain-HTTP pods as upstream runs them',
      'Drop --cluster, --base-path and the TLS flags.',
    );
  }
  if (
    (raw.kubeNamespace !== undefined || raw.kubeconfigOut !== undefined || raw.kubeSecretFrom !== undefined) &&
    raw.kube === undefined
  ) {
    throw usageError('--kube-namespace, --kube-secret-from and --kubeconfig-out need --kube N');
  }
  if (raw.kubeNamespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw.kubeNamespace))
    throw usageError(`--kube-namespace "${raw.kubeNamespace}" is not a valid namespace name`);
  if (raw.basePath !== undefined && /[?#\s]/.test(raw.basePath))
    throw usageError(`--base-path "${raw.basePath}" is not a plain path`);
  const sessionTtlMs = raw.sessionTtl === undefined ? undefined : parseDuration(raw.sessionTtl, '--session-ttl');
  if (sessionTtlMs !== undefined && sessionTtlMs <= 0) throw usageError('--session-ttl must be greater than zero');
  const windowMs =
    raw.rateLimitWindow === undefined ? undefined : parseDuration(raw.rateLimitWindow, '--rate-limit-window');
  if (windowMs !== undefined && windowMs <= 0) throw usageError('--rate-limit-window must be greater than zero');
  return {
    host: raw.host,
    port: int(raw.port, '--port', 0, 65535)!,
    dataDir: raw.data,
    basePath: raw.basePath,
    tls: raw.tlsSelfSigned
      ? { selfSigned: true }
      : raw.tlsCert
        ? { certFile: raw.tlsCert, keyFile: raw.tlsKey! }
        : undefined,
    user: globals.user ?? 'admin',
    passwordFrom: globals.passwordFrom,
    cookieName: globals.cookieName,
    faults: [...new Set((raw.fault ?? []).filter(isFaultName))], // every one checked above
    rateLimit: {
      soft: int(raw.rateLimitSoft, '--rate-limit-soft', 0),
      hard: int(raw.rateLimitHard, '--rate-limit-hard', 0),
      windowMs,
    },
    sessionTtlMs,
    cluster: int(raw.cluster, '--cluster', 1, 16),
    kube: int(raw.kube, '--kube', 1, 16),
    kubeNamespace: raw.kubeNamespace,
    kubeSecretFrom: raw.kubeSecretFrom,
    kubeconfigOut: raw.kubeconfigOut,
    quiet: Boolean(raw.quiet),
    json: globals.json,
  };
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

const HELP_AFTER = `
The sandbox re-implements Pika's key-management API (key status, initialize,
unlock, lock, rotate, login, the lock gate, rate limits) with real crypto and a
data directory, so stopping it and starting it again on the same --data is a
restart: it comes back locked and only the right key unlocks it. The key itself
is never written to disk.

Login user: the global --user (default admin). Its password comes from the
global --password-from (env:NAME or file:PATH; PIKA_USER and PIKA_PASSWORD_FROM
count too); without it, a password stored in --data is kept, otherwise one is
generated and printed once on stderr. The session cookie name is the global
--cookie-name.
Sessions live in memory: a restart logs everyone out.

Faults (one-shot; each fires on the next rotation or init that reaches it):
${FAULT_NAMES.map((f) => `  ${f.padEnd(15)} ${wrap(FAULTS[f], 60).join(`\n${' '.repeat(18)}`)}`).join('\n')}

Examples:
  pikactl sandbox --port 0
  PIKA_PASSWORD_FROM=env:SBX_PW pikactl sandbox --data ./rehearsal \\
    --fault rotate-write
  pikactl sandbox --tls-self-signed --base-path /pika
  # a leader and 2 followers; an unlock sent to a follower unlocks the leader:
  pikactl sandbox --cluster 3 --port 0
  pikactl sandbox --kube 3 --kubeconfig-out kc.yaml  # a StatefulSet of 3 pods
  KUBECONFIG=kc.yaml kubectl get pods -n pika

With --kube, pod i listens on its own pod IP 127.R.S.(i+2):8080 (plain HTTP, as
upstream's pods); --port is the API server's (default: any free port). The pods
boot with the password in Secret pika-encryption key password (the first one
initializes the key with it, as PIKA_ENCRYPTION_PASSWORD does); a restart on the
same --data needs the same --kube-secret-from, or the pods come back locked.`;

/** The declaration, once: SandboxFlags is inferred from it. */
function declareSandbox(program: Command) {
  return (
    typed(program)
      .command('sandbox')
      .description(summary('sandbox'))
      .addOption(option('--host <host>', 'address to listen on').default('127.0.0.1'))
      .addOption(option('--port <port>', 'port to listen on; 0 picks a free one').default('8080'))
      .addOption(
        option(
          '--data <dir>',
          'state directory; start again on it to restart the same server (default: a new temporary directory)',
        ),
      )
      .addOption(
        option('--base-path <path>', 'serve everything under this path, like PIKA_SERVER_BASE_PATH (e.g. /pika)'),
      )
      .addOption(option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)'))
      .addOption(option('--tls-key <file>', 'PEM private key for --tls-cert'))
      .addOption(
        option(
          '--tls-self-signed',
          "serve HTTPS with a self-signed certificate made like Pika's (kept in <data>/tls/)",
        ).conflicts(['tlsCert', 'tlsKey']),
      )
      // choices() feeds --help and shell completion from the faults list; argParser (set after it) collects, and
      // sandboxOptions() names the known faults when one is unknown.
      .addOption(option('--fault <name>', 'arm a one-shot fault (repeatable)').choices(FAULT_NAMES).argParser(collect))
      .addOption(
        option('--rate-limit-soft <n>', 'failed unlocks/logins per IP before each try is delayed (default: 3)'),
      )
      .addOption(option('--rate-limit-hard <n>', 'failed unlocks/logins per IP that trigger 429 (default: 30)'))
      .addOption(option('--rate-limit-window <duration>', 'how long a failure counts (default: 15m)'))
      .addOption(option('--session-ttl <duration>', 'how long a login session lasts (default: 8h)'))
      .addOption(
        option(
          '--cluster <n>',
          'simulate a Pika cluster of n nodes on consecutive ports from --port: one leader, followers forward every POST to it',
        ),
      )
      .addOption(
        option(
          '--kube <n>',
          'serve a Kubernetes API stand-in: StatefulSet pika of n sandbox pods, a boot-password Secret, a kubeconfig',
        ),
      )
      .addOption(option('--kube-namespace <ns>', 'namespace of the --kube objects (default: pika)'))
      .addOption(
        option(
          '--kube-secret-from <spec>',
          'env:NAME or file:PATH: the boot password the --kube Secret starts with (default: generated)',
        ),
      )
      .addOption(option('--kubeconfig-out <file>', 'write the --kube kubeconfig here (0600) instead of printing it'))
      .addOption(option('-q, --quiet', 'do not log requests and key events on stderr'))
      .addHelpText('after', HELP_AFTER)
  );
}

/** The flags as parsed (the sandbox's own options are built from them, and the globals, when it runs). */
export type SandboxFlags = OptionsOf<typeof declareSandbox>;

export function registerSandbox(program: Command, app: App, run: RunCommand<SandboxFlags> = runSandboxCommand): void {
  app.action(declareSandbox(program), (opts, g, args) => run(app, g, opts, args));
}

export const runSandboxCommand: RunCommand<SandboxFlags> = async (app, globals, raw) => {
  const opts = sandboxOptions(raw, globals);
  const { runSandbox } = await import('../sandbox/run.js');
  return runSandbox(app.ctx, opts);
};
