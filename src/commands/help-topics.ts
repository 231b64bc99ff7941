import type { Command } from 'commander';
import { summary } from './summaries.js';
import { wrapText } from '../output/layout.js';
import { EXIT_CODE_DOCS, usageError } from '../errors.js';
import { GLOBAL_ENV } from '../globals.js';
import { KEYCHAIN_ACCOUNT_DOCS, KEYCHAIN_SERVICE } from '../keychain/accounts.js';
import { SECRET_SOURCES } from '../secrets/spec.js';
import type { App, RunCommand } from './app.js';
import { typed, type OptionsOf } from './shared/typed.js';

/**
 * Help topics: `pikactl help TOPIC`, and the single source of the man page's
 * SECRET SOURCES, ENVIRONMENT, EXIT STATUS, FILES, EXAMPLES and SECURITY sections
 * (scripts/man.ts renders the same blocks as roff). Write them as data, not text,
 * so both renderings stay in step.
 */
export type DocBlock =
  | { p: string }
  /** A definition list: term, then what it means. */
  | { items: ReadonlyArray<{ term: string; text: string }> }
  /** Lines shown as they are (commands, examples). */
  | { pre: readonly string[] };

export interface HelpTopic {
  summary: string;
  /** The man page section this topic becomes. */
  manSection: string;
  blocks: () => DocBlock[];
}

/** What each variable in GLOBAL_ENV does; typed so a new variable cannot go undocumented. */
const GLOBAL_ENV_DOCS: Record<keyof typeof GLOBAL_ENV, string> = {
  server: 'server URL(s) (--server); several separated by commas or spaces',
  context: 'context name (--context)',
  cacert: 'trusted PEM certificate or CA file (--cacert)',
  pin: 'SHA-256 certificate pin (--pin)',
  insecure: '1 to skip TLS verification (--insecure)',
  allowHttp: '1 to allow plain http:// to hosts other than loopback (--allow-http)',
  proxy: 'HTTP(S) proxy for every server but loopback (--proxy); beats HTTPS_PROXY',
  timeout: 'per-request timeout (--timeout)',
  user: 'login user (--user)',
  passwordFrom: 'secret source of the login password (--password-from)',
  totpFrom: 'secret source of a TOTP code (--totp-from)',
  strategy: 'login strategy name (--strategy)',
  cookieName: 'session cookie name (--cookie-name)',
  session: 'an existing session cookie value; used instead of a stored session or logging in (CI)',
};

