import type { Command } from 'commander';
import { EXIT_CODE_DOCS, usageError } from '../errors.js';
import { GLOBAL_ENV } from '../globals.js';
import type { App } from './app.js';

export const HELP_TOPICS: Record<string, { summary: string; text: () => string }> = {
  'exit-codes': {
    summary: 'what each exit code means',
    text: () =>
      [
        'Exit codes (stable; scripts may branch on them):',
        '',
        ...EXIT_CODE_DOCS.map((e) => `  ${String(e.code).padStart(3)}  ${e.name.padEnd(16)} ${e.meaning}`),
        '',
        '`pikactl status` exits 0 when the server serves requests (unlocked, or encryption off),',
        '3 when it is locked, and 7 when it cannot be reached.',
      ].join('\n'),
  },
  secrets: {
    summary: 'where passphrases, passwords and TOTP codes may come from',
    text: () =>
      [
        'pikactl never takes a secret on the command line: argv ends up in shell history and in `ps`.',
        'Every flag that names a secret (--key-from, --new-key-from, --password-from, ...) takes a SOURCE:',
        '',
        '  prompt            ask on the terminal with no echo (the default on a TTY)',
        '  -                 read standard input (at most one secret per invocation)',
        '  file:PATH         read a file; refused if group or others can read it; one trailing newline trimmed',
        '  env:NAME          read environment variable NAME',
        '  keychain          the OS keychain entry for this server\'s key',
        '  keychain:NAME     an explicit OS keychain entry (service "pikactl", account NAME)',
        '  cmd:COMMAND       run a password manager, e.g. cmd:"op read op://ops/pika/key" or cmd:"pass show pika/key";',
        '                    its stdout is the secret (one trailing newline trimmed); non-zero exit or empty output fails',
        '',
        'Anything else, including a bare passphrase, is a usage error (exit 2).',
        'Without a terminal (CI, --no-input) pikactl never prompts: it fails and names the flag to use.',
      ].join('\n'),
  },
  environment: {
    summary: 'environment variables pikactl reads',
    text: () =>
      [
        'Environment variables (a flag on the command line wins over its variable):',
        '',
        `  ${GLOBAL_ENV.server.padEnd(22)} server URL(s) (--server); several separated by commas or spaces`,
        `  ${GLOBAL_ENV.context.padEnd(22)} context name (--context)`,
        `  ${GLOBAL_ENV.cacert.padEnd(22)} trusted PEM certificate/CA file (--cacert)`,
        `  ${GLOBAL_ENV.pin.padEnd(22)} SHA-256 certificate pin (--pin)`,
        `  ${GLOBAL_ENV.insecure.padEnd(22)} 1 to skip TLS verification (--insecure)`,
        `  ${GLOBAL_ENV.allowHttp.padEnd(22)} 1 to allow plain http to non-loopback hosts (--allow-http)`,
        `  ${GLOBAL_ENV.timeout.padEnd(22)} per-request timeout (--timeout)`,
        `  ${GLOBAL_ENV.user.padEnd(22)} login user (--user)`,
        `  ${GLOBAL_ENV.passwordFrom.padEnd(22)} secret source of the login password (--password-from)`,
        `  ${GLOBAL_ENV.totpFrom.padEnd(22)} secret source of a TOTP code (--totp-from)`,
        `  ${GLOBAL_ENV.strategy.padEnd(22)} login strategy name (--strategy)`,
        `  ${GLOBAL_ENV.cookieName.padEnd(22)} session cookie name (--cookie-name)`,
        `  ${GLOBAL_ENV.session.padEnd(22)} an existing session cookie value; used instead of logging in`,
        `  ${'NO_COLOR'.padEnd(22)} disable colour`,
        `  ${'XDG_CONFIG_HOME'.padEnd(22)} where config.json (contexts) lives: $XDG_CONFIG_HOME/pikactl`,
        `  ${'XDG_STATE_HOME'.padEnd(22)} where playbook journals live: $XDG_STATE_HOME/pikactl`,
      ].join('\n'),
  },
};

export function registerHelpTopics(program: Command, app: App): void {
  program.helpCommand(false);
  const help = program
    .command('help [topic-or-command...]')
    .description(`show help for a command, or a topic: ${Object.keys(HELP_TOPICS).join(', ')}`);
  app.action<Record<string, never>>(help, async (_opts, _g, args) => {
    const words = (args ?? []).flat();
    if (words.length === 0) {
      app.ctx.io.stdout.write(program.helpInformation());
      writeTopicList(app);
      return 0;
    }
    const topic = HELP_TOPICS[words[0]];
    if (topic && words.length === 1) {
      app.ctx.io.stdout.write(`${topic.text()}\n`);
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
    app.ctx.io.stdout.write(cmd.helpInformation());
    return 0;
  });
}

function writeTopicList(app: App): void {
  const lines = Object.entries(HELP_TOPICS).map(([name, t]) => `  ${name.padEnd(12)} ${t.summary}`);
  app.ctx.io.stdout.write(`\nHelp topics (pikactl help TOPIC):\n${lines.join('\n')}\n`);
}
