import { DEFAULT_TIMEOUT, GLOBAL_ENV } from './global-env.js';
import { SUMMARIES } from './commands/summaries.js';

/**
 * The program's own declarations (description, global options, closing text), one source for
 * program.ts, which gives them to commander, and for renderRootHelp below, which prints
 * `pikactl --help` without loading commander: commander alone costs more start-up than the
 * aim for --help (1.25x bare node; see bench/startup.mjs and the README's Performance).
 * test/unit/root-help.test.ts proves both print the same text at every width.
 * Also built as CommonJS (tsconfig.cjs.json, into dist/cjs/) for bin/pikactl.js, which answers
 * `--help` without Node's ES module loader: so this file and its imports import nothing else.
 */
export const ROOT_DESCRIPTION = "Operator CLI for the Pika server's at-rest encryption key.";
export const VERSION_OPTION = { flags: '-V, --version', description: 'print the pikactl version' };
export const HELP_OPTION = { flags: '-h, --help', description: 'show help for a command' };

export interface RootOption {
  flags: string;
  description: string;
  /** Given to commander as the default's description; the value itself is applied in globals.ts. */
  defaultDescription?: string;
  /** May be given more than once (values are collected). */
  repeatable?: true;
}

export const ROOT_OPTIONS: readonly RootOption[] = [
  {
    flags: '-s, --server <url>',
    description: `Pika server URL, may include a base path; repeat for several replicas (env: ${GLOBAL_ENV.server})`,
    repeatable: true,
  },
  { flags: '--context <name>', description: `use a named context from the config file (env: ${GLOBAL_ENV.context})` },
  {
    flags: '--cacert <file>',
    description: `trust this PEM certificate or CA for TLS, e.g. Pika's tls/server.crt (env: ${GLOBAL_ENV.cacert})`,
  },
  {
    flags: '--pin <sha256>',
    description: `require this SHA-256 certificate fingerprint; colons and case ignored (env: ${GLOBAL_ENV.pin})`,
  },
  { flags: '-k, --insecure', description: `skip TLS verification (dangerous; env: ${GLOBAL_ENV.insecure}=1)` },
  {
    flags: '--allow-http',
    description: `allow plain http:// to hosts other than loopback (env: ${GLOBAL_ENV.allowHttp}=1)`,
  },
  {
    flags: '--proxy <url>',
    description: `HTTP(S) proxy for non-loopback servers; "" for none (env: ${GLOBAL_ENV.proxy}, HTTPS_PROXY)`,
  },
  {
    flags: '--timeout <duration>',
    description: `per-request timeout, default ${DEFAULT_TIMEOUT}; a --wait caps it by what is left (env: ${GLOBAL_ENV.timeout})`,
    defaultDescription: DEFAULT_TIMEOUT,
  },
  { flags: '-u, --user <name>', description: `user for an inline login (env: ${GLOBAL_ENV.user})` },
  {
    flags: '--password-from <spec>',
    description: `where the login password comes from: a secret source (env: ${GLOBAL_ENV.passwordFrom})`,
  },
  {
    flags: '--totp-from <spec>',
    description: `where a TOTP code comes from, if the account has 2FA (env: ${GLOBAL_ENV.totpFrom})`,
  },
  {
    flags: '--strategy <name>',
    description: `password login strategy (env: ${GLOBAL_ENV.strategy})`,
    defaultDescription: 'from /login/info, else local',
  },
  {
    flags: '--cookie-name <name>',
    description: `session cookie name (env: ${GLOBAL_ENV.cookieName})`,
    defaultDescription: 'pika_session',
  },
  { flags: '--kube <ref>', description: 'the servers are the pods of sts/NAME, deploy/NAME, svc/NAME or po/NAME' },
  {
    flags: '-n, --namespace <ns>',
    description: "Kubernetes namespace for --kube, kube-secret and kube: (default: the kubeconfig context's)",
  },
  { flags: '--kube-context <name>', description: 'kubeconfig context to use (default: its current context)' },
  {
    flags: '--kubeconfig <file>',
    description: "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the pod's service account)",
  },
  { flags: '--kube-port <port>', description: 'pod port, a name or number (default: the port named http, else 8080)' },
  {
    flags: '--kube-connect <mode>',
    description: 'forward (port-forward via the API server) or direct (pod IP); default: direct in a pod, else forward',
  },
  { flags: '--json', description: 'print one JSON document on stdout (errors too)' },
  { flags: '--no-color', description: 'disable colour (NO_COLOR is honoured too)' },
  { flags: '--no-input', description: 'never prompt; fail with a usage error naming the flag to use' },
  { flags: '--debug', description: 'show causes and stack traces of errors' },
];

export const ROOT_HELP_AFTER = `
Secrets are never taken on the command line. Use a secret source:
  prompt, -, file:PATH, env:NAME, keychain[:NAME], cmd:COMMAND
  (see: pikactl help secrets)

--server URL takes the TLS trust, timeout and proxy of the context listing it.
HTTPS_PROXY, HTTP_PROXY and NO_PROXY work as in curl; loopback is never proxied.

Exit codes: pikactl help exit-codes     Environment: pikactl help environment`;

/**
 * `pikactl --help` exactly as commander 14's Help lays it out (formatHelp, formatItem,
 * boxWrap): two-space indent, terms padded to the widest, descriptions wrapped to what is
 * left of `width`, not wrapped below 40 columns.
 */
export function renderRootHelp(width: number): string {
  const options = [VERSION_OPTION, ...ROOT_OPTIONS, HELP_OPTION].map((o) => [o.flags, o.description] as const);
  const commands = Object.entries(SUMMARIES);
  const termWidth = Math.max(...[...options, ...commands].map(([term]) => term.length));
  const item = ([term, description]: readonly [string, string]) => {
    const left = width - termWidth - 4;
    const text =
      left < MIN_WIDTH_TO_WRAP
        ? description
        : boxWrap(description, left).replace(/\n/g, `\n${' '.repeat(termWidth + 2)}`);
    return `  ${term.padEnd(termWidth)}  ${text.replace(/\n/g, '\n  ')}`;
  };
  const lines = [
    'Usage: pikactl [options] [command]',
    '',
    boxWrap(ROOT_DESCRIPTION, width),
    '',
    'Options:',
    ...options.map(item),
    '',
    'Commands:',
    ...commands.map(item),
    '',
  ];
  return `${lines.join('\n')}${ROOT_HELP_AFTER}\n`;
}

/**
 * Help wraps to the terminal it is shown on, else 80 columns (pipes, CI, tests): never to
 * whatever process.stdout happens to be, which is not the injected stream. The one rule for
 * cli.ts (commander's help width) and bin/pikactl.js (`--help` answered before any ES module).
 */
export function helpWidth(stream: unknown, tty: boolean): number {
  return (tty && (stream as { columns?: number }).columns) || 80;
}

const MIN_WIDTH_TO_WRAP = 40;

/** commander's Help.boxWrap: words accumulate while they fit; the space at a break is dropped. */
function boxWrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (!chunks) {
      out.push('');
      continue;
    }
    let current = chunks[0];
    for (const chunk of chunks.slice(1)) {
      if (current.length + chunk.length <= width) current += chunk;
      else {
        out.push(current);
        current = chunk.trimStart();
      }
    }
    out.push(current);
  }
  return out.join('\n');
}