export const HELP_TOPICS: Record<string, HelpTopic> = {
  'exit-codes': {
    summary: 'what each exit code means',
    manSection: 'EXIT STATUS',
    blocks: () => [
      { p: 'Exit codes are stable; scripts may branch on them:' },
      { items: EXIT_CODE_DOCS.map((e) => ({ term: `${String(e.code).padStart(3)}  ${e.name}`, text: e.meaning })) },
      {
        p: '`pikactl status` exits 0 when the server serves requests (unlocked, or encryption off), 3 when it is locked, and 7 when it cannot be reached.',
      },
    ],
  },
  secrets: {
    summary: 'where passphrases, passwords and TOTP codes may come from',
    manSection: 'SECRET SOURCES',
    blocks: () => [
      { p: 'pikactl never takes a secret on the command line: argv ends up in shell history, in `ps` and in CI logs.' },
      { p: 'Every flag that names a secret (--key-from, --new-key-from, --password-from, ...) takes a SOURCE:' },
      { items: SECRET_SOURCES.map((s) => ({ term: s.form, text: s.meaning })) },
      {
        p: 'Anything else, including a bare passphrase, is a usage error (exit 2), and the error never repeats what was typed.',
      },
      { p: 'Without a terminal (CI, --no-input) pikactl never prompts: it fails and names the flag to use.' },
    ],
  },
  environment: {
    summary: 'environment variables pikactl reads',
    manSection: 'ENVIRONMENT',
    blocks: () => [
      { p: 'A flag on the command line wins over its variable; a variable wins over the selected context.' },
      {
        p:
          'Trust follows the URL: --server URL (or PIKA_SERVER) without --context uses the TLS trust, timeout and proxy of the context that lists that server (its user and key source only with --context). ' +
          'Two contexts listing it with different trust: the current one wins, else pikactl asks for --context.',
      },
      {
        p:
          'Proxies: --proxy, then PIKA_PROXY, then the context\'s proxy, then HTTPS_PROXY/HTTP_PROXY; NO_PROXY applies to all of them and --proxy "" turns them off. ' +
          'A proxy that refuses or fails is exit 7 naming the proxy. Credentials belong in HTTPS_PROXY only (never on the command line or in the config file).',
      },
      {
        items: [
          ...(Object.keys(GLOBAL_ENV) as Array<keyof typeof GLOBAL_ENV>).map((k) => ({
            term: GLOBAL_ENV[k],
            text: GLOBAL_ENV_DOCS[k],
          })),
          {
            term: 'HTTPS_PROXY, https_proxy',
            text: 'proxy for https:// servers, as curl reads it: a CONNECT tunnel, so TLS checks and pins still hold end to end',
          },
          { term: 'HTTP_PROXY, http_proxy', text: 'proxy for http:// servers' },
          {
            term: 'NO_PROXY, no_proxy',
            text: 'hosts reached directly: comma-separated names, domain suffixes (.corp.example), host:port, IP addresses and CIDR blocks (10.0.0.0/8, fd00::/8), or * for all. Loopback (localhost, 127.0.0.0/8, ::1) is never proxied',
          },
          {
            term: 'KUBECONFIG',
            text: 'kubeconfig file(s) for --kube and kube: (as kubectl; --kubeconfig wins; default ~/.kube/config)',
          },
          {
            term: 'KUBERNETES_SERVICE_HOST',
            text: 'set inside a pod: --kube uses the service account and defaults to --kube-connect direct',
          },
          { term: 'NO_COLOR', text: 'disable colour (as --no-color)' },
          { term: 'FORCE_COLOR', text: 'force colour on, even when output is not a terminal' },
          { term: 'CI', text: 'when "true", pikactl never prompts, even on a terminal (as --no-input)' },
          {
            term: 'XDG_CONFIG_HOME',
            text: 'base of the config directory (default ~/.config): $XDG_CONFIG_HOME/pikactl',
          },
          {
            term: 'XDG_STATE_HOME',
            text: 'base of the state directory (default ~/.local/state): $XDG_STATE_HOME/pikactl',
          },
        ],
      },
    ],
  },
  files: {
    summary: 'the files and keychain entries pikactl keeps',
    manSection: 'FILES',
    blocks: () => [
      {
        items: [
          {
            term: '$XDG_CONFIG_HOME/pikactl/config.json',
            text: 'named contexts (`pikactl context`): servers, TLS trust, user and key source. Mode 0600; never holds a secret. Must be a regular file of at most 1 MiB.',
          },
          {
            term: '$XDG_CONFIG_HOME/pikactl/config.json.lock',
            text: 'held while pikactl changes config.json (context add/use/remove, trust), so parallel runs keep every change. Another run waits up to 10 s for it; one older than 30 s is left over from a crash and taken over.',
          },
          {
            term: '$XDG_STATE_HOME/pikactl/journals/',
            text: 'one journal per playbook run (rotation recovery, handover), for resuming; directory 0700, files 0600; no secret, not even a hash of the key.',
          },
          {
            term: './handover-<host>-<date>.json',
            text: 'the handover record `pikactl handover start` writes (or --record FILE), plus a Markdown checklist beside it (.md); read and updated by `handover accept` and `handover finish`. No secret.',
          },
        ],
      },
      {
        p: `OS keychain entries (macOS Keychain, Windows Credential Manager, Secret Service) use service "${KEYCHAIN_SERVICE}" and these account names, where <server> is the server URL without a trailing slash:`,
      },
      { items: KEYCHAIN_ACCOUNT_DOCS.map((a) => ({ term: a.account, text: a.holds })) },
      { p: 'On Linux: secret-tool search --all service pikactl' },
    ],
  },
  examples: {
    summary: 'the daily flows, command by command',
    manSection: 'EXAMPLES',
    blocks: () => [
      {
        p: 'Rehearse everything against the built-in sandbox first (it prints its URL and a generated admin password):',
      },
      { pre: ['pikactl sandbox --port 8080 --data ./rehearsal', 'pikactl status --server http://127.0.0.1:8080'] },
      { p: 'Save a context once, pin a self-signed certificate, and check the server:' },
      {
        pre: [
          'pikactl context add prod --server https://pika.example:8080 \\',
          '    --key-from keychain --use',
          'pikactl trust --context prod',
          'pikactl status',
        ],
      },
      { p: 'Turn encryption on, keeping the new key in the OS keychain too:' },
      { pre: ['pikactl login --user admin', 'pikactl init --save-to-keychain'] },
      { p: 'After every restart (CI: no terminal, key from a password manager, wait for the server):' },
      {
        pre: [
          'pikactl unlock --wait 5m --key-from cmd:"op read op://ops/pika/key" --no-input',
          'pikactl status --wait 2m --for unlocked --json',
        ],
      },
      { p: 'Rotate the key, and repair a rotation that was interrupted:' },
      { pre: ['pikactl rotate --current-key-from keychain --new-key-from prompt', 'pikactl recover-rotation --plan'] },
      { p: 'Read the runbook for a scenario:' },
      { pre: ['pikactl runbook list', 'pikactl runbook show partial-rotation-recovery'] },
    ],
  },
  security: {
    summary: 'how pikactl handles keys, sessions and TLS',
    manSection: 'SECURITY',
    blocks: () => [
      {
        p: "Pika's server key encrypts its data at rest, and Pika keeps no copy: a lost key means lost data. Save a new key in a password manager before pikactl sends it (init and rotate ask you to confirm that; --confirm-saved does so without a terminal).",
      },
      {
        p: 'Secrets are never accepted as arguments, never printed, logged or written to a file unless you ask (keychain entries, the sandbox data directory). Journals and handover records hold no secret and no hash of one.',
      },
      {
        p: 'file: sources are refused when group or others can read the file, and when it is not a regular file (a FIFO, device or directory is never opened for reading). cmd: sources run the command with the system shell; its standard output is the secret, complete when the command exits (a background process still holding the output is not waited for). A secret that is not UTF-8 text or holds a NUL byte is refused, never altered.',
      },
      {
        p: 'Keychain calls run in a helper process with a timeout (5 s for reads), so a keychain that never answers is reported as unusable and Ctrl-C always works. Commands given a full inline login (--user and --password-from) or PIKA_SESSION, and a key source other than keychain, do not touch the keychain.',
      },
      {
        p: 'TLS is verified by default. For a self-signed certificate, trust it with --cacert or pin it with `pikactl trust` (trust on first use, then --pin); --insecure skips verification, prints a warning on every command and should be kept for rehearsals. Plain http:// is refused except to loopback unless --allow-http.',
      },
      {
        p: 'Changes to the key need a user with the settings.manage permission; tokens cannot hold it. Sessions from `pikactl login` live only in the OS keychain.',
      },
      {
        p: 'Server text is data: error messages, request ids, Location, name and version, certificate names are shown with control, bidi and zero-width characters escaped (\\x1b, \\u202e) and cut at 300 characters; --json keeps the whole value, JSON-escaped, up to 4096 characters per string. Every secret of the invocation is shown as [redacted] wherever it comes back: as is, as its SHA-256 (hex, base64), JSON-escaped, re-spaced or URL-encoded.',
      },
    ],
  },
};

