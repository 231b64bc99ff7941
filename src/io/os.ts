/**
 * The process facts low-level modules need that are not input or output (a pid for a lock
 * file, a process-group kill, the node binary for a helper). `process` is read only in
 * src/context.ts and src/io/ (the lint enforces it), so these live here, in one place.
 */

/** This process's id. */
export const ownPid = (): number => process.pid;

/** Sends `sig` to the whole process group `pgid` (what ChildProcess.kill cannot do). */
export function killGroup(pgid: number, sig: NodeJS.Signals): void {
  process.kill(-pgid, sig);
}

/** The node binary running pikactl, to start helper processes with. */
export const nodeBinary = (): string => process.execPath;
