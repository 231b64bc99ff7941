import type { Runbook } from './types.js';

/** When the key is gone. */

export const lostKeyNoBackup: Runbook = {
  name: 'lost-key-no-backup',
  title: 'Lost key, no usable backup',
  summary: 'the key is gone and no backup can be opened: start over',
  when:
    'Nobody holds the key the data is sealed under, and there is no backup whose key you hold. The sealed part ' +
    '(hook, external, OAuth2 and LDAP credentials, static endpoint tokens, server-managed vault keys) cannot be ' +
    'recovered, and a locked server serves nothing else either. If a process is still running unlocked, do not ' +
    'restart or lock it until you have noted what you will need to set up again.',
  steps: [
    'Make sure the key is really gone: password manager, the OS keychain entries pikactl keeps (service "pikactl"), colleagues, handover records.',
    'Stop Pika and wipe its data directory (PIKA_STORAGE_BW_PATH). Users and sessions go too: they were not sealed, but they live in the same store.',
    'Start Pika. It comes up fresh, with encryption off.',
    'Create the admin account, users, mounts, hooks and externals again, then turn encryption on with a key you keep (see first-start).',
  ],
  divergences: [
    'None on the procedure. Note only that PIKA_STORAGE_BW_PATH defaults to data/pika relative to where Pika runs, and that its tls/ folder (the self-signed certificate) goes with the wipe: clients that pinned it must trust the new one.',
  ],
  commands: [
    { run: 'pikactl status', why: 'after the wipe, expect "initialized: false"' },
    { run: 'pikactl login', why: 'sign in with the new admin account' },
    { run: 'pikactl init --key-from SPEC --confirm-saved', why: 'turn encryption on again' },
  ],
};

export const lostKeyWithBackup: Runbook = {
  name: 'lost-key-with-backup',
  title: 'Lost key, backup available',
  summary: 'the key is gone, but a backup and the key it was taken under survive',
  when:
    'The live key is lost, but you have a backup (.pikabw) AND the key that was live when it was taken. A backup ' +
    'holds the sealed data exactly as it was on disk, so it needs that key; without it the backup is as lost as the ' +
    'server. Keep backups and their keys together, in the same secure store.',
  steps: [
    'Find the backup and the key that was live when it was made; compare the backup date with your rotation history.',
    'Start a fresh server (new or wiped data directory): with encryption off nothing is gated, so the restore can go in.',
    'Restore the backup (pikactl backup restore, merge by default; --wipe ends your session), signed in with settings.manage.',
    'Unlock with the key the backup was taken under.',
    'Rotate right away to a new key that you store properly. Whatever changed after the backup was taken is gone.',
  ],
  divergences: [
    'Backup and restore need a password session with settings.manage (a token gets 403) and are gated while the server is locked: restore into a fresh server first, then unlock.',
    "In a cluster the restore is forwarded to the leader; restarted followers then need the backup's key as well.",
    'The backup password (if the file has one) only protects the file: it is not the server key, and the server key cannot open the file.',
    "A restore writes rows only: on a server already unlocked under another key the settings stop opening (500) until it is locked and unlocked with the backup's key.",
  ],
  commands: [
    { run: 'pikactl backup inspect FILE --decrypt-with SPEC', why: 'check the file is complete and opens (offline)' },
    { run: 'pikactl login', why: 'password session on the fresh server' },
    {
      run: 'pikactl recover-from-backup --backup FILE --backup-key-from SPEC --new-key-from SPEC',
      why: 'the whole runbook, step by step: restore, unlock, check, rotate, verify (--plan first)',
    },
    {
      run: 'pikactl unlock --key-from SPEC --wait D',
      why: "by hand: unlock with the backup's key after pikactl backup restore",
    },
    {
      run: 'pikactl rotate --current-key-from SPEC --new-key-from SPEC --confirm-saved --save-to-keychain',
      why: 'move to a key you keep',
    },
    { run: 'pikactl status', why: 'expect initialized and unlocked' },
  ],
};
