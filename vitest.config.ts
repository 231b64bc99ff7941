import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Most test files run in a worker that keeps its module cache from the files before it
 * (isolate: false): a fresh process per file imports src/ and the libraries again, about
 * a quarter of a second of CPU per file (86 in-process files: 56 s of CPU isolated, 35 s
 * shared). A file whose beforeAll/afterAll uses one of HOOK_HELPERS keeps its own process:
 * what such a helper starts outside a test is stopped by an afterAll its module registers
 * when first evaluated, which in a shared worker happens for the first file only (in the
 * shared project those helpers refuse to start outside a test: test/support/own-process.ts).
 * The others share loaded modules and their module-level state, which in src/ is per
 * invocation (output/target-flags.ts's map is replaced by each run) or a library's cache.
 */
const HOOK_HELPERS = ['startTestSandbox', 'startTestKube', 'startAnswerProxy', 'startNginx'];
const root = fileURLToPath(new URL('.', import.meta.url));
const testFiles = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${f.split(sep).join('/')}`);
const needsOwnProcess = (file: string) => {
  const text = readFileSync(join(root, file), 'utf8');
  return /\b(beforeAll|afterAll)\s*\(/.test(text) && HOOK_HELPERS.some((h) => text.includes(`${h}(`));
};
const isolated = testFiles.filter(needsOwnProcess);

/** What both projects share (a project does not extend the root: its globalSetup would run once more per project). */
const common = { testTimeout: 30_000, hookTimeout: 30_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // Builds dist/ when it is older than src/: the e2e tests spawn bin/pikactl.js, which runs dist/.
    globalSetup: ['test/support/global-setup.ts'],
    // Two cores here: keep the parallelism modest so timing-sensitive tests stay stable.
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...common,
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: isolated,
          isolate: false,
          env: { PIKACTL_TEST_SHARED_WORKER: '1' },
        },
      },
      { test: { ...common, name: 'isolated', include: isolated.length ? isolated : ['!**'], isolate: true } },
    ],
  },
});
