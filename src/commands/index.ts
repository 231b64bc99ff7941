import type { RegisterCommand } from './app.js';
import { registerHelpTopics } from './help-topics.js';

/** Every top-level command, in help order. Each file registers itself; heavy modules load inside handlers. */
export const COMMANDS: RegisterCommand[] = [registerHelpTopics];
