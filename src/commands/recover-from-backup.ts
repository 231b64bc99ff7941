import type { Command } from 'commander';
import type { App } from './app.js';
export function registerRecoverFromBackup(program: Command, app: App): void {
  void program; void app;
}
