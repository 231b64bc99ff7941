import { expect } from 'vitest';
import { runCli } from './context.js';
import { adminEnv, startTestSandbox, type TestSandbox } from './sandbox.js';

/**
 * A sandbox left in the upstream half-rotation (fault rotate-write: memory on the new key,
 * disk on the old), reached through pikactl itself: init with KEY, then a rotate to NEW_KEY
 * that exits 8. `env` logs in inline and holds both keys (env:KEY, env:NEW_KEY).
 */
export async function halfRotatedSandbox(keys: { KEY: string; NEW_KEY: string }): Promise<{
  sb: TestSandbox;
  env: Record<string, string>;
  rotate: string[];
}> {
  const sb = await startTestSandbox({ faults: ['rotate-write'] });
  const env = adminEnv(sb, keys);
  expect((await runCli(['init', '--key-from', 'env:KEY', '--confirm-saved'], { env })).code).toBe(0);
  const rotate = ['rotate', '--current-key-from', 'env:KEY', '--new-key-from', 'env:NEW_KEY', '--confirm-saved'];
  expect((await runCli(rotate, { env })).code).toBe(8);
  return { sb, env, rotate };
}
