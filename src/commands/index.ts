import type { RegisterCommand } from './app.js';
import { registerHelpTopics } from './help-topics.js';
import { registerRunbook } from './runbook.js';
import { registerStatus } from './status.js';
import { registerInit } from './init.js';
import { registerUnlock } from './unlock.js';
import { registerLock } from './lock.js';
import { registerRotate } from './rotate.js';
import { registerContext } from './context.js';
import { registerTrust } from './trust.js';
import { registerSandbox } from './sandbox.js';

/** Every top-level command, in help order. Each file registers itself; heavy modules load inside handlers. */
export const COMMANDS: RegisterCommand[] = [
  registerStatus,
  registerInit,
  registerUnlock,
  registerLock,
  registerRotate,
  registerContext,
  registerTrust,
  registerSandbox,
  registerRunbook,
  registerHelpTopics,
];
