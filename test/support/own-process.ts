/**
 * A test helper started outside a test (in a beforeAll) is stopped by an afterAll that its
 * module registers when it is first evaluated: once per process. The 'shared' project of
 * vitest.config.ts runs files in workers that keep their modules from file to file, where
 * that afterAll would run for the first file only; there such a call fails at once.
 */
export function assertOwnProcess(helper: string): void {
  if (process.env.PIKACTL_TEST_SHARED_WORKER === '1')
    throw new Error(
      `${helper} ran outside a test (in beforeAll) in a shared worker, where its cleanup would not run: ` +
        "add the helper this file's hook calls to HOOK_HELPERS in vitest.config.ts",
    );
}
