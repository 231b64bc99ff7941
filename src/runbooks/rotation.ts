import type { Runbook } from './types.js';

/** Changing the key: a planned rotation, repairing a broken one, and a handover between people. */

export const rotation: Runbook = {
  name: 'rotation',
  title: 'Rotate the server key',
  summary: 'rotation: move the server to a new key',
  when:
    'After a suspected leak, on a schedule, or when an operator leaves (see operator-handover). It needs the current ' +
    'key and an unlocked server.',
  steps: [
    'Sign in with settings.manage. The server must be unlocked: rotate does not pass the lock gate.',
    'Choose the new key and save it in your password manager before rotating. A rotation to the same key is refused.',
    'Rotate. The server checks the current key against its verifier, reads the sealed settings, switches the key in memory, then writes the settings row once: new verifier and re-sealed secrets together. Server-managed vault keys are re-sealed afterwards, one account at a time.',
    'Check that the settings still read, and keep the old key until an unlock with the new one has worked after a restart.',
    'If the call fails or the connection drops, do not simply retry: run the recovery, which first finds out where the server stands.',
  ],
  divergences: [
    'The guide describes the verifier being rewritten before the secrets. The current code writes both in a single write after switching the key in memory, so the failure that can happen leaves the disk entirely on the old key while memory holds the new one (see partial-rotation-recovery).',
    'In a cluster the rotation runs on the leader. Followers unlocked with the old key (e.g. through PIKA_ENCRYPTION_PASSWORD) cannot read the replicated settings until they restart with the new key.',
    'If re-sealing a server-managed vault key fails, those accounts stay under the old key; no endpoint re-seals one account, and a new rotation stops at them.',
  ],
  commands: [
    {
      run: 'pikactl rotate --current-key-from SPEC --new-key-from SPEC --confirm-saved [--save-to-keychain]',
      why: 'rotate; --save-to-keychain also stores the new key in the OS keychain',
    },
    { run: 'pikactl sandbox --fault rotate-write', why: 'rehearse a failed rotation on a local sandbox first' },
  ],
};

export const partialRotationRecovery: Runbook = {
  name: 'partial-rotation-recovery',
  title: 'Recover from a rotation that stopped half-way',
  summary: 'a rotation failed or its answer was lost: find where the key is, then repair',
  when:
    'A rotate call answered 500, timed out or lost its connection; or, after a rotation, key/status answers 500 or ' +
    'the settings no longer read.',
  steps: [
    'Do not restart yet, and do not guess keys: every refused key counts toward the unlock limit. Have both the old and the new key at hand.',
    'Find the state first. A 500 from key/status means the key in memory cannot open the sealed settings. A locked server has to be unlocked before anything can be told. A healthy server may be on either key: an unlock with the right key only re-checks it, so one try per key tells which.',
    'Memory on the new key, disk still on the old one (what the current code leaves behind): lock, unlock with the OLD key, check that the settings read, then rotate again.',
    'Verifier on the new key, secrets not readable under it (the state the upstream guide describes): rotate with the new key as both current and new key. Current servers refuse that with 400 ("must differ"); then only the restore path remains.',
    'The rotation finished but its answer was lost: the new key unlocks and the settings read. Nothing to repair.',
    'Nothing works: restart, unlock with the new key, and read the settings. The secrets are one sealed blob that opens whole or not at all, so either all of them came through or none did. If none did, restore a backup taken under a key you hold, unlock with that key, then rotate.',
  ],
  divergences: [
    "The upstream guide's fix, retrying with the new key as both current and new key, is rejected with 400 by the current code (identical keys). The state it assumes (verifier swapped, some secrets still old) is also not what the current code leaves: its single write happens or it does not, and the real half-state is repaired by going back to the OLD key.",
    'The guide mentions a secret that "decrypts as garbage". The secrets are sealed together with an authenticated cipher: a wrong key opens nothing, it never yields garbage.',
    'While memory holds the wrong key, unlock and rotate answer 500 as well (they read the settings first); only lock still works.',
  ],
  commands: [
    { run: 'pikactl recover-rotation', why: 'diagnose, then walk through the repair one confirmed step at a time' },
    { run: 'pikactl status', why: 'a 500 here is the mark of the half-state' },
    {
      run: 'pikactl sandbox --fault rotate-write',
      why: 'rehearse: then pikactl rotate, then pikactl recover-rotation',
    },
  ],
};

export const operatorHandover: Runbook = {
  name: 'operator-handover',
  title: 'Hand the server key over to another operator',
  summary: 'operator handover: new key chosen by the outgoing operator, proven by the incoming one, old key retired',
  when:
    'An operator who holds the key leaves or changes role. The aim: the server ends on a key the incoming operator ' +
    "(and the organisation's store) holds, proven by a real unlock, and the old key is retired.",
  steps: [
    "Outgoing operator: rotate to a new key of their choosing, save it, and pass it on through the organisation's credential-transfer process, never through chat or a ticket. pikactl writes a handover record (with no secret in it) to travel alongside.",
    'Incoming operator: at the next restart (or by rolling one pod), unlock with the new key and check that the settings read. That proves the key they received is the key the server runs on.',
    'Outgoing operator: once the incoming side has confirmed, delete the old key from the password manager and the keychain.',
    'If the incoming unlock fails, delete nothing: the old key and the outgoing operator are still the way back.',
  ],
  divergences: [
    "Rolling one pod in a cluster: a restarted follower cannot be unlocked over HTTP, because the unlock is forwarded to the leader. Check each pod's own key/status; a follower only comes up unlocked through PIKA_ENCRYPTION_PASSWORD or by becoming the leader.",
    'Tokens cannot hold settings.manage, so the incoming operator needs their own password account with it before the handover.',
  ],
  commands: [
    { run: 'pikactl handover start', why: 'outgoing: check the server, rotate, save the key, write the record' },
    {
      run: 'pikactl handover accept --record FILE --save-to-keychain',
      why: 'incoming: wait for the restart, unlock, check, confirm, keep the key in the OS keychain',
    },
    { run: 'pikactl handover finish --record FILE', why: 'outgoing: retire the old key and close the record' },
  ],
};
