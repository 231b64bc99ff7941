import { firstStart, manualLock, status, unlockAfterRestart } from './everyday.js';
import { lostKeyNoBackup, lostKeyWithBackup } from './disaster.js';
import { operatorHandover, partialRotationRecovery, rotation } from './rotation.js';
import type { Runbook } from './types.js';

export type { Runbook } from './types.js';

/** In the order an operator meets them. */
export const RUNBOOKS: readonly Runbook[] = [
  firstStart,
  unlockAfterRestart,
  status,
  rotation,
  partialRotationRecovery,
  manualLock,
  lostKeyNoBackup,
  lostKeyWithBackup,
  operatorHandover,
];

export const RUNBOOK_NAMES: readonly string[] = RUNBOOKS.map((r) => r.name);

export function findRunbook(name: string): Runbook | undefined {
  const wanted = name.trim().toLowerCase();
  return RUNBOOKS.find((r) => r.name === wanted);
}
