import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * Most test files run in a worker that keeps its module cache from the files before it
 * (isolate: false): a fresh process per file re-imports src/ and the libraries each time,
 * about a quarter of a second of CPU per file, which on two cores was a fifth of the wall
 * time. A file with file-level hooks (beforeAll/afterAll) keeps the default fresh process:
 * the test helpers stop what a hook started (a sandbox, kube stand-in, proxy or nginx)
 * from an afterAll that the helper module registers when it is first evaluated, so in a
 * shared worker it would run for the first such file only. Those files (and their own
 * state kept from one test to the next) are the ones a shared cache could tie together.
 */
const TESTS = 'test';
const testFiles = readdirSync(TESTS, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `${TESTS}/${f.split('\\').join('/')}`);
const hasFileHooks = (file: string) => /\b(beforeAll|afterAll)\s*\(/.test(readFileSync(file, 'utf8'));
const isolated = testFiles.filter(hasFileHooks);

/** What both projects share (a project does not extend the root: its globalSetup would run once more per project). */
const common = { testTimeout: 30_000, hookTimeout: 30_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // Builds dist/ when it is older than src/: the e2e tests spawn bin/pikactl.js, which runs dist/.
    globalSetup: ['test/support/global-setup.ts'],
    // Two cores here: keep the parallelism modest so timing-sensitive tests stay stable.
    maxWorkers: 2,
    projects: [
      { test: { ...common, name: 'shared', include: ['test/**/*.test.ts'], exclude: isolated, isolate: false } },
      { test: { ...common, name: 'isolated', include: isolated.length ? isolated : ['!**'], isolate: true } },
    ],
  },
});
