import { CliError } from '../errors.js';
import { parseKubeSecretSource } from '../config/kube-ref.js';

/**
 * Where a secret comes from. One grammar for every secret flag (--key-from,
 * --password-from, --totp-from, ...). There is deliberately no form that takes
 * the value itself: argv ends up in shell history, `ps` and CI logs.
 */
export type SecretSpec =
  | { kind: 'prompt' }
  | { kind: 'stdin' }
  | { kind: 'file'; path: string }
  | { kind: 'env'; name: string }
  /** `keychain` (account undefined: the entry the command expects, e.g. the server key) or `keychain:NAME`. */
  | { kind: 'keychain'; account?: string }
  | { kind: 'cmd'; command: string }
  /** A data key of a Kubernetes Secret (namespace undefined: -n, else the kubeconfig context's). */
  | { kind: 'kube'; namespace?: string; name: string; key: string };

/** For help texts and error messages. */
export const SECRET_SOURCES: ReadonlyArray<{ form: string; meaning: string }> = [
  { form: 'prompt', meaning: 'ask on the terminal, hidden (the default on a TTY)' },
  { form: '-', meaning: 'read standard input (at most one flag per command)' },
  {
    form: 'file:PATH',
    meaning:
      'read a regular file only you can read (chmod 600), UTF-8, at most 64 KiB; one trailing newline is dropped',
  },
  { form: 'env:NAME', meaning: 'read the environment variable NAME' },
  { form: 'keychain', meaning: "the OS keychain entry for this server's key" },
  { form: 'keychain:NAME', meaning: 'the OS keychain entry NAME (see `pikactl keychain list`)' },
  {
    form: 'kube:secret/NAME/KEY',
    meaning: 'a key of a Kubernetes Secret (kube:NS/secret/NAME/KEY for another namespace than -n)',
  },
  {
    form: 'cmd:COMMAND',
    meaning:
      "run COMMAND with the system shell and use its output, UTF-8, at most 64 KiB (e.g. 'op read op://ops/pika/key')",
  },
];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses a secret source. Every rejection is a usage error (exit 2) whose text
 * never contains the rejected value: whatever was typed may be the passphrase.
 */
export function parseSecretSpec(text: string, flag: string): SecretSpec {
  if (text === 'prompt') return { kind: 'prompt' };
  if (text === '-') return { kind: 'stdin' };
  if (text === 'keychain') return { kind: 'keychain' };
  const colon = text.indexOf(':');
  const prefix = colon > 0 ? text.slice(0, colon) : '';
  const rest = colon > 0 ? text.slice(colon + 1) : '';
  switch (prefix) {
    case 'file':
      if (rest === '') throw malformed(flag, 'file:PATH needs a path', 'e.g. file:~/.config/pika/key (chmod 600)');
      return { kind: 'file', path: rest };
    case 'env':
      if (!ENV_NAME.test(rest)) {
        throw malformed(flag, 'env:NAME needs a variable name (letters, digits and _)', 'e.g. env:PIKA_KEY');
      }
      return { kind: 'env', name: rest };
    case 'keychain':
      if (rest.trim() === '')
        throw malformed(flag, 'keychain:NAME needs an entry name', 'See `pikactl keychain list`.');
      return { kind: 'keychain', account: rest };
    case 'cmd':
      if (rest.trim() === '') throw malformed(flag, 'cmd:COMMAND needs a command', "e.g. cmd:'pass show pika/key'");
      return { kind: 'cmd', command: rest };
    case 'kube': {
      const ref = parseKubeSecretSource(rest);
      if (!ref)
        throw malformed(
          flag,
          'kube: takes secret/NAME/KEY or NS/secret/NAME/KEY',
          'e.g. kube:secret/pika-encryption/password',
        );
      return { kind: 'kube', ...ref };
    }
    default:
      throw notASource(flag);
  }
}

/** True when text is a valid source (no error, no details: for completions and quick checks). */
export function isSecretSpec(text: string): boolean {
  try {
    parseSecretSpec(text, '');
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates all secret flags of one command up front, before anything is sent:
 * each must parse, and at most one may read stdin.
 */
export function validateSecretSpecs(specs: ReadonlyArray<{ flag: string; spec?: string }>): void {
  const stdinFlags: string[] = [];
  for (const { flag, spec } of specs) {
    if (spec === undefined) continue;
    if (parseSecretSpec(spec, flag).kind === 'stdin') stdinFlags.push(flag);
  }
  if (stdinFlags.length > 1) {
    throw new CliError(`only one secret can come from standard input, but ${stdinFlags.join(' and ')} both use "-"`, {
      code: 'usage',
      hint: 'Use file:PATH, env:NAME or cmd:COMMAND for the others.',
    });
  }
}

/** A short description of the source for messages and Secret.source. Never the value; for cmd: only the program. */
export function describeSpec(spec: SecretSpec): string {
  switch (spec.kind) {
    case 'prompt':
      return 'prompt';
    case 'stdin':
      return 'stdin';
    case 'file':
      return `file:${spec.path}`;
    case 'env':
      return `env:${spec.name}`;
    case 'keychain':
      return spec.account === undefined ? 'keychain' : `keychain:${spec.account}`;
    case 'cmd':
      return `cmd:${commandName(spec.command)}`;
    case 'kube':
      return `kube:${spec.namespace ? `${spec.namespace}/` : ''}secret/${spec.name}/${spec.key}`;
  }
}

/**
 * The program a cmd: source runs, for messages. The rest of the command line is
 * left out: people do write `cmd:echo $SECRET`-like things, and messages end up in logs.
 */
export function commandName(command: string): string {
  const first = command.trim().split(/\s+/)[0] ?? '';
  return first.length > 40 ? `${first.slice(0, 40)}…` : first;
}

function notASource(flag: string): CliError {
  const forms = SECRET_SOURCES.map((s) => `  ${s.form.padEnd(14)} ${s.meaning}`).join('\n');
  return new CliError(
    `${flag} takes a secret source, not a secret: pikactl never takes a secret on the command line ` +
      `(it would end up in shell history, \`ps\` and CI logs). The value given is not a source. Sources:\n${forms}`,
    {
      code: 'usage',
      hint: `e.g. ${flag} env:PIKA_KEY, ${flag} file:~/.pika-key or ${flag} - (stdin). If you typed a passphrase, remove it from your shell history.`,
      details: { flag, sources: SECRET_SOURCES.map((s) => s.form) },
    },
  );
}

function malformed(flag: string, what: string, hint: string): CliError {
  return new CliError(`${flag}: ${what}`, {
    code: 'usage',
    hint,
    details: { flag, sources: SECRET_SOURCES.map((s) => s.form) },
  });
}