/**
 * As commander sizes help: a terminal's width (at most 100, for reading), else 80 columns,
 * the width of man pages and of the help of every command.
 */
function topicWidth(app: App): number {
  const { io } = app.ctx;
  const columns = (io.stdout as { columns?: number }).columns;
  if (!io.stdoutIsTTY || typeof columns !== 'number' || columns <= 0) return 80;
  return Math.max(40, Math.min(columns, 100));
}

/** A topic as terminal text: paragraphs and definition lists wrapped to `width` columns. */
export function renderTopic(topic: HelpTopic, width = 80): string {
  const out: string[] = [];
  for (const b of topic.blocks()) {
    if (out.length > 0) out.push('');
    if ('p' in b) out.push(...wrapText(b.p, width));
    else if ('pre' in b) out.push(...b.pre.map((l) => `  ${l}`));
    else {
      const termWidth = Math.min(24, Math.max(...b.items.map((i) => i.term.length)));
      for (const { term, text } of b.items) {
        const indent = ' '.repeat(termWidth + 4);
        const lines = wrapText(text, width - indent.length);
        if (term.length > termWidth) out.push(`  ${term}`, ...lines.map((l) => indent + l));
        else out.push(`  ${term.padEnd(termWidth)}  ${lines[0]}`, ...lines.slice(1).map((l) => indent + l));
      }
    }
  }
  return `${out.join('\n')}\n`;
}

function declareHelp(program: Command) {
  return typed(program).command('help [topic-or-command...]').description(summary('help'));
}

export type HelpOptions = OptionsOf<typeof declareHelp>;

/** `pikactl help [TOPIC | COMMAND...]`; its run function is replaceable (parse tests). */
export function registerHelpTopics(program: Command, app: App, run: RunCommand<HelpOptions> = helpOf(program)): void {
  program.helpCommand(false);
  app.action(declareHelp(program), (opts, g, args) => run(app, g, opts, args));
}

/** The help of the program, of a topic, or of the command the words name. */
export function helpOf(program: Command): RunCommand<HelpOptions> {
  return async (app, _g, _opts, args) => {
    const words = (args ?? []).flat();
    if (words.length === 0) {
      program.outputHelp(); // with its addHelpText sections, like --help
      writeTopicList(app);
      return 0;
    }
    const topic = HELP_TOPICS[words[0]];
    if (topic && words.length === 1) {
      app.ctx.io.stdout.write(renderTopic(topic, topicWidth(app)));
      return 0;
    }
    let cmd: Command | undefined = program;
    for (const w of words) {
      cmd = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
      if (!cmd) {
        throw usageError(
          `no command or help topic "${words.join(' ')}"`,
          `Topics: ${Object.keys(HELP_TOPICS).join(', ')}. Commands: pikactl --help.`,
        );
      }
    }
    cmd.outputHelp();
    return 0;
  };
}

function writeTopicList(app: App): void {
  const lines = Object.entries(HELP_TOPICS).map(([name, t]) => `  ${name.padEnd(12)} ${t.summary}`);
  app.ctx.io.stdout.write(`\nHelp topics (pikactl help TOPIC):\n${lines.join('\n')}\n`);
}
