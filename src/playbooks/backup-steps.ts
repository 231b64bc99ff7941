import { ApiError, type KeyStatus, type PikaClient } from '../api/types.js';
import { CliError } from '../errors.js';
import { lockedTarget } from '../backup/restore.js';
import type { Secret } from '../secrets/secret.js';
import type { CheckResult, Step, VerifyResult } from './types.js';

/**
 * The "lost key, have a backup" runbook as playbook steps (shared/pika-api.md §12.5):
 * check target and file → restore (merge) → key/status initialized and locked → unlock
 * with the backup's key → the settings open → rotate to a new key → serving on it.
 * Checks read live state; what live state cannot tell (was this locked server OUR
 * restore? did the rotation run?) comes from the journal of this run or the one it
 * resumes, tied to the backup file's SHA-256.
 */
export interface BackupStepContext {
  client: PikaClient;
  /** The journal says the restore of this file was sent (done, or started and never settled). */
  restored: boolean;
  /** The journal says the rotation is done / was started without an answer. */
  rotated: 'no' | 'done' | 'unknown';
  held: { backupKey: boolean; newKey: boolean };
  /** The file checks (complete, the password opens it); throws CliError. */
  checkFile(): Promise<void>;
  restore(): Promise<void>;
  backupKey(): Secret;
  /** Saved-first confirmation, staging, send, verify (rotate's own helpers). */
  rotate(): Promise<void>;
  signal?: AbortSignal;
}

async function status(c: BackupStepContext): Promise<KeyStatus | 'locked'> {
  try {
    return await c.client.keyStatus(c.signal);
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'locked') return 'locked';
    throw err;
  }
}

const isLocked = (s: KeyStatus | 'locked') => s === 'locked' || (s.initialized && !s.unlocked);

async function settingsOpen(c: BackupStepContext): Promise<boolean> {
  try {
    await c.client.settings(c.signal);
    return true;
  } catch (err) {
    if (err instanceof ApiError && (err.kind === 'server_error' || err.kind === 'locked')) return false;
    throw err;
  }
}

function checkTargetStep(): Step<BackupStepContext> {
  return {
    id: 'check-target',
    title: 'check the backup file and the target server',
    explain:
      'reads the file (complete, and the backup password opens it) and key/status: the target must be fresh or unlocked. Nothing changes.',
    severity: 'safe',
    async check(c) {
      const s = await status(c);
      if (isLocked(s))
        return c.restored
          ? 'done'
          : { blocked: lockedTarget(c.client.server).message, hint: lockedTarget(c.client.server).hint };
      return 'pending';
    },
    run: (c) => c.checkFile(),
    verify: async () => true,
  };
}

function restoreStep(): Step<BackupStepContext> {
  return {
    id: 'restore',
    title: 'restore the backup (merge)',
    explain:
      "posts the file; rows in the backup overwrite, others stay. Afterwards key/status must read initialized and locked (the backup's verifier).",
    severity: 'severe',
    async check(c) {
      const s = await status(c);
      if (c.restored && s !== 'locked' && s.initialized) return 'done';
      if (isLocked(s))
        return c.restored
          ? 'done'
          : { blocked: lockedTarget(c.client.server).message, hint: lockedTarget(c.client.server).hint };
      return 'pending';
    },
    async run(c) {
      await c.restore();
      c.restored = true;
    },
    async verify(c): Promise<VerifyResult> {
      const s = await status(c);
      if (s === 'locked' || s.initialized) return true;
      return {
        failed:
          'key/status reads "not initialized": the backup holds no key verifier (taken before encryption was on?)',
      };
    },
  };
}

function unlockStep(): Step<BackupStepContext> {
  return {
    id: 'unlock-backup-key',
    title: "unlock with the backup's key",
    explain:
      'sends the key that was live when the backup was taken. A wrong key changes nothing and stops the run here. If the server runs unlocked under its own key, it is locked first.',
    severity: 'normal',
    async check(c): Promise<CheckResult> {
      if (!c.held.backupKey)
        return { blocked: "the backup's key was not supplied", hint: 'Pass --backup-key-from SPEC.' };
      const s = await status(c);
      // Before the restore (a --plan on a fresh server) there is nothing to unlock yet.
      if (s !== 'locked' && !s.initialized)
        return c.restored
          ? { blocked: 'the server is not initialized: the restore did not bring a key verifier' }
          : 'pending';
      if (!isLocked(s) && (await settingsOpen(c))) return 'done';
      return 'pending';
    },
    async run(c) {
      const s = await status(c);
      if (!isLocked(s)) await c.client.lock(c.signal);
      try {
        await c.client.unlock(c.backupKey(), c.signal);
      } catch (err) {
        if (!(err instanceof ApiError && err.kind === 'wrong_key')) throw err;
        throw new CliError("the server's verifier refused the backup's key; nothing was changed", {
          code: 'wrong_key',
          hint: 'This backup was taken under another key. Check --backup-key-from (the key live when the backup was made, not the backup password), or use a backup whose key you hold.',
        });
      }
    },
    async verify(c) {
      const s = await status(c);
      return s !== 'locked' && s.unlocked ? true : { failed: 'the server still reports locked' };
    },
  };
}

function settingsStep(id: string, title: string, explain: string): Step<BackupStepContext> {
  return {
    id,
    title,
    explain,
    severity: 'safe',
    async check(c) {
      return isLocked(await status(c))
        ? { blocked: 'the server is locked', hint: "Unlock it with the backup's key." }
        : 'pending';
    },
    run: async () => {},
    async verify(c) {
      const s = await status(c);
      if (s === 'locked' || !s.unlocked) return { failed: 'the server is locked' };
      return (await settingsOpen(c)) ? true : { failed: 'the sealed settings do not open under the live key (500)' };
    },
  };
}

function rotateStep(): Step<BackupStepContext> {
  return {
    id: 'rotate',
    title: 'rotate to a new key',
    explain:
      'the server re-seals its settings under the NEW key; the next restart needs it. Asked first: is the new key saved?',
    severity: 'severe',
    async check(c) {
      if (!c.held.newKey) return { blocked: 'no new key was supplied', hint: 'Pass --new-key-from SPEC.' };
      if (c.rotated === 'done') return 'done';
      if (c.rotated === 'unknown') {
        return {
          blocked: 'an earlier run sent the rotation and got no answer: it may be live',
          hint: `Find out first: pikactl recover-rotation --server ${c.client.server.id} --old-key-from <backup key> --new-key-from <new key>.`,
        };
      }
      return isLocked(await status(c))
        ? { blocked: 'the server is locked', hint: "Unlock it with the backup's key." }
        : 'pending';
    },
    async run(c) {
      await c.rotate();
      c.rotated = 'done';
    },
    verify: async () => true,
  };
}

export function backupSteps(): Step<BackupStepContext>[] {
  return [
    checkTargetStep(),
    restoreStep(),
    unlockStep(),
    settingsStep(
      'check-settings',
      'check that the restored settings open',
      "reads the settings (a GET): the backup's sealed data opens under its key.",
    ),
    rotateStep(),
    settingsStep(
      'verify-serving',
      'verify the server serves on the new key',
      'reads key/status and the settings again: unlocked, and the data opens.',
    ),
  ];
}
