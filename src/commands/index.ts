import type { RegisterCommand } from './app.js';
import { registerHelpTopics } from './help-topics.js';
import { registerCompletion } from './completion.js';
import { registerRunbook } from './runbook.js';
import { registerStatus } from './status.js';
import { registerInit } from './init.js';
import { registerUnlock } from './unlock.js';
import { registerLock } from './lock.js';
import { registerRotate } from './rotate.js';
import { registerRecoverRotation } from './recover-rotation.js';
import { registerHandover } from './handover.js';
import { registerLogin } from './login.js';
import { registerKeychain } from './keychain.js';
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
  registerRecoverRotation,
  registerHandover,
  registerLogin,
  registerKeychain,
  registerContext,
  registerTrust,
  registerSandbox,
  registerRunbook,
  registerCompletion,
  registerHelpTopics,
];
