import type { Runbook } from './types.js';

/** The scenarios of a normal week: turning encryption on, unlocking, looking, locking. */

export const firstStart: Runbook = {
  name: 'first-start',
  title: 'Turn on at-rest encryption on a fresh server',
  summary: 'first start: set the server key on a new install',
  when:
    'A new Pika install runs with encryption off: sensitive settings are stored unsealed and nothing asks for a key. ' +
    'Turning encryption on is done once per data directory; from then on every restart needs the key.',
  steps: [
    'Let Pika start and create the first admin account in the web UI. Users, mounts, hooks and externals can all be set up before encryption is on.',
    'Sign in with a password session on an account that has settings.manage (a superadmin has it). An API token will not do; see below.',
    'Choose a long passphrase and store it in your password manager (or the OS keychain) BEFORE you send it. The server keeps no copy and there is no way to recover it.',
    'Initialize. The server stores a verifier, re-seals the sensitive settings under the key, and stays unlocked until the process exits.',
    'Check that status now says initialized and unlocked. The next restart will come up locked.',
  ],
  divergences: [
    'The upstream guide says a token holding settings.manage may call the key endpoints. The server code never gives a token settings.manage: every key endpoint answers 403 to a token. pikactl uses a password session.',
    'The guide takes the session cookie from /login/password. The real route is /login/pass/<strategy> ("local" unless renamed); pikactl login finds it through /login/info.',
    'Initialize works once: on an initialized, unlocked server it answers 409; on a locked one 503, because the lock gate does not let it through.',
  ],
  commands: [
    { run: 'pikactl login', why: 'open a password session (needs settings.manage)' },
    { run: 'pikactl status', why: 'expect "initialized: false" before you start' },
    {
      run: 'pikactl init --key-from SPEC --confirm-saved',
      why: 'set the key; --confirm-saved states it is already saved elsewhere',
    },
    { run: 'pikactl keychain set', why: 'optional: keep the key in the OS keychain for later unlocks' },
  ],
};

export const unlockAfterRestart: Runbook = {
  name: 'unlock-after-restart',
  title: 'Unlock the server after every restart',
  summary: 'every restart: the server comes back locked until someone gives the key',
  when:
    'The key lives only in the memory of the running process. Every restart, crash or pod roll brings the server back ' +
    'locked (unless PIKA_ENCRYPTION_PASSWORD unlocks it at boot). While locked, the API and /data answer 503 with ' +
    'the header X-Pika-Locked: true.',
  steps: [
    'Wait until the server answers key/status and reports locked.',
    'Sign in (password session, settings.manage). Login works while locked: /login/* is outside the lock gate.',
    'Send the key. A wrong key is refused with 403 and changes nothing, but each refusal counts toward a per-address limit: from the third on, every try is delayed (1 s, 2 s, 4 s … up to 15 s), and after 30 within 15 minutes the server answers 429. Never loop over guesses.',
    'Check that status says unlocked.',
  ],
  divergences: [
    'The guide says all of /api/v1/key/* and /healthz keep working while locked. In the code only key/status and key/unlock pass the lock gate (besides /api/v1/info and /api/v1/me/*); initialize, lock and rotate answer 503. /healthz answers because it is outside the gated paths, and it says nothing about the lock.',
    'The guide expects 401 for an unlock without a session. The server redirects (307) to the login page instead; only a rejected Bearer token gets 401.',
    'The Kubernetes guide says to unlock each pod with POST /api/v1/key/unlock. With clustering on, every POST is forwarded to the leader, so an unlock sent to a follower unlocks the leader, not that pod. Ask each pod for its own key/status.',
  ],
  commands: [
    { run: 'pikactl unlock --key-from SPEC --wait D', why: 'wait up to D for the server to answer, then unlock it' },
    { run: 'pikactl status --wait D --for unlocked', why: 'in deploy scripts: block until this node serves requests' },
  ],
};

export const status: Runbook = {
  name: 'status',
  title: 'Check the state of the server key',
  summary: 'status: initialized? locked? serving?',
  when:
    'Before and after every key operation, in deploy scripts, and whenever users report 503s. key/status needs no ' +
    'login and describes only the process that answered.',
  steps: [
    'initialized false: encryption was never turned on here (or the data was wiped). Nothing to unlock; the server serves normally.',
    'initialized true, unlocked false: locked. Someone with the key has to unlock it.',
    'both true: serving normally.',
    'a 500 from key/status: the key in memory does not open the sealed settings. That is the mark of a rotation that stopped half-way; see partial-rotation-recovery.',
  ],
  divergences: [
    'The guide lists only the two booleans. The code also answers 500 ("read settings: …") when the settings cannot be read, and that is the only outside sign of a key that does not match the data.',
    'In a cluster every pod keeps its own lock state: ask each pod, not the load balancer.',
  ],
  commands: [
    { run: 'pikactl status', why: 'one look; exit 0 serving, 3 locked, 7 unreachable (pikactl help exit-codes)' },
    { run: 'pikactl status --wait D --for unlocked', why: 'wait (e.g. after a deploy) until it serves requests' },
  ],
};

export const manualLock: Runbook = {
  name: 'manual-lock',
  title: 'Lock the server on purpose',
  summary: 'manual lock: drop the key from memory without a restart',
  when:
    'To rehearse an unlock, when a session is left open on an unattended machine, or to push everyone back through ' +
    'an unlock after an operator leaves.',
  steps: [
    'Make sure someone who holds the key can unlock soon: while locked, the API answers 503 to every user.',
    'Lock. The key is dropped from memory; nothing on disk changes.',
    'Check that status says locked. Unlock when you are done.',
  ],
  divergences: [
    'Lock is not let through the lock gate, so locking a server that is already locked answers 503 rather than 200 (pikactl treats that as success).',
    'In a cluster the lock request runs on the leader; other pods keep their key until they restart.',
  ],
  commands: [
    { run: 'pikactl lock --yes', why: 'lock now, without the confirmation prompt' },
    { run: 'pikactl status', why: 'expect "locked"' },
    { run: 'pikactl unlock --key-from SPEC --wait D', why: 'bring it back' },
  ],
};
