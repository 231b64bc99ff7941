import type { RegisterCommand } from './app.js';
import type { CommandName } from './summaries.js';

/**
 * Every top-level command, in help order, with the module that registers it. Modules are
 * imported only when their command runs (or when the whole tree is needed: `help`,
 * completion, the man page generator), so `pikactl --help` and `--version` load almost
 * nothing. `names` lists every top-level command a module registers.
 */
export interface CommandEntry {
  names: CommandName[];
  load: () => Promise<RegisterCommand>;
}

export const COMMANDS: CommandEntry[] = [
  { names: ['status'], load: async () => (await import('./status.js')).registerStatus },
  { names: ['init'], load: async () => (await import('./init.js')).registerInit },
  { names: ['unlock'], load: async () => (await import('./unlock.js')).registerUnlock },
  { names: ['lock'], load: async () => (await import('./lock.js')).registerLock },
  { names: ['rotate'], load: async () => (await import('./rotate.js')).registerRotate },
  { names: ['roll'], load: async () => (await import('./roll.js')).registerRoll },
  { names: ['kube'], load: async () => (await import('./kube.js')).registerKube },
  { names: ['recover-rotation'], load: async () => (await import('./recover-rotation.js')).registerRecoverRotation },
  { names: ['backup'], load: async () => (await import('./backup.js')).registerBackup },
  {
    names: ['recover-from-backup'],
    load: async () => (await import('./recover-from-backup.js')).registerRecoverFromBackup,
  },
  { names: ['handover'], load: async () => (await import('./handover.js')).registerHandover },
  { names: ['login', 'logout', 'whoami'], load: async () => (await import('./login.js')).registerLogin },
  { names: ['keychain'], load: async () => (await import('./keychain.js')).registerKeychain },
  { names: ['context'], load: async () => (await import('./context.js')).registerContext },
  { names: ['trust'], load: async () => (await import('./trust.js')).registerTrust },
  { names: ['sandbox'], load: async () => (await import('./sandbox.js')).registerSandbox },
  { names: ['runbook'], load: async () => (await import('./runbook.js')).registerRunbook },
  { names: ['completion'], load: async () => (await import('./completion.js')).registerCompletion },
  { names: ['help'], load: async () => (await import('./help-topics.js')).registerHelpTopics },
];

/** Commands that need the whole tree to do their job. */
export const NEEDS_WHOLE_TREE = new Set(['help', 'completion', '__complete']);
