/**
 * One line per top-level command: the single source for `pikactl --help`, which lists
 * every command without loading its module (start-up cost), and for each command's own
 * description when its module registers it.
 */
export const SUMMARIES = {
  status:
    'show whether the server is reachable, and whether its encryption is off, locked or unlocked (no login needed)',
  init: 'turn on at-rest encryption: set the server key once (there is no recovery if it is lost)',
  unlock: 'unlock the server after a restart: waits for it if asked, sends the key, verifies it is unlocked',
  lock: 'lock the server now: it forgets the key and answers 503 until someone unlocks it',
  rotate: 'replace the server key: the server must be unlocked; verifies the new key afterwards',
  roll: 'restart Kubernetes pods one at a time, each back unlocked before the next; stops at the first that is not',
  kube: 'Kubernetes helpers: kube secret prune drops the old key (KEY.previous) from the boot-password Secret',
  'recover-rotation': 'find out where a failed or interrupted rotation left the server, then repair it step by step',
  backup: 'export a backup of the server to a file, inspect a backup file offline, restore one (merge or wipe)',
  'recover-from-backup':
    'lost key, have a backup: restore it into a fresh server, unlock with its key, rotate to a new key, step by step',
  handover: 'hand the server key from one operator to another: start (outgoing), accept (incoming), finish (outgoing)',
  login: 'log in once and keep the session in the OS keychain, so later commands need no password',
  logout: 'end the stored session on the server and delete it from the keychain',
  whoami: 'show who the current session belongs to and whether it may run key commands (settings.manage)',
  keychain:
    'keep the server key in the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service): set, list, delete, test',
  context: 'manage named contexts: saved servers, TLS trust, user and key source (kubeconfig style)',
  trust:
    "show a server's TLS certificate and, once you confirm its fingerprint, pin it in a context (trust on first use)",
  sandbox: 'run a Pika-compatible key-management server for tests and rehearsals (never production)',
  runbook: 'the key-management scenarios, step by step, with the pikactl commands for each',
  completion: 'print the shell completion script for bash, zsh or fish',
  help: 'show help for a command, or a topic: exit-codes, secrets, environment, files, examples, security',
} as const;

export type CommandName = keyof typeof SUMMARIES;

export function summary(name: CommandName): string {
  return SUMMARIES[name];
}
