import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when it is older than src/: the e2e tests spawn bin/pikactl.js, which runs dist/.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores here: keep the parallelism modest so timing-sensitive tests stay stable.
    maxWorkers: 2,
  },
});
