import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Most test files run in a worker that keeps its module cache from the files before it
 * (isolate: false): a fresh process per file imports src/ and the libraries again, about
 * a quarter of a second of CPU per file (86 in-process files: 56 s of CPU isolated, 35 s
 * shared). A file with file-level hooks (beforeAll/afterAll) keeps its own process: what a
 * hook starts through a test helper (sandbox, kube stand-in, proxy, nginx) is stopped by
 * an afterAll the helper module registers when it is first evaluated, which in a shared
 * worker happens for the first file only. The others share loaded modules and their
 * module-level state, which in src/ is per invocation (output/target-flags.ts's map is
 * replaced by each run) or a cache of a loaded library.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const testFiles = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${f.split(sep).join('/')}`);
const hasFileHooks = (file: string) => /\b(beforeAll|afterAll)\s*\(/.test(readFileSync(join(root, file), 'utf8'));
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
